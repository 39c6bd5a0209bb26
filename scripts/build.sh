#!/usr/bin/env bash
# Installs the toolchain packages (pip, npm) and builds the CLI, the uniffi library (Kotlin,
# Swift) and the Python and Node bindings into the shared target directory, all the way
# scripts/native.sh describes (one dist profile, zig, glibc 2.17). Idempotent; cargo and npm make
# repeat runs cheap.
#
#   scripts/build.sh            everything
#   scripts/build.sh native     packages, CLI and uniffi library (what Kotlin and Swift load)
#   scripts/build.sh bindings   the Python wheel (installed) and the Node addon, after `native`
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
PHASE="${1:-all}"
case "$PHASE" in all|native|bindings) ;; *) echo "usage: $0 [native|bindings]" >&2; exit 2 ;; esac

build_native() {
  step "Python build tools: maturin and zig (every native build's C compiler and linker)"
  python3 -m pip install -q $(grep -E '^(maturin|ziglang)==' "$REPO/python/requirements-dev.txt")

  # The first compile starts now and runs while the remaining packages download (on a fresh
  # machine that is a minute of network time the CPU would otherwise spend idle); its output is
  # shown when it ends.
  source "$REPO/scripts/native.sh"
  step "Rust: CLI and uniffi library (compiling in the background)"
  cargo_log="$CARGO_TARGET_DIR/build-cli-ffi.log"
  mkdir -p "$CARGO_TARGET_DIR"
  build_cli_and_ffi >"$cargo_log" 2>&1 &
  cargo_pid=$!

  step "Python build and test dependencies"
  python3 -m pip install -q -r "$REPO/python/requirements-dev.txt"

  step "Node dependencies"
  # npm ci deletes node_modules and installs the lock file again on every run (20 s of CPU): skipped
  # when node_modules was installed here from these exact manifests by this Node.
  npm_key="$(cat "$REPO/node/package.json" "$REPO/node/package-lock.json" <(node --version) | sha256sum | cut -c1-16)"
  npm_stamp="$REPO/node/node_modules/.tokenward-npm-ci"
  if [ "$(cat "$npm_stamp" 2>/dev/null)" != "$npm_key" ]; then
    (cd "$REPO/node" && npm ci --loglevel=error)
    echo "$npm_key" >"$npm_stamp"
  else
    echo "node_modules is the one npm ci installed from node/package-lock.json"
  fi

  step "Rust: CLI and uniffi library (waiting for the compile)"
  if wait "$cargo_pid"; then cat "$cargo_log"; else cat "$cargo_log"; echo "the CLI / uniffi build failed" >&2; return 1; fi
}

build_bindings() {
  source "$REPO/scripts/native.sh"
  step "Python binding (abi3 manylinux2014 wheel)"
  # The same wheel scripts/package/python.sh ships (same command), so packaging finds it built and
  # the Python suite tests what is published.
  DIST="$CARGO_TARGET_DIR/wheels" "$REPO/scripts/package/python.sh" --wheel
  python3 -m pip install -q --force-reinstall --no-deps "$CARGO_TARGET_DIR"/wheels/tokenward-*.whl

  step "Node binding (napi-rs)"
  build_node_addon
}

case "$PHASE" in
  native)   build_native ;;
  bindings) build_bindings ;;
  all)      build_native; build_bindings ;;
esac
