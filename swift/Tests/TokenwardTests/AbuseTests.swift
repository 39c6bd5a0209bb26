import Foundation
import XCTest
@testable import Tokenward

/// tests/vectors/abuse.json through the Swift binding (the same expectations as
/// core/tests/integration/abuse_vectors.rs), and the ECS audit log.
final class AbuseTests: XCTestCase {
    private final class Collector: AuditListener, @unchecked Sendable {
        private let lock = NSLock()
        private var items: [AuditEvent] = []
        func onEvent(event: AuditEvent) {
            lock.lock(); defer { lock.unlock() }
            items.append(event)
        }
        var events: [AuditEvent] {
            lock.lock(); defer { lock.unlock() }
            return items
        }
    }

    private func int(_ v: Any?) -> Int? { (v as? NSNumber)?.intValue }

    private func threshold(_ v: Any?) throws -> Threshold? {
        guard let o = v as? [String: Any] else { return nil }
        return try Threshold(count: UInt32(try XCTUnwrap(int(o["count"]))),
                             window: TimeInterval(try XCTUnwrap(int(o["window_seconds"]))))
    }

    private func abuse(_ v: [String: Any]) throws -> AbuseDetection {
        var lockout: Lockout?
        if let l = v["lockout"] as? [String: Any] {
            lockout = try Lockout(
                failures: try Threshold(count: UInt32(try XCTUnwrap(int(l["failures"]))),
                                        window: TimeInterval(try XCTUnwrap(int(l["window_seconds"])))),
                duration: TimeInterval(try XCTUnwrap(int(l["duration_seconds"])))
            )
        }
        return AbuseDetection()
            .withLockout(lockout: lockout)
            .withEnumeration(threshold: try threshold(v["enumeration"]))
            .withDistributedFailures(threshold: try threshold(v["distributed_failures"]))
            .withKeySpread(threshold: try threshold(v["key_spread"]))
            .withScopeEscalation(threshold: try threshold(v["scope_escalation"]))
    }

    func testAbuseDetectionMatchesVectors() throws {
        let data = try Data(contentsOf: TestVectors.url("abuse.json"))
        let doc = try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let apiKeys = try XCTUnwrap(doc["api_keys"] as? [String: Any])
        let prefix = try XCTUnwrap(apiKeys["prefix"] as? String)
        let now = TimeInterval(try XCTUnwrap(int(doc["now"])))
        let collector = Collector()
        let subscription = onAudit(listener: collector)
        defer { subscription.cancel() }
        var checked = 0
        for (index, scenario) in try XCTUnwrap(doc["scenarios"] as? [[String: Any]]).enumerated() {
            let name = try XCTUnwrap(scenario["name"] as? String)
            let clock = ManualClock(now: Date(timeIntervalSince1970: now))
            let keys = try ApiKeys(prefix: prefix, options: ApiKeysOptions(clock: clock))
            var subs: [String: String] = [:]
            for (k, value) in try XCTUnwrap(apiKeys["keys"] as? [String: Any]) {
                let spec = try XCTUnwrap(value as? [String: Any])
                let issued = try keys.create(owner: try XCTUnwrap(spec["owner"] as? String),
                                             scopes: spec["scopes"] as? [String] ?? [])
                subs["{key:\(k)}"] = issued.secret.expose()
                subs["{key_head:\(k)}"] = "\(prefix)_\(issued.record.id)"
            }
            let auth = try Authenticator(options: AuthenticatorOptions(
                apiKeys: keys,
                clock: clock,
                abuseDetection: try abuse(try XCTUnwrap(scenario["abuse"] as? [String: Any])),
                requestIdHeader: "x-request-id"
            ))
            let requestId = "abuse-vectors-\(index)"
            for (s, step) in try XCTUnwrap(scenario["steps"] as? [[String: Any]]).enumerated() {
                if let secs = int(step["advance_seconds"]) {
                    clock.advance(by: TimeInterval(secs))
                    continue
                }
                for i in 0..<(try XCTUnwrap(int(step["repeat"]))) {
                    func fill(_ t: String) -> String {
                        subs.reduce(t.replacingOccurrences(of: "{i}", with: String(i))) {
                            $0.replacingOccurrences(of: $1.key, with: $1.value)
                        }
                    }
                    var headers = [HttpHeader(name: "x-request-id", value: requestId)]
                    if let c = step["credential"] as? String {
                        headers.append(HttpHeader(name: "X-API-Key", value: fill(c)))
                    }
                    let request = AuthRequest(
                        method: "GET",
                        path: "/v1/things",
                        headers: headers,
                        clientIp: fill(try XCTUnwrap(step["client_ip"] as? String)),
                        requiredScopes: try XCTUnwrap(step["required_scopes"] as? [String])
                    )
                    let e = try XCTUnwrap(step["expect"] as? [String: Any])
                    let label = "\(name): step \(s), repetition \(i)"
                    switch try auth.authenticate(request: request) {
                    case .allowed:
                        XCTAssertEqual(int(e["status"]), 200, label)
                    case let .refused(refusal):
                        XCTAssertEqual(Int(refusal.status), int(e["status"]), label)
                        XCTAssertEqual(refusal.code.description, e["code"] as? String, label)
                        XCTAssertEqual(refusal.retryAfter, int(e["retry_after"]).map { TimeInterval($0) }, label)
                    }
                    checked += 1
                }
            }
            var counts: [String: Int] = [:]
            for ev in collector.events where ev.requestId == requestId {
                counts[ev.action, default: 0] += 1
            }
            for (action, n) in try XCTUnwrap(scenario["events"] as? [String: Any]) {
                XCTAssertEqual(counts[action] ?? 0, int(n), "\(name): \(action) \(counts)")
            }
        }
        XCTAssertEqual(checked, 55)
    }

