import Foundation
import XCTest

@testable import Tokenward

/// The DPoP `jti` replay cache on Redis (`DpopVerifierOptions(replayCacheStore: "redis://…")`):
/// a proof accepted by one verifier is a replay at another; an unreachable Redis fails closed.
/// The server comes from scripts/servers.sh; under CI a missing server fails the test.
final class DpopRedisTests: XCTestCase {
    let url = "https://api.example/orders"

    func testAProofAcceptedByOneVerifierIsAReplayAtEveryOther() throws {
        let env = ProcessInfo.processInfo.environment
        guard let redis = env["TOKENWARD_TEST_REDIS_URL"], !redis.isEmpty else {
            if let ci = env["CI"], !ci.isEmpty { XCTFail("TOKENWARD_TEST_REDIS_URL is not set") }
            throw XCTSkip("TOKENWARD_TEST_REDIS_URL is not set (scripts/servers.sh)")
        }
        let a = try DpopVerifier(options: DpopVerifierOptions(replayCacheStore: redis))
        let b = try DpopVerifier(options: DpopVerifierOptions(replayCacheStore: redis))
        let key = try DpopKey.generate(algorithm: .es256)
        let proof = try key.proof(method: "GET", url: url)
        XCTAssertEqual(try a.verify(proof: proof, method: "GET", url: url).jkt, key.thumbprint())
        XCTAssertEqual(errorCode { _ = try b.verify(proof: proof, method: "GET", url: self.url) }, "invalid_dpop_proof")
        XCTAssertEqual(a.replayCacheLen(), 0)
        _ = try b.verify(proof: try key.proof(method: "GET", url: url), method: "GET", url: url)
    }

    func testAnUnreachableRedisFailsClosed() throws {
        let v = try DpopVerifier(options: DpopVerifierOptions(replayCacheStore: "redis://127.0.0.1:1/"))
        let proof = try DpopKey.generate(algorithm: .edDsa).proof(method: "GET", url: url)
        let code = errorCode { _ = try v.verify(proof: proof, method: "GET", url: self.url) }
        XCTAssertTrue(code == "network" || code == "timeout", code ?? "nil")
        XCTAssertEqual(errorCode { _ = try DpopVerifier(options: DpopVerifierOptions(replayCacheStore: "postgres://x/y")) },
                       "invalid_input")
    }
}
