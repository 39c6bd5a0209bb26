import Foundation
import XCTest
@testable import Tokenward

/// Redaction: the shared corpus (tests/redaction/corpus.json), options and audit listeners.
final class RedactTests: XCTestCase {
    private struct Case: Decodable {
        let text: String
        let secrets: [String]
        let keep: [String]
    }

    private struct Corpus: Decodable {
        let secret: [Case]
        let clean: [String]
    }

    private static var corpusURL: URL { TestVectors.testsURL("redaction/corpus.json") }

    func testCorpusRecallAndFalsePositives() throws {
        let corpus = try JSONDecoder().decode(Corpus.self, from: Data(contentsOf: Self.corpusURL))
        var missed: [String] = []
        for c in corpus.secret {
            let out = redact(text: c.text)
            if c.secrets.contains(where: { out.contains($0) }) || c.keep.contains(where: { !out.contains($0) })
                || !out.contains("[REDACTED:") {
                missed.append("\(c.text) -> \(out)")
            }
        }
        let fps = corpus.clean.filter { redact(text: $0) != $0 }
        let n = corpus.secret.count, m = corpus.clean.count
        print("redaction corpus: recall \(100.0 * Double(n - missed.count) / Double(n))% of \(n), "
            + "false positives \(100.0 * Double(fps.count) / Double(m))% of \(m)")
        XCTAssertGreaterThanOrEqual(n, 60)
        XCTAssertGreaterThanOrEqual(m, 40)
        XCTAssertEqual(missed, [])
        XCTAssertEqual(fps, [])
    }

    func testRedactorOptions() throws {
        let r = try Redactor(options: RedactorOptions(names: ["ssn"], patterns: ["order": "order#([0-9]{6})"], replacement: "kind"))
        XCTAssertEqual(
            r.redact(text: "ssn=123-45-6789 order#123456 password=x1"),
            "ssn=[REDACTED:ssn] order#[REDACTED:order] password=[REDACTED:password]")
        let key = "tw_live_3xK9pQ2mZ7vR4tY8wB1nC5dF6gH0jL2kM4"
        XCTAssertEqual(redact(text: "key=\(key)"), "key=[REDACTED:api_key:\(fingerprint(secret: key))]")
        XCTAssertThrowsError(try Redactor(options: RedactorOptions(patterns: ["x": "("])))
        // The line limit is checked by the core (at least 1 KiB), not silently raised.
        XCTAssertThrowsError(try Redactor(options: RedactorOptions(maxLine: 1023)))
        let bytes = try Redactor().redactBytes(data: Data("password=hunter2 ok".utf8))
        XCTAssertEqual(String(decoding: bytes, as: UTF8.self), "password=[REDACTED:password] ok")
    }
}
