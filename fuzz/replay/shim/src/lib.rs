//! Stands in for `libfuzzer-sys` when the fuzz targets of `fuzz/fuzz_targets/` are replayed on
//! their committed corpora with stable Rust (`fuzz/replay/tests/corpus.rs`): `fuzz_target!`
//! becomes a plain function the test calls once per input, so CI checks every committed corpus
//! input without a nightly, sanitizer-coverage build of the whole dependency graph. Real fuzzing
//! still goes through cargo-fuzz (`scripts/fuzz.sh`).

/// The target's body as `fuzz_one`, in place of libFuzzer's entry point.
#[macro_export]
macro_rules! fuzz_target {
    (|$data:ident: &[u8]| $body:block) => {
        pub fn fuzz_one($data: &[u8]) $body
    };
}
