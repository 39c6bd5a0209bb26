import Foundation

/// The shared test data of every language: tests/vectors/ (and its sibling tests/redaction/).
/// The directory is $TOKENWARD_VECTORS (scripts/test-swift.sh sets it to the path inside the
/// Swift root), else found from this file's path. One lookup for every suite, so they cannot
/// drift apart.
enum TestVectors {
    static var dir: URL {
        if let dir = ProcessInfo.processInfo.environment["TOKENWARD_VECTORS"], !dir.isEmpty {
            return URL(fileURLWithPath: dir)
        }
        // <repo>/swift/Tests/TokenwardTests/TestVectors.swift -> <repo>/tests/vectors
        return URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("tests/vectors")
    }

    /// A file of tests/vectors/.
    static func url(_ name: String) -> URL { dir.appendingPathComponent(name) }

    /// A file under tests/, beside vectors/ (tests/redaction/corpus.json).
    static func testsURL(_ relative: String) -> URL {
        dir.deletingLastPathComponent().appendingPathComponent(relative)
    }
}
