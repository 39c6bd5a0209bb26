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

step "Python binding (maturin --zig, abi3 manylinux2014 wheel)"
# The same wheel scripts/package/python.sh ships (same command, same cargo profile), so packaging
# finds it built and the Python suite tests what is published.
DIST="$CARGO_TARGET_DIR/wheels" "$REPO/scripts/package/python.sh" --wheel
python3 -m pip install -q --force-reinstall --no-deps "$CARGO_TARGET_DIR"/wheels/tokenward-*.whl

step "Node binding (napi-rs)"
# `npm run build`: napi build (loader binding.js, types index.d.ts) + tools/public-dts.mjs.
(cd "$REPO/node" && npm run -s build >/dev/null)
