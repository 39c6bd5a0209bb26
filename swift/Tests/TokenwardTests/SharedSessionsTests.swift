import Foundation
import XCTest

@testable import Tokenward

/// Sessions and abuse counters on the shared backends from Swift (docs/sessions.md,
/// docs/abuse.md): two instances opened from one Redis or PostgreSQL URL share sessions,
/// rotations and revocations; two Authenticators on one Redis share a lockout. The servers come
/// from scripts/servers.sh; under CI a missing server fails the test, elsewhere it is skipped.
final class SharedSessionsTests: XCTestCase {
    private func url(_ name: String) throws -> String {
        let env = ProcessInfo.processInfo.environment
        if let value = env[name], !value.isEmpty { return value }
        if let ci = env["CI"], !ci.isEmpty {
            XCTFail("\(name) is not set: run the tests through scripts/servers.sh")
        }
        throw XCTSkip("\(name) is not set (scripts/servers.sh)")
    }

    private func code(_ block: () throws -> Void) -> String {
        do {
            try block()
            return "ok"
        } catch {
            return (error as? TokenwardError)?.code.description ?? "\(error)"
        }
    }

    private func shared(_ store: String) throws {
        let a = try Sessions(options: SessionsOptions(store: store))
        let b = try Sessions(options: SessionsOptions(store: store))
        let subject = "swift-" + String(UUID().uuidString.prefix(12))
        let issued = try a.create(subject: subject, data: ["scope": "read"])
        XCTAssertEqual(try b.verify(id: issued.id.expose()).subject, subject)
        let rotated = try b.rotate(id: issued.id.expose(), subject: nil, data: ["scope": "read admin"])
        XCTAssertEqual(code { _ = try a.verify(id: issued.id.expose()) }, "revoked")
        XCTAssertEqual(try a.verify(id: rotated.id.expose()).data, ["scope": "read admin"])
        _ = try a.create(subject: subject)
        XCTAssertEqual(try b.revokeSubject(subject: subject), 2)
        XCTAssertEqual(code { _ = try a.verify(id: rotated.id.expose()) }, "revoked")
    }

    func testASessionCreatedThroughOneInstanceIsFoundThroughAnotherOnRedis() throws {
        try shared(try url("TOKENWARD_TEST_REDIS_URL"))
    }

    func testASessionCreatedThroughOneInstanceIsFoundThroughAnotherOnPostgres() throws {
        try shared(try url("TOKENWARD_TEST_POSTGRES_URL"))
    }

    func testARedisThatIsDownIsAnErrorCodeAndThePasswordIsNeverShown() throws {
        let sessions = try Sessions(options: SessionsOptions(store: "redis://user:hunter2secret@127.0.0.1:1/"))
        let got = code { _ = try sessions.create(subject: "alice") }
        XCTAssertTrue(["network", "timeout"].contains(got), got)
        XCTAssertFalse("\(sessions)".contains("hunter2secret"))
    }

    func testTwoAuthenticatorsOnOneRedisShareTheLockout() throws {
        let redis = try url("TOKENWARD_TEST_REDIS_URL")
        let keys = try ApiKeys(prefix: "tw_ab", options: ApiKeysOptions())
        let good = try keys.create(owner: "acct", scopes: []).secret.expose()
        func instance() throws -> Authenticator {
            let abuse = AbuseDetection()
                .withLockout(lockout: try Lockout(failures: try Threshold(count: 3, window: 60), duration: 30))
                .withStore(url: redis)
                .withStoreFailOpen(failOpen: false)
            return try Authenticator(options: AuthenticatorOptions(apiKeys: keys, abuseDetection: abuse))
        }
        let (a, b) = (try instance(), try instance())
        // An address no earlier run used (the counters outlive a run in the shared Redis).
        func hex() -> String { String(Int.random(in: 0..<0x10000), radix: 16) }
        let ip = "2001:db8:\(hex()):\(hex()):\(hex())::1"
        func call(_ auth: Authenticator, _ key: String, _ from: String) throws -> AuthDecision {
            try auth.authenticate(request: AuthRequest(headers: [HttpHeader(name: "X-API-Key", value: key)], clientIp: from))
        }
        for (i, auth) in [a, a, b].enumerated() {
            guard case let .refused(r) = try call(auth, "bad-\(i)-\(ip)", ip) else { return XCTFail("allowed") }
            XCTAssertEqual(r.status, 401)
        }
        guard case let .refused(locked) = try call(a, good, ip) else { return XCTFail("not locked") }
        XCTAssertEqual(locked.status, 429)
        XCTAssertEqual(locked.code.description, "rate_limited")
        XCTAssertTrue((29...30).contains(locked.retryAfter ?? 0))
        guard case .allowed = try call(b, good, "192.0.2.77") else { return XCTFail("refused") }
    }
}
