//! The names tokenward's telemetry is recorded under (instruments, scope) and the kinds of
//! outbound request, apart from the code that records them so that both sides depend on this
//! module and not on each other.

/// The name of the meter and of the tracer (the instrumentation scope).
pub const SCOPE: &str = "tokenward";
/// Counter of gateway decisions (`Authenticator::authenticate` and its async and blocking forms).
pub const DECISIONS: &str = "tokenward.gateway.decisions";
/// Histogram of the time the gateway spends deciding, in seconds, without the network waits
/// (an introspection request or a JWKS fetch has a span of its own).
pub const DECISION_DURATION: &str = "tokenward.gateway.decision.duration";
/// Counter of JWT verifications (`JwtVerifier::verify` and its variants).
pub const JWT_VERIFICATIONS: &str = "tokenward.jwt.verifications";

/// What an outbound request is for: the `tokenward.operation` attribute of its span.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(not(feature = "otel"), allow(dead_code))]
pub(crate) enum Operation {
    /// The token endpoint (every grant).
    Token,
    /// A JWKS document.
    Jwks,
    /// OpenID Connect / RFC 8414 discovery.
    Discovery,
    /// RFC 7662 introspection.
    Introspection,
    /// RFC 7009 revocation.
    Revocation,
    /// RFC 9126 pushed authorization request.
    Par,
}

impl Operation {
    /// The attribute value.
    #[cfg_attr(not(feature = "otel"), allow(dead_code))]
    pub(crate) const fn as_str(self) -> &'static str {
        match self {
            Operation::Token => "token",
            Operation::Jwks => "jwks",
            Operation::Discovery => "discovery",
            Operation::Introspection => "introspection",
            Operation::Revocation => "revocation",
            Operation::Par => "par",
        }
    }
}
