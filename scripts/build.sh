#!/usr/bin/env bash
# Installs the toolchain packages (pip, npm) and builds the CLI and the Python and Node bindings
# into the shared target directory. Idempotent; cargo and npm make repeat runs cheap.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

step "Python build and test dependencies"
python3 -m pip install -q -r "$REPO/python/requirements-dev.txt"

step "Node dependencies"
(cd "$REPO/node" && npm ci --loglevel=error)

step "Rust: CLI and uniffi library (release)"
cargo build --release -q -p tokenward-cli -p tokenward-ffi --features tokenward-ffi/bindgen

step "Python binding (maturin, abi3 wheel)"
rm -rf "$CARGO_TARGET_DIR/wheels"
(cd "$REPO/python" && maturin build --release -q -o "$CARGO_TARGET_DIR/wheels" 2>&1 | grep -v '^📦' || true)
python3 -m pip install -q --force-reinstall --no-deps "$CARGO_TARGET_DIR"/wheels/tokenward-*.whl

step "Node binding (napi-rs)"
(cd "$REPO/node" && npx napi build --platform --release --js binding.js --dts index.d.ts >/dev/null)
