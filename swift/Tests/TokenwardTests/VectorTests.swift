import Foundation
import XCTest
import Tokenward

/// Runs the shared conformance vectors of tests/vectors/ (or $TOKENWARD_VECTORS).
final class VectorTests: XCTestCase {
    private func load(_ name: String) throws -> [String: Any] {
        let url = TestVectors.url(name)
        let data = try Data(contentsOf: url)
        return try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [String: Any], name)
    }

    func testErrorCodes() throws {
        let doc = try load("error_codes.json")
        let codes = try XCTUnwrap(doc["codes"] as? [[String: Any]])
        XCTAssertEqual(errorCodes(), codes.compactMap { $0["code"] as? String })
        XCTAssertEqual(codes.count, errorCodes().count)
        // The typed enum: exactly these codes, in this order, with their categories.
        XCTAssertEqual(ErrorCode.allCases.map { $0.description }, codes.compactMap { $0["code"] as? String })
        XCTAssertEqual(ErrorCode.allCases.map { $0.asString() }, codes.compactMap { $0["code"] as? String })
        XCTAssertEqual(ErrorCode.allCases.map { $0.category().description }, codes.compactMap { $0["category"] as? String })
    }

    func testSecrets() throws {
        let doc = try load("secrets.json")
        let cases = try XCTUnwrap(doc["cases"] as? [[String: Any]])
        XCTAssertFalse(cases.isEmpty)
        for c in cases {
            let name = c["name"] as? String ?? "?"
            let input = try XCTUnwrap(c["input"] as? String, name)
            if let expected = c["fingerprint"] as? String {
                let secret = try Secret(value: input)
                XCTAssertEqual(secret.fingerprint(), expected, name)
                XCTAssertEqual(fingerprint(secret: input), expected, name)
                XCTAssertFalse("\(secret)".contains(input), name)
                XCTAssertFalse(String(reflecting: secret).contains(input), name)
            } else if let code = c["error"] as? String {
                XCTAssertThrowsError(try Secret(value: input), name) { error in
                    XCTAssertEqual((error as? TokenwardError)?.code.description, code, name)
                }
            } else {
                XCTFail("case \(name) has neither fingerprint nor error")
            }
        }
        if let empty = doc["fingerprint_of_empty"] as? String {
            XCTAssertEqual(fingerprint(secret: ""), empty)
        }
    }
}
