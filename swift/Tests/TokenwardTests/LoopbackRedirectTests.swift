import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import XCTest
import Tokenward

/// The loopback redirect of a desktop or command-line login (RFC 8252 §7.3) against the real
/// oauth2-mock-server: the test plays the browser, following the authorization URL (the mock's
/// /authorize redirects with a code) to the loopback listener, which completes the flow.
final class LoopbackRedirectTests: XCTestCase {
    override func setUp() async throws {
        try await OAuthMock.control("/__reset")
    }

    private func client() async throws -> OAuthClient {
        try await OAuthClient.discover(issuerUrl: try OAuthMock.issuer(), clientId: "swift-cli",
                                       options: OAuthClientOptions(authMethod: .publicClient))
    }

    private func get(_ url: String) async throws -> (Data, HTTPURLResponse) {
        try await OAuthMock.send(URLRequest(url: URL(string: url)!))
    }

    func testACliLoginCompletesThroughTheLoopbackListener() async throws {
        let redirect = try LoopbackRedirect()
        XCTAssertEqual(redirect.redirectUri(), "http://127.0.0.1:\(redirect.port())/callback")
        let flow = try AuthorizationFlow(client: try await client(), redirectUri: redirect.redirectUri(),
                                         options: AuthorizationFlowOptions(scopes: ["openid"]))
        let waiting = Task { try await redirect.complete(flow: flow, timeout: 10) }
        let (_, favicon) = try await get("http://127.0.0.1:\(redirect.port())/favicon.ico")
        XCTAssertEqual(favicon.statusCode, 404)
        let (_, authorize) = try await get(flow.authorizationUrl())
        XCTAssertEqual(authorize.statusCode, 302)
        let location = try XCTUnwrap(authorize.value(forHTTPHeaderField: "Location"))
        XCTAssertTrue(location.hasPrefix(redirect.redirectUri() + "?"))
        let (body, page) = try await get(location)
        XCTAssertEqual(page.statusCode, 200)
        XCTAssertTrue(String(decoding: body, as: UTF8.self).contains("close this window"))
        let tokens = try await waiting.value
        XCTAssertFalse(tokens.accessToken().expose().isEmpty)
        XCTAssertNotNil(tokens.idToken())
        XCTAssertFalse(String(describing: redirect).contains(flow.state()))
        // The listener is closed: a second request is refused, a second wait too.
        var refused = false
        do { _ = try await get(redirect.redirectUri() + "?code=again") } catch { refused = true }
        XCTAssertTrue(refused)
        let again = await asyncErrorCode { _ = try await redirect.complete(flow: flow, timeout: 0.1) }
        XCTAssertEqual(again, "invalid_input")
    }

    func testNoRedirectInTimeIsATimeout() async throws {
        let redirect = try LoopbackRedirect()
        let flow = try AuthorizationFlow(client: try await client(), redirectUri: redirect.redirectUri(),
                                         options: AuthorizationFlowOptions())
        let code = await asyncErrorCode { _ = try await redirect.complete(flow: flow, timeout: 0.2) }
        XCTAssertEqual(code, "timeout")
    }
}
