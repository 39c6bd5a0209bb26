import Foundation
import XCTest
import Tokenward

/// DPoP (RFC 9449): the shared vectors tests/vectors/dpop.json, keys, proofs and the gateway.
final class DpopTests: XCTestCase {
    let url = "https://api.example/orders"

    private func load() throws -> [String: Any] {
        let data = try Data(contentsOf: TestVectors.url("dpop.json"))
        return try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    func testProofVectors() throws {
        let v = try load()
        let conf = try XCTUnwrap(v["verifier"] as? [String: Any])
        let algs = try (conf["algorithms"] as! [String]).map { try algorithmFromString(name: $0) }
        let now = Date(timeIntervalSince1970: TimeInterval(v["now"] as! Int))
        let cases = try XCTUnwrap(v["cases"] as? [[String: Any]])
        XCTAssertGreaterThanOrEqual(cases.count, 40)
        for c in cases {
            let verifier = try DpopVerifier(options: DpopVerifierOptions(
                algorithms: algs,
                maxAge: TimeInterval(conf["max_age"] as! Int),
                leeway: TimeInterval(conf["leeway"] as! Int),
                clock: ManualClock(now: now)))
            let checks = DpopChecks(accessToken: c["access_token"] as? String, jkt: c["jkt"] as? String)
            let run = {
                errorCode {
                    _ = try verifier.verify(proof: c["proof"] as! String, method: c["method"] as! String,
                                            url: c["url"] as! String, checks: checks)
                } ?? "ok"
            }
            XCTAssertEqual(run(), c["expect"] as? String, c["name"] as? String ?? "")
            if let again = c["expect_again"] as? String {
                XCTAssertEqual(run(), again, c["name"] as? String ?? "")
            }
        }
    }

    func testVectorKeysImportWithTheirThumbprints() throws {
        for k in try XCTUnwrap(try load()["keys"] as? [[String: Any]]) {
            let key = try DpopKey.fromPrivateKey(pem: k["private_key"] as! String)
            XCTAssertEqual(key.thumbprint(), k["jkt"] as? String)
            XCTAssertEqual(key.algorithm().description, k["algorithm"] as? String)
            let jwk = try JSONSerialization.jsonObject(with: Data(key.publicJwk().utf8)) as? [String: String]
            XCTAssertEqual(jwk, k["jwk"] as? [String: String])
        }
    }

    func testKeysRoundTripAndNeverPrintThePrivateKey() throws {
        for alg in [Algorithm.es256, .edDsa] {
            let key = try DpopKey.generate(algorithm: alg)
            let pem = try key.exportPrivateKey()
            let body = pem.expose().split(separator: "\n").filter { !$0.hasPrefix("-----") }.joined()
            XCTAssertEqual(try DpopKey.fromPrivateKey(pem: pem.expose()).thumbprint(), key.thumbprint())
            let printed = "\(key) \(String(describing: key)) \(pem) \(key.publicJwk())"
            XCTAssertTrue(printed.contains(key.thumbprint()))
            let chars = Array(body)
            for i in stride(from: 0, to: chars.count - 12, by: 6) {
                XCTAssertFalse(printed.contains(String(chars[i..<i + 12])), printed)
            }
            do {
                _ = try DpopKey.fromPrivateKey(pem: pem.expose().replacingOccurrences(of: "A", with: "*"))
                XCTFail("a broken PEM was accepted")
            } catch {
                XCTAssertFalse("\(error)".contains(String(chars[10..<22])))
            }
        }
        XCTAssertEqual(errorCode { _ = try DpopKey.generate(algorithm: .rs256) }, "invalid_input")
    }

    func testGatewayAcceptsBoundTokensWithProofsAndRefusesThemAsBearer() throws {
        let clock = ManualClock(now: Date(timeIntervalSince1970: 1_700_000_000))
        let hmac = try JwtKey.hmac(secret: Data("gateway-dpop-swift-secret-0123456789abcdef".utf8), algorithm: .hs256)
        let key = try DpopKey.generate(algorithm: .es256)
        let token = try JwtIssuer(key: hmac, options: JwtIssuerOptions())
            .issue(claimsJson: #"{"cnf":{"jkt":"\#(key.thumbprint())"}}"#, options: JwtIssueOptions(subject: "u1"))
        let auth = try Authenticator(options: AuthenticatorOptions(
            jwt: try JwtVerifier.withKey(key: hmac, options: JwtVerifierOptions(algorithms: [.hs256])),
            clock: clock,
            dpop: try DpopVerifier(options: DpopVerifierOptions(nonceLifetime: 300, clock: clock))
        ))
        func run(_ headers: [(String, String)]) throws -> AuthDecision {
            try auth.authenticate(request: AuthRequest(
                method: "GET", path: "/orders",
                headers: headers.map { HttpHeader(name: $0.0, value: $0.1) },
                clientIp: "203.0.113.9", requiredScopes: []))
        }
        let proof = try key.proof(method: "GET", url: url, options: DpopProofOptions(accessToken: token, clock: clock))
        guard case let .refused(first) = try run([("Authorization", "DPoP \(token)"), ("Host", "api.example"), ("DPoP", proof)]) else {
            return XCTFail("the first proof has no nonce")
        }
        XCTAssertEqual(first.code, .useDpopNonce)
        XCTAssertEqual(first.dpopNonce, auth.dpopNonce())
        XCTAssertTrue(first.wwwAuthenticate?.hasPrefix(#"DPoP realm="api", error="use_dpop_nonce""#) ?? false)
        let retry = try key.proof(method: "GET", url: url,
                                  options: DpopProofOptions(accessToken: token, nonce: first.dpopNonce, clock: clock))
        guard case .allowed = try run([("Authorization", "DPoP \(token)"), ("Host", "api.example"), ("DPoP", retry)]) else {
            return XCTFail("the retry with the nonce was refused")
        }
        guard case let .refused(bearer) = try run([("Authorization", "Bearer \(token)"), ("Host", "api.example")]) else {
            return XCTFail("a bound token was accepted as Bearer")
        }
        XCTAssertEqual(bearer.code, .invalidDpopProof)
    }
}
