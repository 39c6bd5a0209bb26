#!/usr/bin/env bash
# Runs every example of examples/ (and the Rust ones of core/examples) against the built tree:
# each exits non-zero when tokenward does not behave as the example says. The last line is
# `examples: N passed, M failed`.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
source "$REPO/scripts/native.sh"
set +e
cd "$REPO"
run() { tally example "$@"; }
# Built with the Rust suite's package set, whose `cargo test` has compiled the examples already.
cargo build "${CARGO_DIST[@]}" -q "${RUST_TEST_SET[@]}" --examples \
  || { echo "examples: the Rust examples did not build"; exit 1; }
run rust/quickstart "$NATIVE_DIR/examples/quickstart"
for f in examples/python/*.py; do run "python/$(basename "$f")" python3 -P "$f"; done
for f in examples/node/*.mjs; do run "node/$(basename "$f")" node "$f"; done
echo "examples: $passed passed, $failed failed"
[ "$failed" = 0 ] && [ "$passed" -gt 0 ]
