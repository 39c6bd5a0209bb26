import Foundation
import XCTest
@testable import Tokenward

/// Audit events through `onAudit`, produced by real operations (there is no test hook).
final class AuditTests: XCTestCase {
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

    private func inAMinute() -> Date { Date().addingTimeInterval(60) }

    func testListenerReceivesTypedEventsUntilClosed() throws {
        let collector = Collector()
        let subscription = onAudit(listener: collector)
        let list = try RevocationList()
        let auth = try Authenticator(options: AuthenticatorOptions(apiKeys: try ApiKeys(prefix: "tw_test")))
        try list.revoke(kind: .subject, id: "audit-swift-alice", until: inAMinute())
        _ = try auth.authenticate(request: AuthRequest(clientIp: "198.51.100.7"))
        subscription.cancel()
        subscription.cancel() // cancelling twice does nothing
        try list.revoke(kind: .subject, id: "audit-swift-carol", until: inAMinute())

        let revoked = collector.events.filter { $0.credentialId?.hasPrefix("audit-swift-") == true }
        let core = revoked.map {
            AuditEvent(action: $0.action, outcome: $0.outcome, code: $0.code, credentialId: $0.credentialId,
                       subject: $0.subject)
        }
        XCTAssertEqual(core, [AuditEvent(action: "gateway.revoke_subject", outcome: .success, code: nil,
                                         credentialId: "audit-swift-alice", subject: nil)])
        let refused = try XCTUnwrap(collector.events.first { $0.action == "gateway.authenticate" })
        XCTAssertEqual(refused.outcome, .failure)
        XCTAssertEqual(refused.code, .missingCredentials)
        XCTAssertEqual(refused.code?.description, "missing_credentials")
        let text = "\(collector.events)"
        XCTAssertEqual(redact(text: text), text)
    }
}
