//! Replays a fuzz target on every input of its committed corpus (`fuzz/corpus/<target>/`); the
//! integration test `tests/corpus.rs` calls it once per target.

use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};

/// Runs `target` on every file of `fuzz/corpus/<name>/` and panics naming the first input that
/// made it panic. Returns how many inputs ran; an empty or missing corpus is a failure.
pub fn replay(name: &str, target: fn(&[u8])) -> usize {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../corpus")
        .join(name);
    let mut inputs: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{name}: cannot read {}: {e}", dir.display()))
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.is_file())
        .collect();
    inputs.sort();
    assert!(!inputs.is_empty(), "{name}: no input in {}", dir.display());
    for input in &inputs {
        let bytes = std::fs::read(input).unwrap_or_else(|e| panic!("{}: {e}", input.display()));
        if panic::catch_unwind(AssertUnwindSafe(|| target(&bytes))).is_err() {
            panic!("{name}: the target panicked on {}", input.display());
        }
    }
    inputs.len()
}
