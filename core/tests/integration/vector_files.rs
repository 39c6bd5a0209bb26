//! The one loader of the shared conformance vectors (`tests/vectors/`, the files every
//! language's suite runs).

use std::path::PathBuf;

use serde_json::Value;

/// `tests/vectors/<name>` parsed as JSON; a missing or invalid file fails the test.
pub fn load(name: &str) -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/vectors")
        .join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path:?}: {e}"))
}