    func testInvalidNumbersThrowInvalidInput() throws {
        XCTAssertThrowsError(try Threshold(count: 0, window: 60))
        XCTAssertThrowsError(try Threshold(count: 1, window: 0))
        XCTAssertThrowsError(try Lockout(failures: try Threshold(count: 1, window: 60), duration: 0))
        let t = try Threshold(count: 3, window: 60)
        XCTAssertEqual(t.count(), 3)
        XCTAssertEqual(try Lockout(failures: t, duration: 30).duration(), 30)
    }

    func testAuditLogWritesEcsLinesWithoutSecrets() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tw-audit-swift-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("audit.jsonl").path
        XCTAssertThrowsError(try AuditLog.open(target: "file://relative.log"))
        let log = try AuditLog.open(target: "file://\(path)")
        let keys = try ApiKeys(prefix: "tw_swecs")
        let secret = try keys.create(owner: "acct_swecs").secret.expose()
        let auth = try Authenticator(options: AuthenticatorOptions(
            apiKeys: keys,
            abuseDetection: AbuseDetection().withLockout(
                lockout: try Lockout(failures: try Threshold(count: 1, window: 60), duration: 60)),
            requestIdHeader: "X-Request-Id"
        ))
        for (value, rid) in [(secret, "sw-ecs-ok"), (String(secret.dropLast()) + (secret.hasSuffix("x") ? "y" : "x"), "sw-ecs-bad")] {
            _ = try auth.authenticate(request: AuthRequest(
                path: "/v1/x?api_key=\(value)",
                headers: [HttpHeader(name: "x-api-key", value: value), HttpHeader(name: "x-request-id", value: rid)],
                clientIp: "192.0.2.9"
            ))
        }
        log.cancel()
        XCTAssertGreaterThanOrEqual(log.written(), 4)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        XCTAssertFalse(text.contains(secret))
        XCTAssertFalse(text.contains(String(secret.dropFirst(12).dropLast())))
        let mode = try XCTUnwrap(try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber)
        XCTAssertEqual(mode.intValue & 0o777, 0o600)
        let mine = try text.split(separator: "\n").map {
            try XCTUnwrap(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }.filter {
            (($0["http"] as? [String: Any])?["request"] as? [String: Any])?["id"].flatMap { $0 as? String }?
                .hasPrefix("sw-ecs-") == true
        }
        let pairs = mine.map { r -> String in
            let id = ((r["http"] as? [String: Any])?["request"] as? [String: Any])?["id"] as? String ?? ""
            let action = (r["event"] as? [String: Any])?["action"] as? String ?? ""
            return "\(id) \(action)"
        }
        XCTAssertEqual(pairs, ["sw-ecs-ok gateway.authenticate", "sw-ecs-bad abuse.lockout",
                               "sw-ecs-bad abuse.lockout", "sw-ecs-bad gateway.authenticate"])
        XCTAssertEqual((mine[0]["event"] as? [String: Any])?["outcome"] as? String, "success")
        XCTAssertEqual((mine[0]["url"] as? [String: Any])?["path"] as? String, "/v1/x")
        XCTAssertEqual(int((mine[1]["event"] as? [String: Any])?["severity"]), 4)
        XCTAssertEqual((mine[3]["error"] as? [String: Any])?["code"] as? String, "checksum_mismatch")
    }
}
