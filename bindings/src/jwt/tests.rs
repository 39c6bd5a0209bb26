//! Unit tests of the JWT conversions.

use tokenward::jwt as core;

use super::alg::{algorithm_from_string, Algorithm};
use super::claims::parse_claims;

/// Every core algorithm maps to its own variant and back, with the core's string (checked by
/// mapping `EdDSA` to `Es384` in `From<core::Algorithm>`: the test fails).
#[test]
fn algorithm_round_trips_through_the_core() {
    for alg in core::Algorithm::ALL {
        let ffi = Algorithm::from(alg);
        assert_eq!(core::Algorithm::from(ffi), alg);
        assert_eq!(ffi.as_string(), alg.as_str());
        assert_eq!(algorithm_from_string(alg.as_str().into()).ok(), Some(ffi));
    }
    assert!(algorithm_from_string("none".into()).is_err());
}

/// Claims nested deeper than serde_json's recursion limit (128) are refused, not recursed
/// into: without the limit this input overflows the stack and takes the JVM or the Swift
/// process down with it (checked by disabling the limit: the test binary aborts).
#[test]
fn deeply_nested_claims_are_refused_not_recursed() {
    let depth = 1_000_000;
    let deep = format!("{{\"a\":{}{}}}", "[".repeat(depth), "]".repeat(depth));
    assert!(parse_claims(&deep).is_err());
    assert!(parse_claims(r#"{"a":[[[1]]]}"#).is_ok());
}
