import Foundation
import XCTest
import Tokenward

/// RemoteKeySet / RemoteJwtVerifier: tokens of the mock server verified through its JWKS.
final class RemoteJwksTests: XCTestCase {
    override func setUp() async throws {
        try await OAuthMock.control("/__reset")
    }

    private func client() async throws -> OAuthClient {
        try await OAuthClient.discover(issuerUrl: try OAuthMock.issuer(), clientId: "swift-client",
                                       options: OAuthClientOptions(clientSecret: try Secret(value: "swift-secret")))
    }

    func testServerTokensVerifyThroughDiscoveredJwks() async throws {
        let issuer = try OAuthMock.issuer()
        let client = try await client()
        let remote = try await RemoteKeySet.discover(issuerUrl: issuer)
        XCTAssertEqual(remote.issuer(), issuer)
        XCTAssertEqual(remote.url(), client.jwksUri())
        let verifier = try RemoteJwtVerifier(keys: remote, options: JwtVerifierOptions(algorithms: [.rs256], issuers: [issuer]))
        let tok = try await client.clientCredentials(scopes: ["read"]).accessToken()
        let json = try await verifier.verify(token: tok.expose())
        let claims = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any]
        XCTAssertEqual(claims?["scope"] as? String, "read")
        let typed = try await verifier.verifyClaims(token: tok.expose())
        XCTAssertEqual(typed.issuer, issuer)
        XCTAssertGreaterThan(typed.expiresAt ?? 0, 0)
        // Cached: one fetch for both verifications.
        XCTAssertEqual(remote.fetchCount(), 1)
        let fetches = try await OAuthMock.count("jwks")
        XCTAssertEqual(fetches, 1)
        let jwks = try await remote.keys().toJwksJson()
        XCTAssertTrue(jwks.contains("\"keys\""))
        XCTAssertFalse(verifier.description.contains(tok.expose()))

        var parts = tok.expose().split(separator: ".").map(String.init)
        var sig = Array(parts[2])
        sig[10] = sig[10] == "A" ? "B" : "A"
        parts[2] = String(sig)
        let tampered = parts.joined(separator: ".")
        let bad = await asyncErrorCode { _ = try await verifier.verify(token: tampered) }
        XCTAssertEqual(bad, "invalid_signature")
        // A verifier naming another issuer than discovery found is refused at construction.
        let wrongIssuer = errorCode {
            _ = try RemoteJwtVerifier(
                keys: remote, options: JwtVerifierOptions(algorithms: [.rs256], issuers: ["https://other.example"]))
        }
        XCTAssertEqual(wrongIssuer, "invalid_input")
        let es = try RemoteJwtVerifier(keys: remote, options: JwtVerifierOptions(algorithms: [.es256]))
        let wrongAlg = await asyncErrorCode { _ = try await es.verify(token: tok.expose()) }
        XCTAssertEqual(wrongAlg, "algorithm_not_allowed")
    }

    func testConcurrentFirstUseFetchesOnceAndUnknownKidRespectsCooldown() async throws {
        let client = try await client()
        let remote = try RemoteKeySet(jwksUrl: try XCTUnwrap(client.jwksUri()),
                                      options: RemoteKeySetOptions(ttl: 300, timeout: 3))
        let verifier = try RemoteJwtVerifier(keys: remote, options: JwtVerifierOptions(algorithms: [.rs256]))
        let tok = try await client.clientCredentials(scopes: ["read"]).accessToken().expose()
        let verified = try await withThrowingTaskGroup(of: Bool.self) { group -> Int in
            for _ in 0..<200 {
                group.addTask { _ = try await verifier.verifyClaims(token: tok); return true }
            }
            var n = 0
            for try await _ in group { n += 1 }
            return n
        }
        XCTAssertEqual(verified, 200)
        XCTAssertEqual(remote.fetchCount(), 1)
        let fetches = try await OAuthMock.count("jwks")
        XCTAssertEqual(fetches, 1)

        // A key the server never published: key_not_found, and no refetch within the cooldown.
        let stranger = try JwtKey.generate(algorithm: .rs256).withKid(kid: "not-on-the-server")
        let forged = try JwtIssuer(key: stranger, options: JwtIssuerOptions()).issue(claimsJson: nil, options: JwtIssueOptions())
        for _ in 0..<2 {
            let code = await asyncErrorCode { _ = try await verifier.verify(token: forged) }
            XCTAssertEqual(code, "key_not_found")
        }
        XCTAssertEqual(remote.fetchCount(), 1)
    }

    func testUrlPolicyAndOptionsAreChecked() async throws {
        let issuer = try OAuthMock.issuer()
        XCTAssertEqual(errorCode { _ = try RemoteKeySet(jwksUrl: "http://keys.example/jwks.json") }, "invalid_input")
        XCTAssertNil(errorCode {
            _ = try RemoteKeySet(jwksUrl: "http://keys.example/jwks.json", options: RemoteKeySetOptions(dangerousAllowHttp: true))
        })
        XCTAssertEqual(errorCode {
            _ = try RemoteKeySet(jwksUrl: issuer + "/jwks", options: RemoteKeySetOptions(timeout: 0))
        }, "invalid_input")
        let remote = try RemoteKeySet(jwksUrl: issuer + "/jwks")
        XCTAssertEqual(errorCode {
            _ = try RemoteJwtVerifier(keys: remote, options: JwtVerifierOptions(algorithms: []))
        }, "invalid_input")
        let down = try RemoteKeySet(jwksUrl: "http://127.0.0.1:9/jwks", options: RemoteKeySetOptions(timeout: 0.5))
        let v = try RemoteJwtVerifier(keys: down, options: JwtVerifierOptions(algorithms: [.rs256]))
        let code = await asyncErrorCode { _ = try await v.verify(token: "a.b.c") }
        XCTAssertTrue(["network", "timeout"].contains(code ?? ""), "\(String(describing: code))")
        XCTAssertEqual(remote.description, "RemoteKeySet(url: \(issuer)/jwks)")
    }
}
