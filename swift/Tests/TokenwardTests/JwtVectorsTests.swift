import Foundation
import XCTest
import Tokenward

/// Runs tests/vectors/jwt_attacks.json (same expected codes as every other language) and JWT
/// sign/verify round trips.
final class JwtVectorsTests: XCTestCase {
    private static let iss = "https://issuer.example"
    private static let aud = "api://tokenward-tests"
    private static let algorithms = Algorithm.allCases
    private static let knownOptions: Set<String> = [
        "algorithms", "issuer", "audience", "leeway", "require_exp", "max_age",
        "required_claims", "typ", "max_token_size",
    ]

    private func load(_ name: String) throws -> [String: Any] {
        let data = try Data(contentsOf: TestVectors.url(name))
        return try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [String: Any], name)
    }

    private func json(_ object: Any) throws -> String {
        String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self)
    }

    private func decode(_ text: String) throws -> [String: Any] {
        try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    /// Vector options (snake_case) over the defaults, as the record.
    private func options(_ defaults: [String: Any], _ overrides: [String: Any]?) throws -> JwtVerifierOptions {
        for name in (overrides ?? [:]).keys {
            XCTAssertTrue(Self.knownOptions.contains(name), "unknown vector option \(name)")
        }
        func get(_ name: String) -> Any? { overrides?[name] ?? defaults[name] }
        return JwtVerifierOptions(
            algorithms: try XCTUnwrap(get("algorithms") as? [String]).map { try algorithmFromString(name: $0) },
            issuers: (get("issuer") as? String).map { [$0] } ?? [],
            audiences: get("audience") as? [String] ?? [],
            leeway: (get("leeway") as? NSNumber).map { TimeInterval($0.intValue) },
            requiredClaims: get("required_claims") as? [String] ?? [],
            requireExp: (get("require_exp") as? Bool) ?? true,
            typ: get("typ") as? String,
            maxAge: (get("max_age") as? NSNumber).map { TimeInterval($0.intValue) },
            maxTokenSize: (get("max_token_size") as? NSNumber).map { UInt32($0.intValue) }
        )
    }

    private func code(_ block: () throws -> Void) -> String {
        do {
            try block()
            return "ok"
        } catch let error as TokenwardError {
            return error.code.description
        } catch {
            return "unexpected \(error)"
        }
    }

    func testAttackVectors() throws {
        let keys = try load("jwt_keys.json")
        let doc = try load("jwt_attacks.json")
        let set = try KeySet.fromJwks(json: try json(try XCTUnwrap(keys["verification_jwks"])))
        let defaults = try XCTUnwrap(doc["defaults"] as? [String: Any])
        let cases = try XCTUnwrap(doc["cases"] as? [[String: Any]])
        XCTAssertGreaterThanOrEqual(cases.count, 40)
        var failures: [String] = []
        for c in cases {
            let name = c["name"] as? String ?? "?"
            let token = try XCTUnwrap(c["token"] as? String, name)
            let expect = try XCTUnwrap(c["expect"] as? String, name)
            let verifier = try JwtVerifier(keys: set, options: try options(defaults, c["options"] as? [String: Any]))
            var got: String
            do {
                let claims = try verifier.verify(token: token)
                // The claims JSON is the payload text as written, where a case spells it out.
                if let asWritten = c["claims_json"] as? String, claims != asWritten {
                    failures.append("\(name): claims JSON \(claims) is not the payload as written")
                }
                got = "ok"
            } catch let error as TokenwardError {
                XCTAssertFalse(error.message.contains("eyJ"), "\(name): message echoes token material")
                got = error.code.description
            }
            if got != expect { failures.append("\(name): expected \(expect), got \(got)") }
        }
        XCTAssertEqual(failures, [])
    }

    func testRoundTripEveryAlgorithm() throws {
        for alg in Self.algorithms {
            let signing = try JwtKey.generate(algorithm: alg).withKid(kid: "kid-\(alg)")
            let options = JwtVerifierOptions(algorithms: [alg], issuers: [Self.iss], audiences: [Self.aud])
            let verifier: JwtVerifier
            if alg.description.hasPrefix("HS") {
                verifier = try JwtVerifier.withKey(key: signing, options: options)
            } else {
                // Asymmetric keys verify from the published JWKS only (public part).
                let set = KeySet()
                try set.insert(key: signing)
                verifier = try JwtVerifier.withJwks(jwks: try set.toJwksJson(), options: options)
            }
            let issuer = try JwtIssuer(
                key: signing,
                options: JwtIssuerOptions(algorithm: alg, issuer: Self.iss, audience: [Self.aud], ttl: 300)
            )
            let token = try issuer.issue(claimsJson: #"{"role":"admin","n":[1,2,3]}"#, options: JwtIssueOptions(subject: "user-1"))
            let claims = try decode(try verifier.verify(token: token))
            XCTAssertEqual(claims["role"] as? String, "admin", "\(alg)")
            XCTAssertEqual(claims["iss"] as? String, Self.iss, "\(alg)")
            let typed = try verifier.verifyClaims(token: token)
            XCTAssertEqual(typed.subject, "user-1", "\(alg)")
            XCTAssertEqual(typed.audience, [Self.aud], "\(alg)")
            XCTAssertEqual(typed.issuer, Self.iss, "\(alg)")
            XCTAssertEqual((typed.expiresAt ?? 0) - (typed.issuedAt ?? 0), 300, "\(alg)")
            XCTAssertEqual((try decode(typed.json))["n"] as? [Int], [1, 2, 3], "\(alg)")

            // A changed payload character breaks the signature. The first character is changed,
            // not the last: the last one carries padding bits, and changing it can make the
            // segment non-canonical base64url (malformed), which would test base64, not forgery.
            var parts = token.split(separator: ".").map(String.init)
            let first = parts[1].removeFirst()
            parts[1].insert(first == "e" ? "f" : "e", at: parts[1].startIndex)
            let tampered = parts.joined(separator: ".")
            XCTAssertEqual(code { _ = try verifier.verify(token: tampered) }, "invalid_signature", "\(alg)")
        }
    }

    func testAlgorithmEnumRoundTripsThroughTheCore() throws {
        // Every case: its RFC name, parsed back, is the same case, and a key generated for it
        // reports it (checked by mapping EdDSA to ES384 in bindings/src/jwt/alg.rs: this fails).
        XCTAssertEqual(Algorithm.allCases.count, 12)
        for alg in Algorithm.allCases {
            XCTAssertEqual(try algorithmFromString(name: alg.description), alg)
            XCTAssertEqual(alg.asString(), alg.description)
        }
        XCTAssertEqual(Algorithm.edDsa.description, "EdDSA")
        XCTAssertEqual(try JwtKey.generate(algorithm: .es256).algorithm(), .es256)
        XCTAssertEqual(code { _ = try algorithmFromString(name: "hs256") }, "algorithm_not_allowed")
    }

    func testDurationsAreTimeIntervals() throws {
        let key = try JwtKey.hmac(secret: Data(repeating: 7, count: 32), algorithm: .hs256)
        let clock = ManualClock(now: Date(timeIntervalSince1970: 1_000_000))
        let token = try JwtIssuer(key: key, options: JwtIssuerOptions(ttl: 10, clock: clock))
            .issue(claimsJson: nil, options: JwtIssueOptions())
        clock.advance(by: 40)
        let lenient = try JwtVerifier.withKey(key: key, options: JwtVerifierOptions(algorithms: [.hs256], leeway: 60, clock: clock))
        XCTAssertEqual(try lenient.verifyClaims(token: token).expiresAt, 1_000_010)
        let strict = try JwtVerifier.withKey(key: key, options: JwtVerifierOptions(algorithms: [.hs256], leeway: 10, clock: clock))
        XCTAssertEqual(code { _ = try strict.verify(token: token) }, "expired")
    }

    func testKeysPrintWithoutMaterial() throws {
        let secret = "SuperSecretHmacKeyMaterial-0123456789"
        let key = try JwtKey.hmac(secret: Data(secret.utf8), algorithm: .hs256).withKid(kid: "hs")
        XCTAssertEqual(key.kid(), "hs")
        XCTAssertEqual(key.algorithm(), .hs256)
        for form in ["\(key)", String(describing: key), String(reflecting: key)] {
            XCTAssertFalse(form.contains(secret), form)
        }
        let pem = try JwtKey.generate(algorithm: .es384).toPrivatePem()
        XCTAssertFalse("\(pem)".contains("PRIVATE KEY"))
        XCTAssertTrue(pem.expose().contains("PRIVATE KEY"))
        let set = KeySet()
        try set.insert(key: key)
        XCTAssertFalse("\(set)".contains(secret))
        XCTAssertEqual(set.count, 1)
        XCTAssertEqual(set.len(), 1)
        XCTAssertEqual(code { _ = try key.toJwkJson() }, "invalid_key")
    }

    func testInvalidInputsFailWithCodes() throws {
        XCTAssertEqual(code { _ = try JwtKey.hmac(secret: Data("short".utf8), algorithm: .hs256) }, "invalid_key")
        XCTAssertEqual(code { _ = try algorithmFromString(name: "none") }, "algorithm_not_allowed")
        XCTAssertEqual(code { _ = try JwtKey.fromPem(pem: "not a pem", algorithm: nil) }, "invalid_key")
        let hs = try JwtKey.generate(algorithm: .hs256)
        XCTAssertEqual(code { _ = try JwtVerifier.withKey(key: hs, options: JwtVerifierOptions(algorithms: [])) }, "invalid_input")
        // Issue 14: durations beyond the core's maximum are invalid_input, never a panic.
        XCTAssertEqual(code { _ = try JwtVerifier.withKey(key: hs, options: JwtVerifierOptions(algorithms: [.hs256], leeway: 1e15)) }, "invalid_input")
        let clock = ManualClock(now: Date(timeIntervalSince1970: 1e15))
        XCTAssertEqual(clock.now().timeIntervalSince1970, 253_402_300_799)
        clock.set(to: Date(timeIntervalSince1970: 0))
        clock.set(to: Date(timeIntervalSince1970: 1e15))
        XCTAssertEqual(clock.now().timeIntervalSince1970, 253_402_300_799)
        let ec = try JwtKey.generate(algorithm: .es256).withKid(kid: "ec")
        let again = try JwtKey.fromPem(pem: try ec.toPrivatePem().expose(), algorithm: nil).withKid(kid: "ec")
        XCTAssertEqual(try decode(try again.toJwkJson()) as NSDictionary, try decode(try ec.toJwkJson()) as NSDictionary)
        XCTAssertEqual(try JwtKey.fromJwk(jwk: try ec.toJwkJson()).kid(), "ec")
        let publicKey = try JwtKey.fromPem(pem: try ec.toPublicPem(), algorithm: nil)
        XCTAssertFalse(publicKey.canSign())
        XCTAssertEqual(code { _ = try JwtIssuer(key: publicKey, options: JwtIssuerOptions()) }, "invalid_key")
    }
}
