// The consumer program of tests/consumers/swift/run.sh: issues and verifies a JWT, creates and
// verifies an API key in a SQLite file, redacts a line. Last line: `consumer-swift: N passed, M failed`.
import Foundation
import Tokenward

var passed = 0
var failed = 0

func check(_ name: String, _ body: () throws -> Bool) {
    do {
        if try body() {
            print("ok - \(name)")
            passed += 1
        } else {
            print("not ok - \(name)")
            failed += 1
        }
    } catch {
        print("not ok - \(name): \(error)")
        failed += 1
    }
}

func codeOf(_ body: () throws -> Void) -> String? {
    do {
        try body()
        return nil
    } catch let error as TokenwardError {
        return error.code.description // the typed ErrorCode's stable string
    } catch {
        return "unexpected: \(error)"
    }
}

let work = CommandLine.arguments.count > 1 ? CommandLine.arguments[1] : FileManager.default.currentDirectoryPath

check("version() answers") { !version().isEmpty }

// JWT: issue with an ES256 key, verify against the published JWKS (public part only).
var token = ""
var verifier: JwtVerifier?
check("JWT issue + verify") {
    let key = try JwtKey.generate(algorithm: .es256).withKid(kid: "consumer-1")
    let set = KeySet()
    try set.insert(key: key)
    let v = try JwtVerifier.withJwks(
        jwks: try set.toJwksJson(),
        options: JwtVerifierOptions(algorithms: [.es256], issuers: ["https://auth.example"], audiences: ["api"])
    )
    verifier = v
    let issuer = try JwtIssuer(
        key: key,
        options: JwtIssuerOptions(issuer: "https://auth.example", audience: ["api"], ttl: 300)
    )
    token = try issuer.issue(claimsJson: #"{"scope":"read"}"#, options: JwtIssueOptions(subject: "user-1"))
    let claims = try v.verifyClaims(token: token)
    return claims.subject == "user-1" && claims.issuer == "https://auth.example"
        && claims.audience == ["api"] && claims.json.contains(#""scope":"read""#)
        && (claims.expiresAt ?? 0) - (claims.issuedAt ?? 0) == 300
}
check("JWT with a flipped signature byte is refused with a code") {
    guard let v = verifier else { return false }
    let parts = token.split(separator: ".").map(String.init)
    guard parts.count == 3, let first = parts[2].first else { return false }
    let bad = parts[0] + "." + parts[1] + "." + (first == "A" ? "B" : "A") + parts[2].dropFirst()
    return ["invalid_signature", "malformed"].contains(codeOf { _ = try v.verifyClaims(token: bad) } ?? "")
}

// API keys in a SQLite file of this temporary package.
let db = work + "/keys.db"
let pepper = try! Secret(value: "a-long-server-side-pepper-value!")
var plaintext = ""
check("API key create (SQLite)") {
    let keys = try ApiKeys(prefix: "tw_live", options: ApiKeysOptions(store: "sqlite://\(db)", pepper: pepper))
    let issued = try keys.create(owner: "alice", scopes: ["read"], expiresIn: 3600, metadata: ["plan": "pro"])
    plaintext = issued.secret.expose()
    return plaintext.hasPrefix("tw_live_") && !"\(issued.secret)".contains(plaintext)
}
check("API key verify after reopening the SQLite file") {
    let keys = try ApiKeys(prefix: "tw_live", options: ApiKeysOptions(store: "sqlite://\(db)", pepper: pepper))
    let record = try keys.verify(key: plaintext)
    return record.owner == "alice" && record.scopes == ["read"] && record.metadata == ["plan": "pro"]
}
check("API key with one character changed is refused") {
    let keys = try ApiKeys(prefix: "tw_live", options: ApiKeysOptions(store: "sqlite://\(db)", pepper: pepper))
    let typo = String(plaintext.dropLast()) + (plaintext.hasSuffix("x") ? "y" : "x")
    return codeOf { _ = try keys.verify(key: typo) } != nil
}
check("the SQLite file holds no plaintext key") {
    let bytes = try Data(contentsOf: URL(fileURLWithPath: db))
    return !bytes.isEmpty && bytes.range(of: Data(plaintext.utf8)) == nil
}

// Redaction of a log line.
check("redact a log line") {
    let line = "GET /v1/things Authorization: Bearer \(token) api_key=\(plaintext)"
    let out = redact(text: line)
    print("  # \(out.prefix(120))")
    return !out.contains(token) && !out.contains(plaintext) && out.contains("[REDACTED") && out.hasPrefix("GET /v1/things")
}

print("consumer-swift: \(passed) passed, \(failed) failed")
exit(failed == 0 && passed > 0 ? 0 : 1)
