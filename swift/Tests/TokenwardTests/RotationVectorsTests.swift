import Foundation
import XCTest
import Tokenward

/// tests/vectors/rotation.json: the gateway on rotating keys as sequences of served key sets and
/// authentications (sync / async path), with their outcomes and the key set's fetch counts. The
/// JWKS is served by the OAuth mock server (`/__jwks_doc?id=...`).
final class RotationVectorsTests: XCTestCase {
    private func outcome(_ d: AuthDecision) -> String {
        switch d {
        case .allowed: return "ok"
        case let .refused(r): return "\(r.code.description)/\(r.status)"
        }
    }

    func testRotationVectors() async throws {
        let data = try Data(contentsOf: TestVectors.url("rotation.json"))
        let v = try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let algorithms = try XCTUnwrap(v["algorithms"] as? [String]).map { try algorithmFromString(name: $0) }
        let keySets = try XCTUnwrap(v["key_sets"] as? [String: Any])
        let tokens = try XCTUnwrap(v["tokens"] as? [String: String])
        let cases = try XCTUnwrap(v["cases"] as? [[String: Any]])
        let cooldown = try XCTUnwrap(v["cooldown_seconds"] as? Double)
        var checked = 0
        for (n, c) in cases.enumerated() {
            let name = try XCTUnwrap(c["name"] as? String)
            let id = "swift-\(n)"
            let keys = try RemoteKeySet(jwksUrl: try OAuthMock.issuer() + "/__jwks_doc?id=\(id)",
                                        options: RemoteKeySetOptions(cooldown: cooldown))
            let verifier = try RemoteJwtVerifier(keys: keys, options: JwtVerifierOptions(
                algorithms: algorithms, issuers: [try XCTUnwrap(v["issuer"] as? String)],
                audiences: [try XCTUnwrap(v["audience"] as? String)]))
            let auth = try Authenticator(options: AuthenticatorOptions(remoteJwt: verifier))
            for (i, step) in try XCTUnwrap(c["steps"] as? [[String: Any]]).enumerated() {
                if let set = step["serve"] as? String {
                    let json = try JSONSerialization.data(withJSONObject: try XCTUnwrap(keySets[set]))
                    let doc = String(decoding: json, as: UTF8.self)
                        .addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
                    try await OAuthMock.control("/__jwks_doc?id=\(id)&doc=\(doc)")
                    continue
                }
                let token = try XCTUnwrap(tokens[try XCTUnwrap(step["token"] as? String)])
                let request = AuthRequest(headers: [HttpHeader(name: "Authorization", value: "Bearer \(token)")])
                let got: String
                if step["path"] as? String == "sync" {
                    got = outcome(try auth.authenticate(request: request))
                } else {
                    got = outcome(try await auth.authenticateAsync(request: request))
                }
                XCTAssertEqual(got, step["expect"] as? String, "\(name): step \(i)")
                XCTAssertEqual(keys.fetchCount(), try XCTUnwrap(step["fetches"] as? UInt64), "\(name): step \(i) fetches")
                checked += 1
            }
        }
        XCTAssertGreaterThanOrEqual(checked, 25)
    }
}
