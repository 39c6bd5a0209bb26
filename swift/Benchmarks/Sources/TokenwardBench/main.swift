// Hot-path benchmarks of the Swift binding: cached `TokenSource.token()` (async),
// `Authenticator.authenticate` (API key, HS256 JWT) and `JwtVerifier.verify` (HS256), set up like
// the criterion benches core/benches/{oauth,gateway,jwt}.rs. Plain loops with warm-up and
// repetitions; prints ns per op. scripts/bench-swift.sh builds this in release and runs it with
// the OAuth mock server's issuer in TOKENWARD_OAUTH_ISSUER.
import Foundation
import Tokenward

nonisolated(unsafe) var sink = 0

func report(_ name: String, _ samples: [Double]) {
    let s = samples.sorted()
    let pad = name.padding(toLength: 58, withPad: " ", startingAt: 0)
    print(pad + String(format: " median %9.1f ns/op   min %9.1f   max %9.1f   (%d reps)",
                       s[s.count / 2], s.first!, s.last!, s.count))
}

func nanos(_ d: Duration) -> Double {
    Double(d.components.seconds) * 1e9 + Double(d.components.attoseconds) / 1e9
}

/// Runs `op` `iters` times per repetition after `iters` warm-up calls; ns per op per repetition.
func measure(_ name: String, iters: Int, reps: Int = 7, _ op: () throws -> Int) rethrows {
    for _ in 0..<iters { sink &+= try op() }
    var samples: [Double] = []
    let clock = ContinuousClock()
    for _ in 0..<reps {
        let t0 = clock.now
        for _ in 0..<iters { sink &+= try op() }
        samples.append(nanos(clock.now - t0) / Double(iters))
    }
    report(name, samples)
}

func measureAsync(_ name: String, iters: Int, reps: Int = 7, _ op: () async throws -> Int) async rethrows {
    for _ in 0..<iters { sink &+= try await op() }
    var samples: [Double] = []
    let clock = ContinuousClock()
    for _ in 0..<reps {
        let t0 = clock.now
        for _ in 0..<iters { sink &+= try await op() }
        samples.append(nanos(clock.now - t0) / Double(iters))
    }
    report(name, samples)
}

struct Refused: Error { let refusal: Refusal }

func ok(_ d: AuthDecision) throws -> Int {
    switch d {
    case .allowed: return 1
    case let .refused(r): throw Refused(refusal: r)
    }
}

func request(_ name: String, _ value: String) -> AuthRequest {
    AuthRequest(
        method: "GET",
        path: "/v1/things",
        headers: [
            HttpHeader(name: "host", value: "api.example.com"),
            HttpHeader(name: "accept", value: "application/json"),
            HttpHeader(name: name, value: value),
        ],
        clientIp: "198.51.100.7",
        requiredScopes: ["read"]
    )
}

let args = CommandLine.arguments
let iters = args.count > 1 ? Int(args[1]) ?? 200_000 : 200_000
// Each async call waits for the Rust future's completion callback: far slower per call.
let asyncIters = args.count > 2 ? Int(args[2]) ?? iters / 20 : iters / 20
print("tokenward Swift binding benchmarks; 7 reps of \(iters) iterations (\(asyncIters) for async calls), each after as many warm-up calls")

// (1) cached TokenSource.token() against the OAuth mock server (one token request, then cache hits).
if let issuer = ProcessInfo.processInfo.environment["TOKENWARD_OAUTH_ISSUER"], !issuer.isEmpty {
    let client = try await OAuthClient.discover(issuerUrl: issuer, clientId: "swift-bench",
                                                options: OAuthClientOptions(clientSecret: try Secret(value: "swift-bench-secret")))
    let src = try TokenSource.clientCredentials(client: client, scopes: ["read"])
    _ = try await src.token() // the one token request
    try await measureAsync("TokenSource.token() cached (async)", iters: asyncIters) {
        try await src.token().fingerprint().utf8.count
    }
    try await measureAsync("TokenSource.token().expose() cached (async)", iters: asyncIters) {
        try await src.token().expose().utf8.count
    }
    precondition(src.requestCount() == 1, "expected one token request, got \(src.requestCount())")
    src.close()
} else {
    print("TOKENWARD_OAUTH_ISSUER unset: skipping TokenSource.token() (run scripts/bench-swift.sh)")
}

// (2) Authenticator.authenticate: API key and HS256 JWT, the policy of core/benches/gateway.rs.
let limit = RateLimit(rate: 1_000_000_000, burst: 1_000_000_000)
let keys = try ApiKeys(prefix: "tw_bench")
let apiKey = try keys.create(owner: "acct_bench", scopes: ["read"]).secret.expose()
let keyAuth = try Authenticator(options: AuthenticatorOptions(apiKeys: keys, ipDeny: ["192.0.2.0/24"], rateLimit: limit))
let keyReq = request("x-api-key", apiKey)
try measure("Authenticator.authenticate API key", iters: iters) { try ok(try keyAuth.authenticate(request: keyReq)) }
try measure("ApiKeys.verify", iters: iters) { try keys.verify(key: apiKey).owner.utf8.count }

let gwKey = try JwtKey.hmac(secret: Data("bench-secret-bench-secret-bench-secret!!".utf8), algorithm: .hs256)
let gwToken = try JwtIssuer(key: gwKey, options: JwtIssuerOptions())
    .issue(claimsJson: #"{"scope":"read write"}"#, options: JwtIssueOptions(subject: "alice"))
let jwtAuth = try Authenticator(options: AuthenticatorOptions(
    jwt: try JwtVerifier.withKey(key: gwKey, options: JwtVerifierOptions(algorithms: [.hs256])),
    ipDeny: ["192.0.2.0/24"],
    rateLimit: limit
))
let jwtReq = request("authorization", "Bearer \(gwToken)")
try measure("Authenticator.authenticate HS256 JWT", iters: iters) { try ok(try jwtAuth.authenticate(request: jwtReq)) }

// (3) JwtVerifier.verify HS256, the token of core/benches/jwt.rs.
let key = try JwtKey.hmac(secret: Data(repeating: 7, count: 32), algorithm: .hs256)
let token = try JwtIssuer(key: key, options: JwtIssuerOptions(issuer: "iss", audience: ["aud"]))
    .issue(claimsJson: #"{"scope":"read write","tenant":"acme"}"#, options: JwtIssueOptions(subject: "u1"))
let verifier = try JwtVerifier.withKey(key: key, options: JwtVerifierOptions(
    algorithms: [.hs256], issuers: ["iss"], audiences: ["aud"]
))
try measure("JwtVerifier.verify HS256 (returns claims JSON)", iters: iters) { try verifier.verify(token: token).utf8.count }

print("(checksum \(sink))")
