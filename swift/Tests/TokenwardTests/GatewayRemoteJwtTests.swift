import Foundation
import XCTest
import Tokenward

/// The gateway on rotating keys: `AuthenticatorOptions(remoteJwt: …)` against the real mock server.
final class GatewayRemoteJwtTests: XCTestCase {
    override func setUp() async throws {
        try await OAuthMock.control("/__reset")
    }

    private func kid(_ token: String) -> String? {
        var b64 = String(token.split(separator: ".")[0])
            .replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while b64.count % 4 != 0 { b64 += "=" }
        guard let data = Data(base64Encoded: b64),
              let header = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return nil }
        return header["kid"] as? String
    }

    private func request(_ token: String) -> AuthRequest {
        AuthRequest(headers: [HttpHeader(name: "Authorization", value: "Bearer \(token)")])
    }

    private func outcome(_ d: AuthDecision) -> String {
        switch d {
        case let .allowed(p):
            XCTAssertEqual(p.kind, .jwt)
            return "ok"
        case let .refused(r):
            return "\(r.code.description)/\(r.status)"
        }
    }

    func testAKeyRotatedAtTheProviderIsPickedUpThroughAuthenticateAsync() async throws {
        let issuer = try OAuthMock.issuer()
        let client = try await OAuthClient.discover(
            issuerUrl: issuer, clientId: "swift-client",
            options: OAuthClientOptions(clientSecret: try Secret(value: "swift-secret")))
        func token() async throws -> String {
            try await client.clientCredentials(scopes: ["read"]).accessToken().expose()
        }
        let keys = try await RemoteKeySet.discover(issuerUrl: issuer, options: RemoteKeySetOptions(cooldown: 0))
        XCTAssertEqual(keys.issuer(), issuer)
        // No issuer named: the discovered one is enforced.
        let verifier = try RemoteJwtVerifier(keys: keys, options: JwtVerifierOptions(algorithms: [.rs256]))
        let auth = try Authenticator(options: AuthenticatorOptions(remoteJwt: verifier))
        XCTAssertTrue(auth.hasRemoteJwt())
        XCTAssertFalse(auth.hasIntrospection())
        func sync(_ t: String) throws -> String { outcome(try auth.authenticate(request: request(t))) }
        func later(_ t: String) async throws -> String { outcome(try await auth.authenticateAsync(request: request(t))) }

        let first = try await token()
        // The synchronous path never fetches: nothing is cached yet.
        XCTAssertEqual(try sync(first), "invalid_input/500")
        XCTAssertEqual(keys.fetchCount(), 0)
        let firstAsync = try await later(first)
        XCTAssertEqual(firstAsync, "ok")
        XCTAssertEqual(keys.fetchCount(), 1)
        XCTAssertEqual(try sync(first), "ok")

        try await OAuthMock.control("/__rotate_keys")
        let second = try await token()
        XCTAssertNotEqual(kid(first), kid(second))
        XCTAssertEqual(try sync(second), "invalid_input/500")
        XCTAssertEqual(keys.fetchCount(), 1, "the synchronous path made a request")
        let secondAsync = try await later(second)
        XCTAssertEqual(secondAsync, "ok")
        XCTAssertEqual(keys.fetchCount(), 2)
        XCTAssertEqual(try sync(second), "ok")
        XCTAssertEqual(try sync(first), "ok")

        try await OAuthMock.control("/__token_iss?value=https://other.example")
        let foreign = try await later(try await token())
        XCTAssertEqual(foreign, "invalid_issuer/401")
    }

    func testAVerifierNamingAnotherIssuerThanDiscoveryIsRefused() async throws {
        let issuer = try OAuthMock.issuer()
        let keys = try await RemoteKeySet.discover(issuerUrl: issuer)
        let code = errorCode {
            _ = try RemoteJwtVerifier(
                keys: keys, options: JwtVerifierOptions(algorithms: [.rs256], issuers: ["https://other.example"]))
        }
        XCTAssertEqual(code, "invalid_input")
        _ = try RemoteJwtVerifier(keys: keys, options: JwtVerifierOptions(algorithms: [.rs256], issuers: [issuer]))
    }
}
