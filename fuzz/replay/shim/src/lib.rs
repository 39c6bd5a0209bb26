//! Stands in for `libfuzzer-sys` when the fuzz targets of `fuzz/fuzz_targets/` are built as
//! corpus replayers with stable Rust (`fuzz/replay`): `fuzz_target!` becomes a `main` that runs
//! the target's body once on every file named on the command line (a directory stands for the
//! files in it), so CI checks every committed corpus input without a nightly, sanitizer-coverage
//! build of the whole dependency graph. Real fuzzing still goes through cargo-fuzz
//! (`scripts/fuzz.sh`).

use std::panic::{self, AssertUnwindSafe};
use std::path::PathBuf;

/// The replayer's `main`, in place of libFuzzer's (the targets are `#![no_main]`).
#[macro_export]
macro_rules! fuzz_target {
    (|$data:ident: &[u8]| $body:block) => {
        #[no_mangle]
        pub extern "C" fn main(_argc: i32, _argv: *const *const u8) -> i32 {
            $crate::replay(|$data: &[u8]| $body)
        }
    };
}

/// Runs `target` on every input; prints the file whose input panicked and returns 1, or the
/// count of inputs and 0.
pub fn replay(target: impl Fn(&[u8])) -> i32 {
    let mut inputs: Vec<PathBuf> = Vec::new();
    for arg in std::env::args_os().skip(1) {
        let path = PathBuf::from(arg);
        match std::fs::read_dir(&path) {
            Ok(entries) => inputs.extend(entries.filter_map(|e| e.ok().map(|e| e.path()))),
            Err(_) => inputs.push(path),
        }
    }
    inputs.sort();
    let mut ran = 0usize;
    for input in &inputs {
        let Ok(bytes) = std::fs::read(input) else {
            eprintln!("replay: cannot read {}", input.display());
            return 1;
        };
        if panic::catch_unwind(AssertUnwindSafe(|| target(&bytes))).is_err() {
            eprintln!("replay: the target panicked on {}", input.display());
            return 1;
        }
        ran += 1;
    }
    println!("replay: {ran} inputs, no failure");
    if ran == 0 {
        eprintln!("replay: no input (a corpus directory is missing or empty)");
        return 1;
    }
    0
}
