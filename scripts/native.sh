# Sourced (after common.sh) by every script that compiles or loads tokenward's native code.
#
# CI and releases build every native artifact -- the CLI, the uniffi library of Kotlin/Swift, the
# Node addon, the Python wheel -- and the Rust test binaries the same way: for
# x86_64-unknown-linux-gnu, in the `dist` cargo profile (release without cross-crate LTO; a
# release build turns it on, below), with zig as C compiler and
# linker against glibc 2.17 (manylinux2014). One toolchain, one profile, one target triple, and
# one feature set (bindings/unified-features): the dependencies (aws-lc, SQLite, tokio, ...)
# compile once for all four artifacts, and every .so/.node runs on any glibc >= 2.17.
#
# zig comes from the `ziglang` PyPI package and is driven through `maturin zig cc|c++|ar|ranlib`
# (both in python/requirements-dev.txt). The wrappers live at fixed paths in the target directory:
# cargo fingerprints CC_* and the linker, so every command must see the same ones.
DIST_TARGET=x86_64-unknown-linux-gnu
DIST_PROFILE=dist
# A release links with thin LTO across crates (the `release` profile's settings); CI and local
# builds do not (see [profile.dist] in Cargo.toml).
if [ "${TOKENWARD_RELEASE:-0}" = 1 ]; then
  export CARGO_PROFILE_DIST_LTO=thin CARGO_PROFILE_DIST_CODEGEN_UNITS=4
fi
NATIVE_DIR="$CARGO_TARGET_DIR/$DIST_TARGET/$DIST_PROFILE"
CARGO_DIST=(--profile "$DIST_PROFILE" --target "$DIST_TARGET")

zig_wrappers() {
  local dir="$CARGO_TARGET_DIR/zig" maturin zig rustc_release tool new
  # The real maturin and zig binaries, not the launchers on PATH: a C compile goes through the
  # wrapper once per file (aws-lc has hundreds), and by default each call paid for a pyenv shim,
  # two Python start-ups (`python3 -m ziglang version`, then `python3 -m ziglang cc`) and a
  # `rustc -vV` -- about 0.3 s of CPU per file, more than the compile of most of them.
  # CARGO_ZIGBUILD_* are the knobs of cargo-zigbuild, which implements `maturin zig`.
  read -r maturin zig < <(python3 - <<'PY'
import os, shutil, sysconfig
try:
    import ziglang
    zig = os.path.join(os.path.dirname(ziglang.__file__), "zig")
except ImportError:
    zig = shutil.which("zig") or "-"
maturin = os.path.join(sysconfig.get_path("scripts"), "maturin")
if not os.access(maturin, os.X_OK):
    maturin = shutil.which("maturin") or "-"
print(maturin, zig)
PY
  )
  [ "$maturin" != - ] && [ "$zig" != - ] \
    || { echo "maturin or zig is missing: pip install -r python/requirements-dev.txt" >&2; return 1; }
  rustc_release="$(rustc -vV | sed -n 's/^release: //p')"
  mkdir -p "$dir"
  # Scripts run side by side (scripts/test-all.sh's lanes) and each sources this file: each writes
  # its own temporary file and renames it into place only when the content differs (an atomic
  # replace, so no command ever sees a half-written wrapper and cargo's fingerprint stays).
  # The linker is `zig cc` with -g, as cargo-zigbuild has it: without it zig strips what it links.
  # The C compilers go without: debug info for aws-lc's C made its compile 15% slower, and the
  # Rust code of the dist profile carries none either.
  for tool in cc c++ ar ranlib linker; do
    new="$dir/$tool.new.$$"
    {
      printf '#!/bin/sh\nexport CARGO_ZIGBUILD_PYTHON_PATH=/nonexistent CARGO_ZIGBUILD_ZIG_PATH="%s" CARGO_ZIGBUILD_RUSTC_VERSION="%s"\n' \
        "$zig" "$rustc_release"
      case "$tool" in
        cc|c++) printf 'exec "%s" zig %s -- -fno-sanitize=all -target x86_64-linux-gnu.2.17 "$@"\n' "$maturin" "$tool" ;;
        linker) printf 'exec "%s" zig cc -- -g -fno-sanitize=all -target x86_64-linux-gnu.2.17 "$@"\n' "$maturin" ;;
        *) printf 'exec "%s" zig %s -- "$@"\n' "$maturin" "$tool" ;;
      esac
    } >"$new"
    chmod +x "$new"
    if cmp -s "$new" "$dir/$tool"; then rm -f "$new"; else mv -f "$new" "$dir/$tool"; fi
  done
  export CC_x86_64_unknown_linux_gnu="$dir/cc" CXX_x86_64_unknown_linux_gnu="$dir/c++"
  export AR_x86_64_unknown_linux_gnu="$dir/ar" RANLIB_x86_64_unknown_linux_gnu="$dir/ranlib"
  export CARGO_TARGET_X86_64_UNKNOWN_LINUX_GNU_LINKER="$dir/linker"
}
zig_wrappers

