import Foundation
import XCTest
import Tokenward

/// A response of the embedded API below.
private struct Response: Equatable {
    var status: Int
    var headers: [String: String] = [:]
    var body: String = ""
}

/// The request handler an app embedding a local API would write: authenticate, then answer or
/// send the refusal's status, `WWW-Authenticate` and `Retry-After` (the code stays in the logs).
private func handle(
    _ auth: Authenticator,
    method: String = "GET",
    path: String = "/v1/things",
    headers: [(String, String)],
    peer: String = "127.0.0.1",
    scopes: [String] = ["read"]
) throws -> Response {
    let request = AuthRequest(
        method: method,
        path: path,
        headers: headers.map { HttpHeader(name: $0.0, value: $0.1) },
        clientIp: peer,
        requiredScopes: scopes
    )
    switch try auth.authenticate(request: request) {
    case let .allowed(principal):
        var response = Response(status: 200, body: "hello \(principal.subject)")
        if let remaining = principal.rateLimitRemaining {
            response.headers["RateLimit-Remaining"] = String(remaining)
        }
        return response
    case let .refused(refusal):
        var response = Response(status: Int(refusal.status))
        response.headers["WWW-Authenticate"] = refusal.wwwAuthenticate
        response.headers["Retry-After"] = refusal.retryAfter.map { String(Int($0)) }
        return response
    }
}

/// The Authenticator through the Swift binding: a handler, rate limits, revocation, concurrency.
final class GatewayTests: XCTestCase {
    private let now: UInt64 = 1_700_000_000

    private func allowed(_ d: AuthDecision, file: StaticString = #filePath, line: UInt = #line) -> Principal? {
        if case let .allowed(p) = d { return p }
        XCTFail("refused: \(d)", file: file, line: line)
        return nil
    }

    private func refused(_ d: AuthDecision, file: StaticString = #filePath, line: UInt = #line) -> Refusal? {
        if case let .refused(r) = d { return r }
        XCTFail("allowed: \(d)", file: file, line: line)
        return nil
    }

    private func keyRequest(_ key: String, ip: String = "198.51.100.1", scopes: [String] = []) -> AuthRequest {
        AuthRequest(headers: [HttpHeader(name: "X-API-Key", value: key)], clientIp: ip, requiredScopes: scopes)
    }

    private func code(_ body: () throws -> Void) -> String? {
        do {
            try body()
            return nil
        } catch let error as TokenwardError {
            return error.code.description
        } catch {
            return "unexpected: \(error)"
        }
    }

