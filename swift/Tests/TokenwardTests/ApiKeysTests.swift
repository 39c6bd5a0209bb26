import Foundation
import XCTest
import Tokenward

/// API keys: tests/vectors/apikeys.json plus the lifecycle through the Swift binding.
final class ApiKeysTests: XCTestCase {
    private func load() throws -> [String: Any] {
        let data = try Data(contentsOf: TestVectors.url("apikeys.json"))
        return try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    private func expand(_ c: [String: Any]) throws -> String {
        if let key = c["key"] as? String { return key }
        let rep = try XCTUnwrap(c["key_repeat"] as? [String: Any])
        let unit = try XCTUnwrap(rep["unit"] as? String)
        let count = try XCTUnwrap(rep["count"] as? Int)
        return String(repeating: unit, count: count)
    }

    private func codeOf(_ body: () throws -> Void) -> String? {
        do {
            try body()
            return nil
        } catch let error as TokenwardError {
            return error.code.description
        } catch {
            return "unexpected: \(error)"
        }
    }

    private func fullMatch(_ regex: NSRegularExpression, _ s: String) -> Bool {
        let whole = NSRange(s.startIndex..., in: s)
        return regex.firstMatch(in: s, options: [.anchored], range: whole)?.range == whole
    }

    func testFormatVectors() throws {
        let doc = try load()
        XCTAssertEqual(doc["pattern"] as? String, apiKeyPattern())
        let regex = try NSRegularExpression(pattern: apiKeyPattern())
        let cases = try XCTUnwrap(doc["format"] as? [[String: Any]])
        XCTAssertGreaterThan(cases.count, 20)
        for c in cases {
            let name = c["name"] as? String ?? "?"
            let key = try expand(c)
            XCTAssertEqual(fullMatch(regex, key), c["matches_pattern"] as? Bool, name)
            if let code = c["error"] as? String {
                XCTAssertEqual(codeOf { _ = try ApiKeys.checkFormat(key: key) }, code, name)
            } else {
                let info = try ApiKeys.checkFormat(key: key)
                XCTAssertEqual(info.prefix, c["prefix"] as? String, name)
                XCTAssertEqual(info.id, c["id"] as? String, name)
                XCTAssertEqual(info.display, c["display"] as? String, name)
                XCTAssertTrue(key.hasSuffix(try XCTUnwrap(c["checksum"] as? String)), name)
            }
        }
    }

    func testVerifyVectors() throws {
        let doc = try load()
        let verify = try XCTUnwrap(doc["verify"] as? [String: Any])
        let keys = try ApiKeys(prefix: try XCTUnwrap(verify["prefix"] as? String))
        for c in try XCTUnwrap(verify["cases"] as? [[String: Any]]) {
            let name = c["name"] as? String ?? "?"
            let key = try expand(c)
            XCTAssertEqual(codeOf { _ = try keys.verify(key: key) }, c["error"] as? String, name)
        }
    }

    func testLifecycle() throws {
        let keys = try ApiKeys(prefix: "tw_live")
        let issued = try keys.create(owner: "alice", scopes: ["read"], expiresIn: 3600, metadata: ["plan": "pro"])
        let key = issued.secret.expose()
        let secretPart = String(key.dropFirst("tw_live_".count + 12))
        XCTAssertFalse("\(issued.secret)".contains(secretPart))
        XCTAssertFalse("\(issued.record)".contains(secretPart))
        let record = try keys.verify(key: key)
        XCTAssertEqual(record.id, issued.record.id)
        XCTAssertEqual(record.owner, "alice")
        XCTAssertEqual(record.scopes, ["read"])
        XCTAssertEqual(record.metadata, ["plan": "pro"])
        XCTAssertEqual(record.expiresAt, record.createdAt.addingTimeInterval(3600))
        XCTAssertLessThan(abs(record.createdAt.timeIntervalSinceNow), 60)
        XCTAssertEqual(try keys.verify(key: issued.secret).id, record.id)

        let next = try keys.rotate(id: record.id, overlap: 3600)
        XCTAssertEqual(try keys.get(id: record.id).replacedBy, next.record.id)
        XCTAssertEqual(try keys.verify(key: key).id, record.id)
        let newer = try keys.rotate(id: next.record.id, overlap: 0)
        XCTAssertEqual(codeOf { _ = try keys.verify(key: next.secret) }, "expired")
        XCTAssertNotNil(try keys.revoke(id: newer.record.id).revokedAt)
        XCTAssertEqual(codeOf { _ = try keys.verify(key: newer.secret) }, "revoked")
        XCTAssertEqual(try keys.list(owner: "alice").count, 3)
        XCTAssertEqual(codeOf { _ = try keys.revoke(id: "nope") }, "unknown_key")
        XCTAssertEqual(codeOf { _ = try ApiKeys(prefix: "TW") }, "invalid_input")
    }

    func testSqliteStoreHoldsNoPlaintext() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tw-swift-\(UUID())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("keys.db").path
        let pepper = try Secret(value: "a-long-server-side-pepper-value!")
        let keys = try ApiKeys(prefix: "tw_live", options: ApiKeysOptions(store: "sqlite://\(path)", pepper: pepper))
        let secrets = try (0..<5).map { try keys.create(owner: "user\($0)").secret.expose() }
        let again = try ApiKeys(prefix: "tw_live", options: ApiKeysOptions(store: path, pepper: pepper))
        XCTAssertEqual(try again.verify(key: secrets[0]).owner, "user0")
        var blob = Data()
        for file in try FileManager.default.contentsOfDirectory(atPath: dir.path) {
            blob.append(try Data(contentsOf: dir.appendingPathComponent(file)))
        }
        for key in secrets {
            XCTAssertNil(blob.range(of: Data(key.utf8)))
            XCTAssertNil(blob.range(of: Data(key.dropFirst("tw_live_".count + 12).dropLast(6).utf8)))
        }
    }
}
