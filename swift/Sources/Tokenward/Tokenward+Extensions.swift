// Idiomatic additions to the generated bindings. Hand-written: not touched by gen-bindings.sh.

extension TokenwardError {
    /// The stable snake_case code of this failure (`invalid_input`, `expired`, …), the same in
    /// every language.
    public var code: String {
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
