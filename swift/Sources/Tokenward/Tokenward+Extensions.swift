// Idiomatic additions to the generated bindings. Hand-written: not touched by gen-bindings.sh.

import Foundation

extension TokenwardError {
    /// Why this failed, to switch on: `switch error.code { case .expired: … }`. Its stable
    /// snake_case string (`"expired"`, the same in every language) is `code.description`.
    public var code: ErrorCode {
        switch self {
        case let .Failed(code, _): return code
        }
    }

    /// A human-readable description that never contains secret material.
    public var message: String {
        switch self {
        case let .Failed(_, message): return message
        }
    }
}

// "<code>: <message>" for `print(error)`, `"\(error)"` and `localizedDescription` alike
// (uniffi's own errorDescription is a debug dump of the enum case; it is turned off in
// bindings/uniffi.toml).
extension TokenwardError: CustomStringConvertible {
    public var description: String { "\(code): \(message)" }
}

extension TokenwardError: LocalizedError {
    public var errorDescription: String? { description }
}

extension KeySet {
    /// The number of keys (Swift's collection idiom for the core's `len`).
    public var count: Int { Int(len()) }
}

extension ApiKeys {
    /// Checks the shape and checksum of any tokenward API key offline (no store); throws
    /// `TokenwardError.Failed` with `.invalidFormat` or `.checksumMismatch`. The core's
    /// `ApiKeys::check_format` (uniffi exports no static methods: this calls the generated
    /// `checkApiKeyFormat`).
    public static func checkFormat(key: String) throws -> KeyInfo {
        try checkApiKeyFormat(key: key)
    }
}

/// One hook of a `TokenSource` as a `TokenSourceListener` (the other callback does nothing).
private final class TokenSourceHook: TokenSourceListener {
    private let refreshed: @Sendable (TokenResponse) -> Void
    private let failed: @Sendable (ErrorCode, String) -> Void
    init(
        refreshed: @escaping @Sendable (TokenResponse) -> Void = { _ in },
        failed: @escaping @Sendable (ErrorCode, String) -> Void = { _, _ in }
    ) {
        self.refreshed = refreshed
        self.failed = failed
    }
    func onRefresh(tokens: TokenResponse) { refreshed(tokens) }
    func onError(code: ErrorCode, message: String) { failed(code, message) }
}

extension TokenSource {
    /// Calls `hook` after every refresh with the new response (persist a rotated refresh token
    /// from here): the `on_refresh` of the other languages, over `addListener`. The hook runs on
    /// a library thread, inline with the refresh.
    public func onRefresh(_ hook: @escaping @Sendable (TokenResponse) -> Void) {
        addListener(listener: TokenSourceHook(refreshed: hook))
    }

    /// Calls `hook` with the code and message of every failed token request (never secret
    /// material).
    public func onError(_ hook: @escaping @Sendable (ErrorCode, String) -> Void) {
        addListener(listener: TokenSourceHook(failed: hook))
    }
}
