# Sourced (after common.sh and native.sh) by scripts/gen-bindings.sh and
# scripts/check-bindings-fresh.sh: the committed uniffi bindings, and the fingerprint of what the
# generator read and wrote when they were made (scripts/uniffi_fingerprint.py): the uniffi
# metadata of the library, the generator's manifest, lock file and source, bindings/uniffi.toml,
# and the generated files themselves.
BINDINGS_STAMP="$REPO/bindings/generated-bindings.sha256"
# generated file (relative to the generator's output directories) -> committed file
BINDINGS_FILES=(
  "kotlin/dev/tokenward/tokenward.kt:kotlin/src/main/kotlin/dev/tokenward/tokenward.kt"
  "swift/Tokenward/Tokenward.swift:swift/Sources/Tokenward/Tokenward.swift"
  "swift/tokenwardFFI/tokenwardFFI.h:swift/Sources/tokenwardFFI/tokenwardFFI.h"
  "swift/tokenwardFFI/module.modulemap:swift/Sources/tokenwardFFI/module.modulemap"
)
bindings_fingerprint() {
  local inputs=(tools/uniffi-bindgen/Cargo.toml tools/uniffi-bindgen/Cargo.lock
                tools/uniffi-bindgen/src/main.rs bindings/uniffi.toml) pair
  for pair in "${BINDINGS_FILES[@]}"; do inputs+=("${pair#*:}"); done
  (cd "$REPO" && python3 scripts/uniffi_fingerprint.py "$NATIVE_DIR/libtokenward_ffi.a" "${inputs[@]}")
}
