#!/usr/bin/env bash
# The static gates of CI: Rust formatting, clippy and rustdoc with warnings as errors, ruff and
# mypy for the Python package, tsc for the published TypeScript declarations. Each gate runs even
# when an earlier one failed; the last line counts them. The module-cycle check
# (scripts/check-module-cycles.sh) is not a gate here: its tool, cargo-modules, compiles
# rust-analyzer from crates.io (tens of minutes on a fresh 2-core machine, past CI's budget);
# run it by hand before a release.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
source "$REPO/scripts/native.sh"
set +e
cd "$REPO"
gate() { tally lint "$@"; }
# clippy and rustdoc check in the dist profile and target (scripts/native.sh): they reuse the build
# scripts' outputs (aws-lc, SQLite) of scripts/build.sh instead of compiling the C libraries again.
gate rustfmt  cargo fmt --all -- --check
# pyo3's build script runs once per profile and target for check and build alike; maturin runs it
# with the interpreter configuration it wrote (PYO3_CONFIG_FILE). Without the same variable here,
# clippy reran it and the next wheel build compiled pyo3 and the Python binding again (about 30 s).
pyo3_config=("$CARGO_TARGET_DIR"/maturin/pyo3-config-"$DIST_TARGET"-*-abi3.txt)
[ -f "${pyo3_config[0]}" ] && export PYO3_CONFIG_FILE="${pyo3_config[0]}"
gate clippy   cargo clippy "${CARGO_DIST[@]}" -q --workspace --all-targets --features tokenward/tower -- -D warnings
# With bindings/unified-features beside tokenward, the dependencies resolve as they did for clippy
# just above, whose checked dependencies rustdoc then reuses (alone, `-p tokenward` resolves other
# features and checks about a hundred crates again). The features documented are the artifacts'.
gate rustdoc  env RUSTDOCFLAGS="-D warnings" cargo doc "${CARGO_DIST[@]}" -q --no-deps -p tokenward -p tokenward-unified-features --features tokenward/tower
gate ruff     ruff check --no-cache python/
gate mypy     python3 -m mypy --strict python/tokenward
gate tsc      node/node_modules/.bin/tsc --noEmit --strict --skipLibCheck false node/index.d.ts
echo "lint: $passed passed, $failed failed"
[ "$failed" = 0 ]
