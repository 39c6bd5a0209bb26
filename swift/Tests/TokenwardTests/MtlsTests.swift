import Foundation
import XCTest
import Tokenward

/// Mutual TLS (RFC 8705): the shared vectors tests/vectors/mtls.json at the gateway, thumbprints,
/// client options.
final class MtlsTests: XCTestCase {
    private func load() throws -> [String: Any] {
        let data = try Data(contentsOf: TestVectors.url("mtls.json"))
        return try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    private func der(_ doc: [String: Any], _ name: String) throws -> Data {
        let certs = try XCTUnwrap(doc["certificates"] as? [String: String])
        return try XCTUnwrap(Data(base64Encoded: try XCTUnwrap(certs[name])))
    }

    private func pem(_ der: Data) -> Data {
        let b64 = der.base64EncodedString(options: [.lineLength64Characters, .endLineWithLineFeed])
        return Data("-----BEGIN CERTIFICATE-----\n\(b64)\n-----END CERTIFICATE-----\n".utf8)
    }

    private func authenticator(_ doc: [String: Any], mtls: Bool, strict: Bool = false,
                               dpop: Bool = false) throws -> Authenticator {
        let setup = try XCTUnwrap(doc["setup"] as? [String: Any])
        let now = try XCTUnwrap((setup["now"] as? NSNumber)?.doubleValue)
        let clock = ManualClock(now: Date(timeIntervalSince1970: now))
        let jwt = try XCTUnwrap(setup["jwt"] as? [String: Any])
        let secret = try XCTUnwrap(jwt["hmac_secret"] as? String)
        let verifier = try JwtVerifier.withKey(
            key: try JwtKey.hmac(secret: Data(secret.utf8), algorithm: .hs256),
            options: JwtVerifierOptions(algorithms: [.hs256], clock: clock)
        )
        let dpopVerifier = try dpop ? DpopVerifier(options: DpopVerifierOptions()) : nil
        return try Authenticator(options: AuthenticatorOptions(
            jwt: verifier,
            trustedProxies: try XCTUnwrap(setup["trusted_proxies"] as? [String]),
            clock: clock,
            dpop: dpopVerifier,
            mtlsBoundTokens: mtls && (setup["mtls_bound_tokens"] as? Bool ?? false),
            requireSenderConstrained: strict
        ))
    }

    func testMtlsVectors() throws {
        let doc = try load()
        let auth = try authenticator(doc, mtls: true)
        XCTAssertTrue(auth.headerNames().contains("client-cert"))
        for c in try XCTUnwrap(doc["cases"] as? [[String: Any]]) {
            try check(doc, auth, c)
        }
    }

    /// `requireSenderConstrained`: unbound access tokens are refused (a DPoP challenge with DPoP on).
    func testSenderConstrainedVectors() throws {
        let doc = try load()
        let section = try XCTUnwrap(doc["sender_constrained"] as? [String: Any])
        XCTAssertEqual(section["require_sender_constrained"] as? Bool, true)
        for c in try XCTUnwrap(section["cases"] as? [[String: Any]]) {
            let dpop = try XCTUnwrap(c["dpop"] as? Bool)
            try check(doc, try authenticator(doc, mtls: true, strict: true, dpop: dpop), c)
        }
        XCTAssertEqual(errorCode { _ = try self.authenticator(doc, mtls: false, strict: true) }, "invalid_input")
    }

    private func check(_ doc: [String: Any], _ auth: Authenticator, _ c: [String: Any]) throws {
        let certs = try XCTUnwrap(doc["certificates"] as? [String: String])
        let name = try XCTUnwrap(c["name"] as? String)
        let r = try XCTUnwrap(c["request"] as? [String: Any])
        let headers = try XCTUnwrap(r["headers"] as? [[String]]).map { h -> HttpHeader in
            var value = h[1]
            if value.hasPrefix("{client_cert:") {
                let cert = String(value.dropFirst("{client_cert:".count).dropLast())
                value = ":\(certs[cert] ?? ""):"
            }
            return HttpHeader(name: h[0], value: value)
        }
        var certificate: Data? = nil
        if let n = r["client_certificate"] as? String {
            certificate = n.hasSuffix("_pem") ? pem(try der(doc, String(n.dropLast(4)))) : try der(doc, n)
        }
        let request = AuthRequest(
            method: "GET", path: "/v1/things", headers: headers,
            clientIp: r["client_ip"] as? String, clientCertificate: certificate
        )
        let e = try XCTUnwrap(c["expect"] as? [String: Any])
        let status = (e["status"] as? NSNumber)?.intValue
        switch try auth.authenticate(request: request) {
        case .allowed:
            XCTAssertEqual(status, 200, "\(name): got a principal")
        case let .refused(refusal):
            XCTAssertEqual(Int(refusal.status), status, name)
            XCTAssertEqual(refusal.code.description, e["code"] as? String, name)
            XCTAssertEqual(refusal.error, e["error"] as? String, name)
            if let www = e["www_authenticate"] as? String {
                XCTAssertEqual(refusal.wwwAuthenticate, www, name)
            }
        }
    }

    func testThumbprints() throws {
        let doc = try load()
        for (name, thumb) in try XCTUnwrap(doc["thumbprints"] as? [String: String]) {
            XCTAssertEqual(try certificateThumbprint(certificate: try der(doc, name)), thumb)
            XCTAssertEqual(try certificateThumbprint(certificate: pem(try der(doc, name))), thumb)
        }
        XCTAssertEqual(errorCode { _ = try certificateThumbprint(certificate: Data("nope".utf8)) }, "malformed")
    }

    func testWithoutTheOptionABoundTokenIsABearerToken() throws {
        let doc = try load()
        let auth = try authenticator(doc, mtls: false)
        XCTAssertFalse(auth.headerNames().contains("client-cert"))
        let cases = try XCTUnwrap(doc["cases"] as? [[String: Any]])
        let r = try XCTUnwrap(cases[2]["request"] as? [String: Any])
        let h = try XCTUnwrap(r["headers"] as? [[String]])[0]
        guard case .allowed = try auth.authenticate(request: AuthRequest(headers: [HttpHeader(name: h[0], value: h[1])])) else {
            return XCTFail("a bound token without the option is a bearer token")
        }
    }

    func testClientCertificateOptionsAreChecked() throws {
        XCTAssertEqual(errorCode {
            _ = try OAuthClient(tokenUrl: "https://as.example/token", clientId: "app",
                                options: OAuthClientOptions(authMethod: .tlsClientAuth))
        }, "invalid_input")
        XCTAssertEqual(errorCode {
            _ = try ClientCertificate.fromPem(
                certificatePem: "nope",
                keyPem: try Secret(value: "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----"))
        }, "invalid_key")
        XCTAssertEqual(AuthMethod.selfSignedTlsClientAuth.description, "self_signed_tls_client_auth")
    }

    /// `tls_client_auth` against a real TLS server on loopback that requires a client
    /// certificate (tests/oauth/mtls-server.mjs, started by scripts/test-swift.sh before the
    /// chroot runs; it made the CA and the certificates): the certificate reaches the server on
    /// every call, and a certificate it does not trust fails the handshake.
    func testTlsClientAuthPresentsTheCertificate() async throws {
        let env = ProcessInfo.processInfo.environment
        guard let url = env["TOKENWARD_MTLS_URL"], !url.isEmpty, let dir = env["TOKENWARD_MTLS_DIR"] else {
            return XCTFail("TOKENWARD_MTLS_URL is not set: run scripts/test-swift.sh")
        }
        func read(_ name: String) throws -> String {
            try String(contentsOfFile: dir + "/" + name, encoding: .utf8)
        }
        let ca = try read("ca.pem")
        let clientPem = try read("client.pem")
        let identity = try ClientCertificate.fromPem(certificatePem: clientPem, keyPem: try Secret(value: try read("client-key.pem")))
        let client = try OAuthClient(
            tokenUrl: url + "/token", clientId: "app",
            options: OAuthClientOptions(introspectionUrl: url + "/introspect", clientCertificate: identity, caCertificates: ca))
        XCTAssertEqual(client.authMethod(), .tlsClientAuth)
        let expected = try certificateThumbprint(certificate: Data(clientPem.utf8))
        let token = try await client.clientCredentials().accessToken()
        XCTAssertEqual(token.expose(), "bound-to-\(expected)")
        let info = try await client.introspect(token: try Secret(value: token.expose()))
        XCTAssertTrue(info.active)
        XCTAssertFalse(String(describing: identity).contains("PRIVATE KEY"))
        XCTAssertFalse(String(describing: client).contains("PRIVATE KEY"))

        // A self-signed certificate the server does not know: the handshake fails.
        let stranger = try ClientCertificate.fromPem(
            certificatePem: try read("stranger.pem"), keyPem: try Secret(value: try read("stranger-key.pem")))
        let refused = try OAuthClient(
            tokenUrl: url + "/token", clientId: "app",
            options: OAuthClientOptions(clientCertificate: stranger, caCertificates: ca))
        let code = await asyncErrorCode { _ = try await refused.clientCredentials() }
        XCTAssertEqual(code, "network")
    }
}