# The package set and features of the Rust test build (`cargo test` in scripts/test-all.sh). Every
# cargo command that should reuse its compiled units (the corpus replays of scripts/fuzz.sh --ci,
# the Rust examples) passes the same: another package set resolves other features and compiles
# the core again.
RUST_TEST_SET=(--workspace --exclude tokenward-python --exclude tokenward-node --features tokenward/tower)

# The CLI and the uniffi library (cdylib for Kotlin/JNA and Swift on Linux). With
# TOKENWARD_PREBUILT=1 (scripts/test-all.sh, right after scripts/build.sh built them) the built
# files are used as they are.
build_cli_and_ffi() {
  if [ "${TOKENWARD_PREBUILT:-0}" = 1 ] && [ -f "$NATIVE_DIR/libtokenward_ffi.so" ]; then return 0; fi
  cargo build "${CARGO_DIST[@]}" -q -p tokenward-cli -p tokenward-ffi
}

# The Node addon (node/tokenward.linux-x64-gnu.node), its loader binding.js and index.d.ts, then
# the published declarations (tools/public-dts.mjs). `npm run build` in node/ is the same with
# the host toolchain and the release profile.
#
# With TOKENWARD_PREBUILT=1 (scripts/test-all.sh's packaging, after scripts/build.sh built it) the
# built addon is used as it is.
#
# The napi CLI builds the crate with NAPI_FORCE_BUILD_TOKENWARD_NODE set to the time of day when
# its type-definition file (target/napi-rs/tokenward-node-<hash>/tokenward-node) is missing, and
# later without it; the build script reruns on that change, so the second `napi build` of a fresh
# target directory compiled tokenward-node again (25 s). When the crate has never been compiled
# here, the file is created first by a napi run whose `cargo` (napi honours $CARGO) only does that
# (scripts/napi-type-def-file.sh); the real build then compiles the crate, which writes the type
# definitions, and later builds find it fresh. A crate already compiled keeps napi's own forcing.
build_node_addon() {
  if [ "${TOKENWARD_PREBUILT:-0}" = 1 ] && [ -f "$REPO/node/tokenward.linux-x64-gnu.node" ]; then return 0; fi
  local napi_build=(node_modules/.bin/napi build --platform "${CARGO_DIST[@]}" --js binding.js --dts index.d.ts)
  if ! compgen -G "$NATIVE_DIR/.fingerprint/tokenward-node-*" >/dev/null; then
    (cd "$REPO/node" && CARGO="$REPO/scripts/napi-type-def-file.sh" "${napi_build[@]}") >/dev/null 2>&1 || true
  fi
  (cd "$REPO/node" && "${napi_build[@]}" >/dev/null && node tools/public-dts.mjs)
}
