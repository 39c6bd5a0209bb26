import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import XCTest
import Tokenward

/// The DPoP client (RFC 9449) against the real oauth2-mock-server, whose token endpoint and
/// protected resource `/__dpop_api` verify proofs with `jose` (tests/oauth/dpop.mjs): proofs on
/// token requests, the nonce challenge answered once and not twice, DPoP-bound tokens sent by
/// the URLSession hook, bearer tokens unchanged, refusal codes, `dpop_jkt` in the flow.
final class DpopClientTests: XCTestCase {
    override func setUp() async throws {
        try await OAuthMock.control("/__reset")
    }

    private func client(_ key: DpopKey?) async throws -> OAuthClient {
        try await OAuthClient.discover(
            issuerUrl: try OAuthMock.issuer(), clientId: "swift-client",
            options: OAuthClientOptions(clientSecret: try Secret(value: "swift-secret"), dpopKey: key))
    }

    private func claims(_ jwt: String) -> [String: Any] {
        var part = String(jwt.split(separator: ".")[1])
            .replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while part.count % 4 != 0 { part += "=" }
        let data = Data(base64Encoded: part) ?? Data()
        return (try? JSONSerialization.jsonObject(with: data) as? [String: Any]) ?? [:]
    }

    func testTokenRequestsCarryProofsAndDpopTokensAreBound() async throws {
        for alg in [Algorithm.es256, Algorithm.edDsa] {
            let key = try DpopKey.generate(algorithm: alg)
            let c = try await client(key)
            let token = try await c.clientCredentials(scopes: ["read"]).accessToken()
            XCTAssertTrue(token.isDpop())
            XCTAssertEqual(token.tokenType(), "DPoP")
            XCTAssertEqual((claims(token.expose())["cnf"] as? [String: Any])?["jkt"] as? String, key.thumbprint())
            let headers = try token.requestHeaders(method: "GET", url: "https://api.example/x?q=1")
            XCTAssertEqual(headers["Authorization"], "DPoP \(token.expose())")
            let proof = claims(headers["DPoP"] ?? "")
            XCTAssertEqual(proof["htu"] as? String, "https://api.example/x")
            XCTAssertNotNil(proof["ath"])
            let refreshed = try await c.refresh(refreshToken: try Secret(value: "some-refresh"))
            XCTAssertTrue(refreshed.accessToken().isDpop())
        }
    }

    func testNonceChallengeIsAnsweredOnceAndNotTwice() async throws {
        let c = try await client(try DpopKey.generate(algorithm: .es256))
        try await OAuthMock.control("/__dpop_nonce?token=require")
        let t0 = try await OAuthMock.count("token")
        let first = try await c.clientCredentials().accessToken()
        XCTAssertTrue(first.isDpop())
        var tokens = try await OAuthMock.count("token")
        XCTAssertEqual(tokens, t0 + 2)
        _ = try await c.clientCredentials()
        tokens = try await OAuthMock.count("token")
        XCTAssertEqual(tokens, t0 + 3)
        try await OAuthMock.control("/__dpop_nonce?token=always")
        let code = await asyncErrorCode { _ = try await c.clientCredentials() }
        XCTAssertEqual(code, "use_dpop_nonce")
        tokens = try await OAuthMock.count("token")
        XCTAssertEqual(tokens, t0 + 5)
    }

    func testRetryActionIsTheCoreRule() {
        let nonce = "DPoP error=\"use_dpop_nonce\""
        XCTAssertEqual(retryAction(status: 401, wwwAuthenticate: nonce, dpopNonce: "n-1"), .retryWithNonce(nonce: "n-1"))
        XCTAssertEqual(retryAction(status: 401, wwwAuthenticate: nonce, dpopNonce: nil), .noRetry)
        XCTAssertEqual(retryAction(status: 401, wwwAuthenticate: nil, dpopNonce: nil), .refreshAndRetry)
        XCTAssertEqual(retryAction(status: 200, wwwAuthenticate: nonce, dpopNonce: "n"), .noRetry)
    }

