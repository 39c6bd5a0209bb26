import Foundation
import XCTest
import Tokenward

/// Runs tests/vectors/gateway.json with the expectations of core/tests/integration/gateway_vectors.rs: the
/// cases in order against one Authenticator built from `setup`, on a ManualClock at `now`.
final class GatewayVectorsTests: XCTestCase {
    private func load() throws -> [String: Any] {
        let data = try Data(contentsOf: TestVectors.url("gateway.json"))
        return try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    private func int(_ v: Any?) -> Int? { (v as? NSNumber)?.intValue }

    private func limit(_ v: Any?) throws -> RateLimit {
        let o = try XCTUnwrap(v as? [String: Any])
        return RateLimit(
            rate: UInt32(try XCTUnwrap(int(o["rate"]))),
            burst: UInt32(try XCTUnwrap(int(o["burst"]))),
            period: TimeInterval(try XCTUnwrap(int(o["period_seconds"])))
        )
    }

    private func limits(_ v: Any?) throws -> [String: RateLimit] {
        let o = try XCTUnwrap(v as? [String: Any])
        return try o.mapValues { try limit($0) }
    }

    private struct Fixture {
        let auth: Authenticator
        let secrets: [String: String]
    }

    private func build(_ setup: [String: Any]) throws -> Fixture {
        let clock = ManualClock(now: Date(timeIntervalSince1970: TimeInterval(try XCTUnwrap(int(setup["now"])))))
        let apiKeys = try XCTUnwrap(setup["api_keys"] as? [String: Any])
        let prefix = try XCTUnwrap(apiKeys["prefix"] as? String)
        let keys = try ApiKeys(prefix: prefix, options: ApiKeysOptions(clock: clock))
        let list = try RevocationList(options: RevocationListOptions(maxEntries: 1000, clock: clock))
        var secrets: [String: String] = [:]
        var ids: [String: String] = [:]
        for (name, value) in try XCTUnwrap(apiKeys["keys"] as? [String: Any]) {
            let spec = try XCTUnwrap(value as? [String: Any])
            let issued = try keys.create(
                owner: try XCTUnwrap(spec["owner"] as? String),
                scopes: spec["scopes"] as? [String] ?? [],
                metadata: spec["metadata"] as? [String: String]
            )
            if spec["revoke_in_store"] as? Bool == true {
                _ = try keys.revoke(id: issued.record.id)
            }
            secrets[name] = issued.secret.expose()
            ids[name] = issued.record.id
        }
        // A well-formed key that was never stored here.
        secrets["unknown"] = try ApiKeys(prefix: prefix).create(owner: "nobody").secret.expose()

        for value in try XCTUnwrap(setup["revocations"] as? [[String: Any]]) {
            let kind: RevocationKind
            switch value["kind"] as? String {
            case "jti": kind = .jti
            case "subject": kind = .subject
            case "key_id": kind = .keyId
            default:
                // A kind this binding does not know is a failure, not a skip: a skip would let
                // every case of the file count as passed.
                XCTFail("unknown revocation kind \(String(describing: value["kind"]))")
                continue
            }
            var id = try XCTUnwrap(value["id"] as? String)
            if id.hasPrefix("{key_id:"), id.hasSuffix("}") {
                id = try XCTUnwrap(ids[String(id.dropFirst("{key_id:".count).dropLast())])
            }
            let until = Date(timeIntervalSince1970: TimeInterval(try XCTUnwrap(int(value["until"]))))
            try list.revoke(kind: kind, id: id, until: until)
        }

        let j = try XCTUnwrap(setup["jwt"] as? [String: Any])
        let algorithms = try XCTUnwrap(j["algorithms"] as? [String]).map { try algorithmFromString(name: $0) }
        let secret = try XCTUnwrap(j["hmac_secret"] as? String)
        let verifier = try JwtVerifier.withKey(
            key: try JwtKey.hmac(secret: Data(secret.utf8), algorithm: algorithms[0]),
            options: JwtVerifierOptions(algorithms: algorithms, clock: clock)
        )
        let tp = try XCTUnwrap(setup["trusted_proxies"] as? [String: Any])
        let auth = try Authenticator(options: AuthenticatorOptions(
            apiKeys: keys,
            jwt: verifier,
            ipDeny: try XCTUnwrap(setup["ip_deny"] as? [String]),
            trustedProxies: try XCTUnwrap(tp["networks"] as? [String]),
            forwardedHeader: tp["header"] as? String == "x-forwarded-for" ? .xForwardedFor : .forwarded,
            rateLimit: try limit(setup["rate_limit"]),
            failureRateLimit: try limit(setup["failure_rate_limit"]),
            plans: try limits(setup["plans"]),
            rateLimitOverrides: try limits(setup["rate_limit_overrides"]),
            revocations: list,
            realm: try XCTUnwrap(setup["realm"] as? String),
            clock: clock
        ))
        return Fixture(auth: auth, secrets: secrets)
    }

    private func substitute(_ s: String, _ f: Fixture) -> String {
        var out = s
        for (name, secret) in f.secrets {
            out = out.replacingOccurrences(of: "{key:\(name)}", with: secret)
            let typo = String(secret.dropLast()) + (secret.last == "a" ? "b" : "a")
            out = out.replacingOccurrences(of: "{key_typo:\(name)}", with: typo)
        }
        return out
    }

    func testGatewayVectors() throws {
        let doc = try load()
        let f = try build(try XCTUnwrap(doc["setup"] as? [String: Any]))
        let cases = try XCTUnwrap(doc["cases"] as? [[String: Any]])
        XCTAssertGreaterThanOrEqual(cases.count, 40)
        for c in cases {
            let name = try XCTUnwrap(c["name"] as? String)
            let r = try XCTUnwrap(c["request"] as? [String: Any])
            let headers = try XCTUnwrap(r["headers"] as? [[String]]).map {
                HttpHeader(name: $0[0], value: substitute($0[1], f))
            }
            let request = AuthRequest(
                method: try XCTUnwrap(r["method"] as? String),
                path: substitute(try XCTUnwrap(r["path"] as? String), f),
                headers: headers,
                clientIp: r["client_ip"] as? String,
                requiredScopes: try XCTUnwrap(r["required_scopes"] as? [String])
            )
            let e = try XCTUnwrap(c["expect"] as? [String: Any])
            switch try f.auth.authenticate(request: request) {
            case let .allowed(principal):
                XCTAssertEqual(int(e["status"]), 200, "\(name): got a principal")
                if let subject = e["subject"] as? String {
                    XCTAssertEqual(principal.subject, subject, name)
                }
                if let remaining = int(e["remaining"]) {
                    XCTAssertEqual(principal.rateLimitRemaining, UInt64(remaining), name)
                }
            case let .refused(refusal):
                XCTAssertEqual(Int(refusal.status), int(e["status"]), name)
                XCTAssertEqual(refusal.code.description, e["code"] as? String ?? "-", name)
                XCTAssertEqual(refusal.wwwAuthenticate, e["www_authenticate"] as? String, name)
                XCTAssertEqual(refusal.retryAfter, int(e["retry_after"]).map { TimeInterval($0) }, name)
            }
        }
    }
}
