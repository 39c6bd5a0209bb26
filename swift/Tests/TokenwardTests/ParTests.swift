import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import XCTest
import Tokenward

/// Pushed authorization requests (RFC 9126) against the real oauth2-mock-server, whose PAR
/// endpoint comes from tests/oauth/par.mjs: `AuthorizationFlow.start` pushes the parameters with
/// client authentication, the authorization URL carries client_id and request_uri only, the
/// login goes through it, and refusals carry their codes.
final class ParTests: XCTestCase {
    let redirect = "http://127.0.0.1:9/callback"

    override func setUp() async throws {
        try await OAuthMock.control("/__reset")
    }

    private func follow(_ url: String) async throws -> String {
        let (_, answer) = try await OAuthMock.send(URLRequest(url: URL(string: url)!))
        XCTAssertEqual(answer.statusCode, 302)
        return try XCTUnwrap(answer.value(forHTTPHeaderField: "Location"))
    }

    func testPushedLoginWithClientAuthenticationAndDpopJkt() async throws {
        let key = try DpopKey.generate(algorithm: .es256)
        let client = try await OAuthClient.discover(
            issuerUrl: try OAuthMock.issuer(), clientId: "swift-app",
            options: OAuthClientOptions(clientSecret: try Secret(value: "swift-secret"), dpopKey: key))
        let flow = try await AuthorizationFlow.start(
            client: client, redirectUri: redirect, options: AuthorizationFlowOptions(scopes: ["openid"]))
        let requestUri = try XCTUnwrap(flow.requestUri())
        XCTAssertTrue(requestUri.hasPrefix("urn:ietf:params:oauth:request_uri:"))
        let names = (URLComponents(string: flow.authorizationUrl())?.queryItems ?? []).map(\.name)
        XCTAssertEqual(names, ["client_id", "request_uri"])
        let last = try await OAuthMock.control("/__par_last")
        XCTAssertEqual(last["auth"] as? String, "basic")
        let params = try XCTUnwrap(last["params"] as? [String: Any])
        XCTAssertEqual(params["state"] as? String, flow.state())
        XCTAssertEqual(params["nonce"] as? String, flow.nonce())
        XCTAssertEqual(params["dpop_jkt"] as? String, key.thumbprint())
        let location = try await follow(flow.authorizationUrl())
        let tokens = try await flow.complete(redirectUrl: location)
        XCTAssertTrue(tokens.accessToken().isDpop())
        XCTAssertNil(try AuthorizationFlow(client: client, redirectUri: redirect).requestUri())
    }

    func testRequiredPushingAndRefusals() async throws {
        try await OAuthMock.control("/__par?mode=require")
        let issuer = try OAuthMock.issuer()
        let client = try await OAuthClient.discover(
            issuerUrl: issuer, clientId: "swift-app", options: OAuthClientOptions(authMethod: .publicClient))
        XCTAssertEqual(errorCode { _ = try AuthorizationFlow(client: client, redirectUri: self.redirect) }, "invalid_input")
        let flow = try await AuthorizationFlow.start(client: client, redirectUri: redirect)
        let auth = try await OAuthMock.control("/__par_last")["auth"] as? String
        XCTAssertEqual(auth, "none")
        let location = try await follow(flow.authorizationUrl())
        _ = try await flow.complete(redirectUrl: location)

        let plain = try OAuthClient(
            tokenUrl: issuer + "/token", clientId: "swift-app",
            options: OAuthClientOptions(authMethod: .publicClient, authorizationUrl: issuer + "/authorize"))
        var code = await asyncErrorCode {
            _ = try await AuthorizationFlow.start(
                client: plain, redirectUri: self.redirect,
                options: AuthorizationFlowOptions(requirePushedAuthorization: true))
        }
        XCTAssertEqual(code, "invalid_input")
        try await OAuthMock.control("/__par?mode=error")
        code = await asyncErrorCode { _ = try await AuthorizationFlow.start(client: client, redirectUri: self.redirect) }
        XCTAssertEqual(code, "invalid_input")
        try await OAuthMock.control("/__par?mode=no_request_uri")
        code = await asyncErrorCode { _ = try await AuthorizationFlow.start(client: client, redirectUri: self.redirect) }
        XCTAssertEqual(code, "invalid_response")
        try await OAuthMock.control("/__par?mode=ok")
        code = await asyncErrorCode {
            _ = try await AuthorizationFlow.start(
                client: client, redirectUri: self.redirect,
                options: AuthorizationFlowOptions(pushedAuthorizationUrl: "http://as.example/par"))
        }
        XCTAssertEqual(code, "invalid_input")
    }

    /// FAPI 2.0 / RFC 7523bis: a known issuer (discovered or configured) is the assertion's sole audience.
    func testPrivateKeyJwtAssertionsNameTheIssuer() async throws {
        let key = try JwtKey.generate(algorithm: .es256)
        let issuer = try OAuthMock.issuer()
        let discovered = try await OAuthClient.discover(
            issuerUrl: issuer, clientId: "swift-app", options: OAuthClientOptions(privateKey: key))
        XCTAssertEqual(discovered.authMethod(), .privateKeyJwt)
        XCTAssertEqual(discovered.issuer(), issuer)
        _ = try await AuthorizationFlow.start(client: discovered, redirectUri: redirect, options: AuthorizationFlowOptions())
        var last = try await OAuthMock.control("/__par_last")
        XCTAssertEqual(last["assertion_aud"] as? String, issuer)
        let pushed = AuthorizationFlowOptions(pushedAuthorizationUrl: issuer + "/par")
        let configured = try OAuthClient(
            tokenUrl: issuer + "/token", clientId: "swift-app",
            options: OAuthClientOptions(privateKey: key, authorizationUrl: issuer + "/authorize", issuer: "https://as.example"))
        XCTAssertEqual(configured.issuer(), "https://as.example")
        _ = try await AuthorizationFlow.start(client: configured, redirectUri: redirect, options: pushed)
        last = try await OAuthMock.control("/__par_last")
        XCTAssertEqual(last["assertion_aud"] as? String, "https://as.example")
        let plain = try OAuthClient(
            tokenUrl: issuer + "/token", clientId: "swift-app",
            options: OAuthClientOptions(privateKey: key, authorizationUrl: issuer + "/authorize"))
        XCTAssertNil(plain.issuer())
        _ = try await AuthorizationFlow.start(client: plain, redirectUri: redirect, options: pushed)
        last = try await OAuthMock.control("/__par_last")
        XCTAssertEqual(last["assertion_aud"] as? String, issuer + "/token")
    }
}
