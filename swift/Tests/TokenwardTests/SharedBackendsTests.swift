import Foundation
import XCTest

@testable import Tokenward

/// Shared backends from Swift (docs/distributed.md): API keys in PostgreSQL, rate limits and
/// revocations in Redis. The servers come from scripts/servers.sh; under CI a missing server
/// fails the test, elsewhere it is skipped.
final class SharedBackendsTests: XCTestCase {
    private func url(_ name: String) throws -> String {
        let env = ProcessInfo.processInfo.environment
        if let value = env[name], !value.isEmpty { return value }
        if let ci = env["CI"], !ci.isEmpty {
            XCTFail("\(name) is not set: run the tests through scripts/servers.sh")
        }
        throw XCTSkip("\(name) is not set (scripts/servers.sh)")
    }

    private func request(_ key: String) -> AuthRequest {
        AuthRequest(headers: [HttpHeader(name: "X-API-Key", value: key)])
    }

    func testKeysInPostgresAreSharedByInstances() throws {
        let pg = try url("TOKENWARD_TEST_POSTGRES_URL")
        let owner = "swift-" + UUID().uuidString.prefix(12)
        let a = try ApiKeys(prefix: "tw_pg", options: ApiKeysOptions(store: pg))
        let b = try ApiKeys(prefix: "tw_pg", options: ApiKeysOptions(store: pg))
        let issued = try a.create(owner: String(owner), scopes: ["read"])
        XCTAssertEqual(try b.verify(key: issued.secret.expose()).owner, String(owner))
        _ = try a.revoke(id: issued.record.id)
        let c = try ApiKeys(prefix: "tw_pg", options: ApiKeysOptions(store: pg))
        XCTAssertThrowsError(try c.verify(key: issued.secret.expose())) { error in
            XCTAssertEqual((error as? TokenwardError)?.code, .revoked)
        }
    }

    func testRateLimitsAndRevocationsInRedisAreSharedByInstances() throws {
        let redis = try url("TOKENWARD_TEST_REDIS_URL")
        let keys = try ApiKeys(prefix: "tw_rd", options: ApiKeysOptions())
        let key = try keys.create(owner: "sven", scopes: []).secret.expose()
        func options() throws -> AuthenticatorOptions {
            AuthenticatorOptions(
                apiKeys: keys,
                rateLimit: RateLimit(rate: 1, burst: 5, period: 60),
                revocations: try RevocationList.withStore(store: redis),
                rateLimitStore: redis)
        }
        let instances = [try Authenticator(options: options()), try Authenticator(options: options())]
        XCTAssertTrue(instances[0].hasSharedStores())
        XCTAssertFalse(try Authenticator(options: AuthenticatorOptions(apiKeys: keys)).hasSharedStores())
        var admitted = 0
        for i in 0..<12 {
            if case .allowed = try instances[i % 2].authenticate(request: request(key)) { admitted += 1 }
        }
        XCTAssertEqual(admitted, 5)

        let other = try keys.create(owner: "sara", scopes: [])
        let here = try RevocationList.withStore(store: redis)
        try here.revoke(kind: .keyId, id: other.record.id, until: Date().addingTimeInterval(60))
        XCTAssertTrue(here.isRevoked(kind: .keyId, id: other.record.id))
        let auth = try Authenticator(options: AuthenticatorOptions(
            apiKeys: keys, revocations: try RevocationList.withStore(store: redis)))
        guard case .refused(let refusal) = try auth.authenticate(request: request(other.secret.expose())) else {
            return XCTFail("a revoked key was accepted")
        }
        XCTAssertEqual(refusal.code, .revoked)
        XCTAssertTrue(here.unrevoke(kind: .keyId, id: other.record.id))
    }
}
