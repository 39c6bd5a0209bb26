// A tour of the main jobs from Swift: API keys, a JWT issued and verified, a log line scrubbed,
// and a request through the in-process gateway.
// Run: `scripts/run-examples.sh` (the root Package.swift's executable target
// `TokenwardQuickstart`, built by `swift test` in scripts/test-swift.sh; in your project, depend
// on the `Tokenward` product). Exits non-zero if tokenward does not behave as described.
import Foundation
import Tokenward

/// The example's own failure: tokenward did not behave as this tour expects.
struct Unexpected: Error, CustomStringConvertible {
    let description: String
}

func tour() throws {
    // API keys: the secret is shown once; the store keeps a hash.
    let keys = try ApiKeys(prefix: "tw_live")
    let issued = try keys.create(owner: "acct_42", scopes: ["read"])
    print("issued API key \(issued.record.id) (printed form: \(issued.secret))")
    print("verified: owner \(try keys.verify(key: issued.secret.expose()).owner)")

    // JWT: an explicit algorithm allowlist, issuer and audience checked.
    let key = try JwtKey.generate(algorithm: .edDsa).withKid(kid: "2026-12")
    let token = try JwtIssuer(key: key, options: JwtIssuerOptions(issuer: "https://auth.example", audience: ["api"]))
        .issue(claimsJson: #"{"scope":"read"}"#, options: JwtIssueOptions(subject: "user-1"))
    let published = KeySet()
    try published.insert(key: key)
    let verifier = try JwtVerifier.withJwks(
        jwks: try published.toJwksJson(),
        options: JwtVerifierOptions(algorithms: [.edDsa], issuers: ["https://auth.example"], audiences: ["api"])
    )
    print("JWT verified: sub = \(try verifier.verifyClaims(token: token).subject ?? "nil")")
    // A different signature: its first character changed (the last ones carry padding bits).
    let signatureStart = token.index(after: token.lastIndex(of: ".")!)
    let tampered = String(token[..<signatureStart]) + (token[signatureStart] == "A" ? "B" : "A")
        + String(token[token.index(after: signatureStart)...])
    do {
        _ = try verifier.verify(token: tampered)
        throw Unexpected(description: "a tampered JWT verified")
    } catch let refused as TokenwardError {
        print("tampered JWT refused: \(refused.code)")
    }

    // Redaction: secrets in a log line become fingerprints.
    print("log line: \(redact(text: "GET /v1 Authorization: Bearer \(token) api_key=\(issued.secret.expose())"))")

    // Gateway: the API key authenticates a request; a request without one gets a 401.
    let auth = try Authenticator(options: AuthenticatorOptions(
        apiKeys: keys,
        rateLimit: RateLimit(rate: 100, burst: 20, period: nil)
    ))
    var request = AuthRequest(
        method: "GET",
        path: "/v1/things",
        headers: [HttpHeader(name: "x-api-key", value: issued.secret.expose())],
        clientIp: "198.51.100.7",
        requiredScopes: ["read"]
    )
    switch try auth.authenticate(request: request) {
    case let .allowed(principal): print("gateway: \(principal.subject) allowed")
    case let .refused(refusal): throw Unexpected(description: "the API key was refused: \(refusal.code)")
    }
    request.headers = []
    request.requiredScopes = []
    switch try auth.authenticate(request: request) {
    case let .refused(refusal): print("gateway: no credentials -> \(refusal.status) \(refusal.code)")
    case .allowed: throw Unexpected(description: "a request without credentials was let through")
    }
}

do {
    try tour()
} catch {
    print("quickstart failed: \(error)")
    exit(1)
}
