#!/usr/bin/env bash
# Installs the toolchain packages (pip, npm) and builds the CLI, the uniffi library (Kotlin,
# Swift) and the Python and Node bindings into the shared target directory, all the way
# scripts/native.sh describes (one dist profile, zig, glibc 2.17). Idempotent; cargo and npm make
# repeat runs cheap.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

step "Python build and test dependencies"
python3 -m pip install -q -r "$REPO/python/requirements-dev.txt"

step "Node dependencies"
(cd "$REPO/node" && npm ci --loglevel=error)

source "$REPO/scripts/native.sh"
step "Rust: CLI and uniffi library"
build_cli_and_ffi

step "Python binding (abi3 manylinux2014 wheel)"
# The same wheel scripts/package/python.sh ships (same command), so packaging finds it built and
# the Python suite tests what is published.
DIST="$CARGO_TARGET_DIR/wheels" "$REPO/scripts/package/python.sh" --wheel
python3 -m pip install -q --force-reinstall --no-deps "$CARGO_TARGET_DIR"/wheels/tokenward-*.whl

step "Node binding (napi-rs)"
build_node_addon