    func testHandlerAnswersWithTheRefusal() throws {
        let clock = ManualClock(now: Date(timeIntervalSince1970: TimeInterval(now)))
        let keys = try ApiKeys(prefix: "tw_test", options: ApiKeysOptions(clock: clock))
        let reader = try keys.create(owner: "acct_reader", scopes: ["read"]).secret.expose()
        let tiny = try keys.create(owner: "acct_tiny", scopes: ["read"], metadata: ["plan": "tiny"]).secret.expose()
        let jwtKey = try JwtKey.hmac(secret: Data("local-api-secret-0123456789abcdef".utf8), algorithm: .hs256)
        let token = try JwtIssuer(key: jwtKey, options: JwtIssuerOptions())
            .issue(claimsJson: #"{"scope":"read write"}"#, options: JwtIssueOptions(subject: "alice"))
        let auth = try Authenticator(options: AuthenticatorOptions(
            apiKeys: keys,
            jwt: try JwtVerifier.withKey(key: jwtKey, options: JwtVerifierOptions(algorithms: [.hs256])),
            ipAllow: ["127.0.0.0/8", "::1"],
            plans: ["tiny": RateLimit(rate: 1, burst: 1, period: 60)],
            realm: "local",
            clock: clock
        ))

        XCTAssertEqual(
            try handle(auth, headers: []),
            Response(status: 401, headers: ["WWW-Authenticate": #"Bearer realm="local""#])
        )
        XCTAssertEqual(try handle(auth, headers: [("X-API-Key", reader)]).body, "hello acct_reader")
        XCTAssertEqual(try handle(auth, headers: [("Authorization", "Bearer \(token)")]).body, "hello alice")
        XCTAssertEqual(try handle(auth, headers: [("X-API-Key", reader)], peer: "::1").status, 200)
        XCTAssertEqual(try handle(auth, headers: [("X-API-Key", reader)], peer: "203.0.113.5"), Response(status: 403))

        let typo = String(reader.dropLast()) + (reader.last == "a" ? "b" : "a")
        let invalid = try handle(auth, headers: [("X-API-Key", typo)])
        XCTAssertEqual(invalid.status, 401)
        let challenge = invalid.headers["WWW-Authenticate"] ?? ""
        XCTAssertTrue(challenge.contains(#"error="invalid_token""#), challenge)
        XCTAssertFalse(challenge.contains("checksum"), "the internal code leaked: \(challenge)")

        XCTAssertEqual(try handle(auth, headers: [("Authorization", "Bearer \(token)"), ("X-API-Key", reader)]).status, 400)
        XCTAssertEqual(
            try handle(auth, headers: [("X-API-Key", reader)], scopes: ["write"]).headers["WWW-Authenticate"],
            #"Bearer realm="local", error="insufficient_scope", error_description="the access token lacks a required scope", scope="write""#
        )
        XCTAssertEqual(try handle(auth, headers: [("X-API-Key", tiny)]).headers["RateLimit-Remaining"], "0")
        XCTAssertEqual(try handle(auth, headers: [("X-API-Key", tiny)]), Response(status: 429, headers: ["Retry-After": "60"]))
    }

    func testJwtPrincipalCarriesClaims() throws {
        let clock = ManualClock(now: Date(timeIntervalSince1970: TimeInterval(now)))
        let key = try JwtKey.hmac(secret: Data("gateway-swift-secret-0123456789abc".utf8), algorithm: .hs256)
        let token = try JwtIssuer(key: key, options: JwtIssuerOptions(issuer: "https://issuer.example"))
            .issue(claimsJson: #"{"scp":["read","admin"],"tenant":"t-1"}"#, options: JwtIssueOptions(subject: "bob"))
        let verifier = try JwtVerifier.withKey(key: key, options: JwtVerifierOptions(
            algorithms: [.hs256], issuers: ["https://issuer.example"], clock: clock
        ))
        let auth = try Authenticator(options: AuthenticatorOptions(jwt: verifier))
        let request = AuthRequest(
            headers: [HttpHeader(name: "authorization", value: "Bearer \(token)")],
            requiredScopes: ["admin"]
        )
        // Issued on the system clock; the verifier's clock is years earlier.
        XCTAssertEqual(refused(try auth.authenticate(request: request))?.code, .notYetValid)

        clock.set(to: Date())
        let p = try XCTUnwrap(allowed(try auth.authenticate(request: request)))
        XCTAssertEqual(p.kind, .jwt)
        XCTAssertEqual(p.subject, "bob")
        XCTAssertEqual(p.scopes, ["read", "admin"])
        let claims = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(p.claimsJson.utf8)) as? [String: Any])
        XCTAssertEqual(claims["tenant"] as? String, "t-1")
        XCTAssertEqual(p.keyId, claims["jti"] as? String)
    }

    func testRateLimitFollowsTheManualClock() throws {
        let clock = ManualClock(now: Date(timeIntervalSince1970: TimeInterval(now)))
        let keys = try ApiKeys(prefix: "tw_test", options: ApiKeysOptions(clock: clock))
        let key = try keys.create(owner: "acct").secret.expose()
        let auth = try Authenticator(options: AuthenticatorOptions(
            apiKeys: keys,
            rateLimit: RateLimit(rate: 2, burst: 3, period: 1), // one per 500 ms, bursts of 3
            clock: clock
        ))
        let remaining = try (0..<3).map { _ in allowed(try auth.authenticate(request: keyRequest(key)))?.rateLimitRemaining }
        XCTAssertEqual(remaining, [2, 1, 0])
        let r = try XCTUnwrap(refused(try auth.authenticate(request: keyRequest(key))))
        XCTAssertEqual(r, Refusal(code: .rateLimited, status: 429, wwwAuthenticate: nil, retryAfter: 1,
                                    error: "rate_limited", errorDescription: "too many requests", dpopNonce: nil))
        clock.advance(by: 0.499)
        XCTAssertNotNil(refused(try auth.authenticate(request: keyRequest(key))))
        clock.advance(by: 0.001)
        XCTAssertEqual(allowed(try auth.authenticate(request: keyRequest(key)))?.rateLimitRemaining, 0)
        clock.advance(by: 10)
        XCTAssertEqual(allowed(try auth.authenticate(request: keyRequest(key)))?.rateLimitRemaining, 2)
    }

    func testRevocationListAppliesAtOnceAndExpires() throws {
        let clock = ManualClock(now: Date(timeIntervalSince1970: TimeInterval(now)))
        let keys = try ApiKeys(prefix: "tw_test", options: ApiKeysOptions(clock: clock))
        let issued = try keys.create(owner: "acct_rev", scopes: ["read"])
        let key = issued.secret.expose()
        let list = try RevocationList(options: RevocationListOptions(clock: clock))
        let auth = try Authenticator(options: AuthenticatorOptions(apiKeys: keys, revocations: list))
        XCTAssertNotNil(allowed(try auth.authenticate(request: keyRequest(key))))

        try list.revoke(kind: .keyId, id: issued.record.id, until: Date(timeIntervalSince1970: TimeInterval(now) + 60))
        XCTAssertEqual("\(RevocationKind.keyId)", "key_id")
        XCTAssertTrue(list.isRevoked(kind: .keyId, id: issued.record.id))
        let r = refused(try auth.authenticate(request: keyRequest(key)))
        XCTAssertEqual(r?.status, 401)
        XCTAssertEqual(r?.code, .revoked)
        clock.advance(by: 60)
        XCTAssertNotNil(allowed(try auth.authenticate(request: keyRequest(key))))
        XCTAssertEqual(list.purge(), 0)

        let inAnHour = clock.now().addingTimeInterval(3600)
        try list.revoke(kind: .subject, id: "acct_rev", until: inAnHour)
        XCTAssertEqual(refused(try auth.authenticate(request: keyRequest(key)))?.code, .revoked)
        XCTAssertTrue(list.unrevoke(kind: .subject, id: "acct_rev"))
        XCTAssertNotNil(allowed(try auth.authenticate(request: keyRequest(key))))
        let nowDate = clock.now()
        XCTAssertEqual(code { try list.revoke(kind: .jti, id: "j-1", until: nowDate) }, "invalid_input")
        XCTAssertEqual(code { _ = try RevocationList(options: RevocationListOptions(maxEntries: 0)) }, "invalid_input")
    }

    func testInvalidConfigurationAndInputThrow() throws {
        XCTAssertEqual(code { _ = try Authenticator(options: AuthenticatorOptions()) }, "invalid_input")
        let keys = try ApiKeys(prefix: "tw_test")
        XCTAssertEqual(
            code { _ = try Authenticator(options: AuthenticatorOptions(apiKeys: keys, ipAllow: ["2001:db8::/129"])) },
            "invalid_input"
        )
        let auth = try Authenticator(options: AuthenticatorOptions(apiKeys: keys))
        XCTAssertEqual(code { _ = try auth.authenticate(request: AuthRequest(clientIp: "localhost")) }, "invalid_input")
        XCTAssertEqual(refused(try auth.authenticate(request: AuthRequest()))?.code, .missingCredentials)
        XCTAssertEqual(refused(try auth.authenticate(request: AuthRequest(clientIp: "[::1]")))?.code, .missingCredentials)
    }

    func testConcurrentRequestsGetExactlyTheBudget() throws {
        let clock = ManualClock(now: Date(timeIntervalSince1970: TimeInterval(now)))
        let keys = try ApiKeys(prefix: "tw_test", options: ApiKeysOptions(clock: clock))
        let key = try keys.create(owner: "acct").secret.expose()
        let auth = try Authenticator(options: AuthenticatorOptions(
            apiKeys: keys,
            rateLimit: RateLimit(rate: 1, burst: 100, period: 60),
            clock: clock
        ))
        let request = keyRequest(key)
        let lock = NSLock()
        var allowedCount = 0
        var refusedCodes: [ErrorCode?] = []
        DispatchQueue.concurrentPerform(iterations: 400) { _ in
            let decision = try? auth.authenticate(request: request)
            lock.lock()
            defer { lock.unlock() }
            switch decision {
            case .allowed?: allowedCount += 1
            case let .refused(r)?: refusedCodes.append(r.code)
            case nil: refusedCodes.append(nil)
            }
        }
        XCTAssertEqual(allowedCount, 100)
        XCTAssertEqual(refusedCodes.count, 300)
        XCTAssertEqual(Set(refusedCodes), [.rateLimited])
    }

    func testConcurrentTasksGetExactlyTheBudget() async throws {
        let clock = ManualClock(now: Date(timeIntervalSince1970: TimeInterval(now)))
        let keys = try ApiKeys(prefix: "tw_test", options: ApiKeysOptions(clock: clock))
        let key = try keys.create(owner: "acct").secret.expose()
        let auth = try Authenticator(options: AuthenticatorOptions(
            apiKeys: keys,
            rateLimit: RateLimit(rate: 1, burst: 50, period: 60),
            clock: clock
        ))
        let request = keyRequest(key)
        let allowedCount = try await withThrowingTaskGroup(of: Bool.self) { group in
            for _ in 0..<200 {
                group.addTask {
                    if case .allowed = try auth.authenticate(request: request) { return true }
                    return false
                }
            }
            return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        XCTAssertEqual(allowedCount, 50)
    }

    func testAuthenticateAsyncWithoutIntrospection() async throws {
        let keys = try ApiKeys(prefix: "tw_test")
        let key = try keys.create(owner: "acct", scopes: ["read"]).secret.expose()
        let auth = try Authenticator(options: AuthenticatorOptions(apiKeys: keys))
        let decision = try await auth.authenticateAsync(request: keyRequest(key, scopes: ["read"]))
        XCTAssertEqual(allowed(decision)?.subject, "acct")
        let none = try await auth.authenticateAsync(request: AuthRequest())
        XCTAssertEqual(refused(none)?.code, .missingCredentials)
    }

    func testOpaqueTokensThroughIntrospection() async throws {
        let client = try await OAuthClient.discover(
            issuerUrl: try OAuthMock.issuer(), clientId: "swift-client",
            options: OAuthClientOptions(clientSecret: try Secret(value: "swift-secret"))
        )
        let keys = try ApiKeys(prefix: "tw_test")
        let auth = try Authenticator(options: AuthenticatorOptions(apiKeys: keys, introspection: client))
        func bearer(_ token: String, _ scopes: [String] = []) -> AuthRequest {
            AuthRequest(headers: [HttpHeader(name: "Authorization", value: "Bearer \(token)")], requiredScopes: scopes)
        }
        let first = try await auth.authenticateAsync(request: bearer("opaque-swift-gw-1", ["read"]))
        let p = try XCTUnwrap(allowed(first))
        XCTAssertEqual(p.kind, .introspected)
        XCTAssertEqual(p.subject, "mock-client")
        XCTAssertEqual(p.scopes, ["read", "write"])
        XCTAssertEqual(auth.introspectionCacheLen(), 1)
        XCTAssertEqual(allowed(try auth.authenticate(request: bearer("opaque-swift-gw-1")))?.subject, "mock-client")
        try await client.revoke(token: try Secret(value: "opaque-swift-gw-2"))
        let revoked = try await auth.authenticateAsync(request: bearer("opaque-swift-gw-2"))
        let inactive = refused(revoked)
        XCTAssertEqual(inactive?.status, 401)
        XCTAssertEqual(inactive?.code, .unknownKey)
    }
}