    func testURLSessionSendsDpopTokensAndAnswersTheNonceChallenge() async throws {
        let source = try TokenSource.clientCredentials(client: try await client(try DpopKey.generate(algorithm: .es256)),
                                                       scopes: ["read"])
        let session = URLSession(configuration: .ephemeral)
        let api = URL(string: try OAuthMock.issuer() + "/__dpop_api?page=2")!
        func post(_ body: String) async throws -> (Int, [String: Any]) {
            var request = URLRequest(url: api)
            request.httpMethod = "POST"
            request.httpBody = Data(body.utf8)
            let (data, response) = try await session.data(for: request, tokenSource: source)
            let json = (try? JSONSerialization.jsonObject(with: data) as? [String: Any]) ?? [:]
            return ((response as! HTTPURLResponse).statusCode, json)
        }
        let a0 = try await OAuthMock.count("__dpop_api")
        var (status, json) = try await post("a")
        XCTAssertEqual(status, 200)
        try await OAuthMock.control("/__dpop_nonce?api=require")
        (status, json) = try await post("b")
        XCTAssertEqual(status, 200)
        XCTAssertEqual(json["body"] as? String, "b")
        var calls = try await OAuthMock.count("__dpop_api")
        XCTAssertEqual(calls, a0 + 3)
        try await OAuthMock.control("/__dpop_nonce?api=always")
        (status, _) = try await post("c")
        XCTAssertEqual(status, 401)
        calls = try await OAuthMock.count("__dpop_api")
        XCTAssertEqual(calls, a0 + 5)
        source.close()
    }

    func testBearerStaysBearerAndRefusalsHaveCodes() async throws {
        let plain = try await client(nil)
        let token = try await plain.clientCredentials().accessToken()
        XCTAssertFalse(token.isDpop())
        XCTAssertEqual(try token.requestHeaders(method: "GET", url: "https://api.example/"),
                       ["Authorization": "Bearer \(token.expose())"])
        try await OAuthMock.control("/__dpop_token_type")
        var code = await asyncErrorCode { _ = try await plain.clientCredentials() }
        XCTAssertEqual(code, "invalid_response")
        let c = try await client(try DpopKey.generate(algorithm: .es256))
        for error in ["invalid_dpop_proof", "use_dpop_nonce"] {
            try await OAuthMock.control("/__next_error?error=\(error)&status=400")
            code = await asyncErrorCode { _ = try await c.clientCredentials() }
            XCTAssertEqual(code, error)
        }
        let bound = try await c.clientCredentials().accessToken()
        XCTAssertEqual(errorCode { _ = try bound.requestHeaders(method: "GET", url: "/relative") }, "invalid_input")
    }

    func testAuthorizationFlowSendsDpopJkt() async throws {
        let key = try DpopKey.generate(algorithm: .es256)
        let c = try await OAuthClient.discover(
            issuerUrl: try OAuthMock.issuer(), clientId: "swift-app",
            options: OAuthClientOptions(authMethod: .publicClient, dpopKey: key))
        let flow = try AuthorizationFlow(client: c, redirectUri: "http://127.0.0.1:9/callback",
                                         options: AuthorizationFlowOptions(scopes: ["profile"]))
        let items = URLComponents(string: flow.authorizationUrl())?.queryItems ?? []
        XCTAssertEqual(items.first { $0.name == "dpop_jkt" }?.value, key.thumbprint())
        let (_, answer) = try await OAuthMock.send(URLRequest(url: URL(string: flow.authorizationUrl())!))
        XCTAssertEqual(answer.statusCode, 302)
        let location = try XCTUnwrap(answer.value(forHTTPHeaderField: "Location"))
        let tokens = try await flow.complete(redirectUrl: location)
        XCTAssertTrue(tokens.accessToken().isDpop())
    }

    /// RFC 9449 section 8.2: a `DPoP-Nonce` on a 200 (token endpoint or resource) goes into the next proof.
    func testNoncesSentOnSuccessfulAnswersAreUsedNext() async throws {
        let c = try await client(try DpopKey.generate(algorithm: .es256))
        try await OAuthMock.control("/__dpop_nonce?token=advertise&api=advertise")
        _ = try await c.clientCredentials()
        var seen = try await OAuthMock.control("/__dpop_last")
        var sent = try XCTUnwrap((seen["advertised"] as? [String: Any])?["token"] as? String)
        _ = try await c.clientCredentials()
        seen = try await OAuthMock.control("/__dpop_last")
        XCTAssertEqual((seen["token"] as? [String: Any])?["nonce"] as? String, sent)
        let source = try TokenSource.clientCredentials(client: c)
        let session = URLSession(configuration: .ephemeral)
        let request = URLRequest(url: URL(string: try OAuthMock.issuer() + "/__dpop_api")!)
        var (_, response) = try await session.data(for: request, tokenSource: source)
        XCTAssertEqual((response as! HTTPURLResponse).statusCode, 200)
        seen = try await OAuthMock.control("/__dpop_last")
        sent = try XCTUnwrap((seen["advertised"] as? [String: Any])?["api"] as? String)
        (_, response) = try await session.data(for: request, tokenSource: source)
        XCTAssertEqual((response as! HTTPURLResponse).statusCode, 200)
        seen = try await OAuthMock.control("/__dpop_last")
        XCTAssertEqual((seen["api"] as? [String: Any])?["nonce"] as? String, sent)
        source.close()
    }
}
