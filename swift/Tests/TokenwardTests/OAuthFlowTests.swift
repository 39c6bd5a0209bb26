import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import XCTest
import Tokenward

/// The app login flow (AuthorizationFlow) against the real oauth2-mock-server: its /authorize
/// signs the user in at once and redirects with a code (and RFC 9207 `iss`); the test follows the
/// authorization URL with URLSession (no redirect following), as the browser would.
final class OAuthFlowTests: XCTestCase {
    let redirect = "http://127.0.0.1:9/callback"

    override func setUp() async throws {
        try await OAuthMock.control("/__reset")
    }

    private func client() async throws -> OAuthClient {
        try await OAuthClient.discover(issuerUrl: try OAuthMock.issuer(), clientId: "swift-app",
                                       options: OAuthClientOptions(authMethod: .publicClient))
    }

    private func newFlow(_ client: OAuthClient) throws -> AuthorizationFlow {
        try AuthorizationFlow(client: client, redirectUri: redirect,
                              options: AuthorizationFlowOptions(scopes: ["openid", "profile"]))
    }

    private func follow(_ url: String) async throws -> String {
        let (_, answer) = try await OAuthMock.send(URLRequest(url: URL(string: url)!))
        XCTAssertEqual(answer.statusCode, 302)
        return try XCTUnwrap(answer.value(forHTTPHeaderField: "Location"))
    }

    func testLoginFlowGetsTokens() async throws {
        let flow = try newFlow(try await client())
        let items = URLComponents(string: flow.authorizationUrl())?.queryItems ?? []
        let q = Dictionary(items.map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { a, _ in a })
        XCTAssertEqual(q["state"], flow.state())
        XCTAssertEqual(q["nonce"], flow.nonce())
        XCTAssertEqual(q["code_challenge_method"], "S256")
        // The query is form-encoded (a space is `+`), which URLComponents does not decode.
        XCTAssertEqual(q["scope"]?.replacingOccurrences(of: "+", with: " "), "openid profile")
        let location = try await follow(flow.authorizationUrl())
        XCTAssertTrue(location.contains("iss="))
        let tokens = try await flow.complete(redirectUrl: location)
        XCTAssertNotNil(tokens.refreshToken())
        var payload = try XCTUnwrap(tokens.idToken()?.expose().split(separator: ".").dropFirst().first)
            .replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while payload.count % 4 != 0 { payload += "=" }
        let claims = try JSONSerialization.jsonObject(with: try XCTUnwrap(Data(base64Encoded: payload))) as? [String: Any]
        XCTAssertEqual(claims?["nonce"] as? String, flow.nonce())
        let n = try await OAuthMock.count("token")
        XCTAssertEqual(n, 1)
        XCTAssertFalse(flow.description.contains(flow.state()))
    }

    func testRefusalsComeWithCodes() async throws {
        let client = try await client()
        let first = try newFlow(client)
        let second = try newFlow(client)
        let other = try await follow(second.authorizationUrl())
        var code = await asyncErrorCode { _ = try await first.complete(redirectUrl: other) }
        XCTAssertEqual(code, "invalid_state")

        try await OAuthMock.control("/__authorize_error?error=access_denied")
        let denied = try newFlow(client)
        let deniedAt = try await follow(denied.authorizationUrl())
        code = await asyncErrorCode { _ = try await denied.complete(redirectUrl: deniedAt) }
        XCTAssertEqual(code, "access_denied")

        try await OAuthMock.control("/__authorize_iss?value=https%3A%2F%2Fevil.example")
        let mixed = try newFlow(client)
        let mixedAt = try await follow(mixed.authorizationUrl())
        code = await asyncErrorCode { _ = try await mixed.complete(redirectUrl: mixedAt) }
        XCTAssertEqual(code, "invalid_issuer")

        let n = try await OAuthMock.count("token")
        XCTAssertEqual(n, 0)
    }

    func testNeedsAnAuthorizationEndpoint() throws {
        let bare = try OAuthClient(tokenUrl: "https://as.example/token", clientId: "app",
                                   options: OAuthClientOptions(authMethod: .publicClient))
        XCTAssertEqual(errorCode { _ = try AuthorizationFlow(client: bare, redirectUri: self.redirect) }, "invalid_input")
    }
}
