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

    private func authenticator(_ doc: [String: Any], mtls: Bool) throws -> Authenticator {
        let setup = try XCTUnwrap(doc["setup"] as? [String: Any])
        let now = try XCTUnwrap((setup["now"] as? NSNumber)?.doubleValue)
        let clock = ManualClock(now: Date(timeIntervalSince1970: now))
        let jwt = try XCTUnwrap(setup["jwt"] as? [String: Any])
        let secret = try XCTUnwrap(jwt["hmac_secret"] as? String)
        let verifier = try JwtVerifier.withKey(
            key: try JwtKey.hmac(secret: Data(secret.utf8), algorithm: .hs256),
            options: JwtVerifierOptions(algorithms: [.hs256], clock: clock)
        )
        return try Authenticator(options: AuthenticatorOptions(
            jwt: verifier,
            trustedProxies: try XCTUnwrap(setup["trusted_proxies"] as? [String]),
            clock: clock,
            mtlsBoundTokens: mtls && (setup["mtls_bound_tokens"] as? Bool ?? false)
        ))
    }

    func testMtlsVectors() throws {
        let doc = try load()
        let auth = try authenticator(doc, mtls: true)
        XCTAssertTrue(auth.headerNames().contains("client-cert"))
        let certs = try XCTUnwrap(doc["certificates"] as? [String: String])
        for c in try XCTUnwrap(doc["cases"] as? [[String: Any]]) {
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
}
