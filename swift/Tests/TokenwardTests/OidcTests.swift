import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import XCTest
import Tokenward

/// OpenID Connect ID tokens: the shared vectors tests/vectors/oidc.json (local keys), and ID
/// tokens minted by the real oauth2-mock-server, verified through the login flow.
final class OidcTests: XCTestCase {
    let redirect = "http://127.0.0.1:9/callback"

    private func code(_ body: () async throws -> Void) async -> String {
        (await asyncErrorCode(body)) ?? "ok"
    }

    func testIdTokenVectors() async throws {
        let data = try Data(contentsOf: TestVectors.url("oidc.json"))
        let v = try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let jwks = String(decoding: try JSONSerialization.data(withJSONObject: try XCTUnwrap(v["jwks"])), as: UTF8.self)
        let keys = try KeySet.fromJwks(json: jwks)
        let cases = try XCTUnwrap(v["cases"] as? [[String: Any]])
        XCTAssertGreaterThanOrEqual(cases.count, 30)
        for c in cases {
            let opts = c["options"] as? [String: Any] ?? [:]
            let algs = (opts["algorithms"] as? [String])?.compactMap { try? algorithmFromString(name: $0) }
            let verifier = try IdTokenVerifier(issuer: v["issuer"] as! String,
                                               clientId: opts["client_id"] as? String ?? v["client_id"] as! String,
                                               keys: keys, options: IdTokenVerifierOptions(algorithms: algs))
            let ch = c["checks"] as? [String: Any] ?? [:]
            let checks = IdTokenChecks(
                nonce: ch["nonce"] as? String,
                maxAge: (ch["max_age"] as? Int).map { TimeInterval($0) },
                accessToken: try (ch["access_token"] as? String).map { try Secret(value: $0) },
                code: try (ch["code"] as? String).map { try Secret(value: $0) })
            let token = c["token"] as! String
            let got = await code { _ = try await verifier.verify(idToken: token, checks: checks) }
            XCTAssertEqual(got, c["expect"] as? String, c["name"] as? String ?? "")
        }
    }

    func testRealIdTokensVerifyAndRefusalsHaveCodes() async throws {
        try await OAuthMock.control("/__reset")
        let client = try await OAuthClient.discover(issuerUrl: try OAuthMock.issuer(), clientId: "swift-app",
                                                    options: OAuthClientOptions(authMethod: .publicClient))
        let verifier = try IdTokenVerifier.forClient(client: client)
        XCTAssertEqual(verifier.algorithms(), [.rs256])
        let flow = try AuthorizationFlow(client: client, redirectUri: redirect,
                                         options: AuthorizationFlowOptions(scopes: ["openid"]))
        let (_, answer) = try await OAuthMock.send(URLRequest(url: URL(string: flow.authorizationUrl())!))
        let tokens = try await flow.complete(redirectUrl: try XCTUnwrap(answer.value(forHTTPHeaderField: "Location")))
        let claims = try JSONSerialization.jsonObject(with: Data(try XCTUnwrap(tokens.idTokenClaimsJson()).utf8)) as? [String: Any]
        XCTAssertEqual(claims?["sub"] as? String, "johndoe")
        XCTAssertEqual(claims?["nonce"] as? String, flow.nonce())

        let idToken = try XCTUnwrap(tokens.idToken()).expose()
        var got = await code { _ = try await verifier.verify(idToken: idToken, checks: IdTokenChecks(nonce: flow.nonce())) }
        XCTAssertEqual(got, "ok")
        got = await code { _ = try await verifier.verify(idToken: idToken, checks: IdTokenChecks(nonce: "not-the-nonce")) }
        XCTAssertEqual(got, "invalid_nonce")
        let otherClient = try await OAuthClient.discover(issuerUrl: try OAuthMock.issuer(), clientId: "other-app",
                                                         options: OAuthClientOptions(authMethod: .publicClient))
        let other = try IdTokenVerifier.forClient(client: otherClient)
        got = await code { _ = try await other.verify(idToken: idToken) }
        XCTAssertEqual(got, "invalid_audience")

        try await OAuthMock.control("/__id_token_ttl?seconds=-600")
        let late = try AuthorizationFlow(client: client, redirectUri: redirect,
                                         options: AuthorizationFlowOptions(scopes: ["openid"]))
        let (_, lateAnswer) = try await OAuthMock.send(URLRequest(url: URL(string: late.authorizationUrl())!))
        let lateAt = try XCTUnwrap(lateAnswer.value(forHTTPHeaderField: "Location"))
        got = await code { _ = try await late.complete(redirectUrl: lateAt) }
        XCTAssertEqual(got, "expired")
    }
}
