import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import XCTest
import Tokenward

/// The URLSession hook against the real oauth2-mock-server and its protected resource `/__api`,
/// which accepts only the access tokens issued since the last `/__api_revoke`
/// (tests/oauth/mock-server.mjs).
final class HttpHooksTests: XCTestCase {
    func testTokenRejectedIsTheCoreRule() {
        XCTAssertTrue(tokenRejected(status: 401, wwwAuthenticate: "Bearer realm=\"api\", error=\"invalid_token\""))
        XCTAssertTrue(tokenRejected(status: 401, wwwAuthenticate: nil))
        XCTAssertFalse(tokenRejected(status: 401, wwwAuthenticate: "Bearer error=\"insufficient_scope\""))
        XCTAssertFalse(tokenRejected(status: 401, wwwAuthenticate: "Basic realm=\"x\""))
        XCTAssertFalse(tokenRejected(status: 403, wwwAuthenticate: "Bearer error=\"invalid_token\""))
        XCTAssertFalse(tokenRejected(status: 70000, wwwAuthenticate: nil))
    }

    func testURLSessionAuthorizesAndRetriesOnceAfterARejection() async throws {
        try await OAuthMock.control("/__reset")
        let client = try await OAuthClient.discover(
            issuerUrl: try OAuthMock.issuer(), clientId: "swift-client",
            options: OAuthClientOptions(clientSecret: try Secret(value: "swift-secret")))
        let source = try TokenSource.clientCredentials(client: client, scopes: ["read"])
        let session = URLSession(configuration: .ephemeral)
        let api = URL(string: try OAuthMock.issuer() + "/__api")!
        func post(_ body: String) async throws -> (Int, [String: Any]) {
            var request = URLRequest(url: api)
            request.httpMethod = "POST"
            request.httpBody = Data(body.utf8)
            let (data, response) = try await session.data(for: request, tokenSource: source)
            let json = (try? JSONSerialization.jsonObject(with: data) as? [String: Any]) ?? [:]
            return ((response as! HTTPURLResponse).statusCode, json)
        }
        let tokens0 = try await OAuthMock.count("token")
        let api0 = try await OAuthMock.count("__api")

        var (status, json) = try await post("payload")
        XCTAssertEqual(status, 200)
        XCTAssertEqual(json["body"] as? String, "payload")
        let used = try await source.token()
        XCTAssertEqual(used.authorizationHeader(), "Bearer \(used.expose())")

        try await OAuthMock.control("/__api_revoke")
        (status, json) = try await post("again")
        XCTAssertEqual(status, 200)
        XCTAssertEqual(json["body"] as? String, "again")
        var tokens = try await OAuthMock.count("token")
        var calls = try await OAuthMock.count("__api")
        XCTAssertEqual(tokens, tokens0 + 2)
        XCTAssertEqual(calls, api0 + 3)
        let refreshed = try await source.token()
        XCTAssertNotEqual(refreshed.fingerprint(), used.fingerprint())

        try await OAuthMock.control("/__api_error?all=1")
        (status, _) = try await post("x")
        XCTAssertEqual(status, 401)
        try await OAuthMock.control("/__api_error?error=insufficient_scope&all=1")
        (status, _) = try await post("x")
        XCTAssertEqual(status, 401)
        tokens = try await OAuthMock.count("token")
        calls = try await OAuthMock.count("__api")
        XCTAssertEqual(tokens, tokens0 + 3)
        XCTAssertEqual(calls, api0 + 6)
        try await OAuthMock.control("/__reset")
        source.close()
    }
}
