import XCTest
@testable import Tokenward

final class SecretTests: XCTestCase {
    private let value = "tw_live_super_secret_value_123"

    func testPrintedFormIsRedacted() throws {
        let secret = try Secret(value: value)
        let forms = [
            "\(secret)",
            String(describing: secret),
            String(reflecting: secret),
            secret.description,
            secret.debugDescription,
            "\([secret])",
            secret.redacted(),
        ]
        for form in forms {
            XCTAssertFalse(form.contains(value), "printed form leaked the secret: \(form)")
        }
        XCTAssertEqual(String(describing: secret), "[REDACTED:\(secret.fingerprint())]")
        XCTAssertEqual(secret.description, secret.redacted())
    }

    func testExposeReturnsTheValue() throws {
        XCTAssertEqual(try Secret(value: value).expose(), value)
    }

    func testFingerprintMatchesFreeFunction() throws {
        let secret = try Secret(value: value)
        XCTAssertEqual(secret.fingerprint(), fingerprint(secret: value))
        XCTAssertEqual(secret.fingerprint().count, 8)
    }

    func testRustErrorArrivesWithItsCode() {
        XCTAssertThrowsError(try Secret(value: "")) { error in
            guard let error = error as? TokenwardError else {
                return XCTFail("expected TokenwardError, got \(error)")
            }
            guard case let .Failed(code, message) = error else {
                return XCTFail("expected .Failed")
            }
            XCTAssertEqual(code, .invalidInput)
            XCTAssertEqual(error.code, .invalidInput)
            XCTAssertEqual(error.code.description, "invalid_input")
            XCTAssertEqual(error.code.category(), .input)
            XCTAssertFalse(message.isEmpty)
        }
    }

    func testRefusalIsMatchedByEnumValue() {
        XCTAssertThrowsError(try Secret(value: "")) { error in
            guard let error = error as? TokenwardError else {
                return XCTFail("expected TokenwardError, got \(error)")
            }
            switch error.code {
            case .invalidInput: break
            case .expired, .revoked: XCTFail("wrong case \(error.code)")
            default: XCTFail("wrong case \(error.code)")
            }
        }
    }

    func testErrorDescriptionIsCodeColonMessage() {
        XCTAssertThrowsError(try Secret(value: "")) { error in
            guard let tw = error as? TokenwardError else {
                return XCTFail("expected TokenwardError, got \(error)")
            }
            let expected = "invalid_input: \(tw.message)"
            XCTAssertEqual(tw.errorDescription, expected)
            XCTAssertEqual(error.localizedDescription, expected)
            XCTAssertEqual("\(tw)", expected)
            XCTAssertEqual(tw.description, expected)
        }
    }

    func testVersion() {
        XCTAssertNotNil(version().range(of: #"^\d+\.\d+\.\d+"#, options: .regularExpression))
    }
}
