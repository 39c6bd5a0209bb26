#!/usr/bin/env bash
# Regenerates the uniffi Kotlin and Swift bindings from the tokenward-ffi cdylib.
#
#   scripts/gen-bindings.sh [KOTLIN_OUT SWIFT_OUT]
#
# Defaults write the committed files:
#   kotlin/src/main/kotlin/dev/tokenward/tokenward.kt
#   swift/Sources/Tokenward/Tokenward.swift
#   swift/Sources/tokenwardFFI/{tokenwardFFI.h,module.modulemap}
# With arguments, KOTLIN_OUT takes the place of kotlin/src/main/kotlin and SWIFT_OUT the place of
# swift/Sources (used by scripts/check-bindings-fresh.sh).
# The generator is tools/uniffi-bindgen, pinned to the uniffi version of the scaffolding.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
source "$REPO/scripts/native.sh"
source "$REPO/scripts/bindings-fingerprint.sh"
KOTLIN_OUT="${1:-$REPO/kotlin/src/main/kotlin}"
SWIFT_OUT="${2:-$REPO/swift/Sources}"

cd "$REPO"
build_cli_and_ffi >&2
build_uniffi_bindgen >&2
BINDGEN="$UNIFFI_BINDGEN"
# The static library: uniffi reads its metadata from the symbol table, which the zig-linked .so
# no longer has (only the dynamic one); the archive holds the same objects, unlinked.
LIB="$NATIVE_DIR/libtokenward_ffi.a"

TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
# --no-format: output must not depend on whether ktlint / swift-format happen to be installed.
# bindings/uniffi.toml is found through cargo metadata (crate root), so no --config here.
"$BINDGEN" generate --no-format --library "$LIB" --language kotlin --out-dir "$TMP/kotlin" >&2
"$BINDGEN" generate --no-format --library "$LIB" --language swift --out-dir "$TMP/swift" >&2

mkdir -p "$KOTLIN_OUT/dev/tokenward" "$SWIFT_OUT/Tokenward" "$SWIFT_OUT/tokenwardFFI"
cp "$TMP/kotlin/dev/tokenward/tokenward.kt" "$KOTLIN_OUT/dev/tokenward/tokenward.kt"
cp "$TMP/swift/Tokenward.swift" "$SWIFT_OUT/Tokenward/Tokenward.swift"
cp "$TMP/swift/tokenwardFFI.h" "$SWIFT_OUT/tokenwardFFI/tokenwardFFI.h"
# SwiftPM wants the module map of a system-library target named module.modulemap.
cp "$TMP/swift/tokenwardFFI.modulemap" "$SWIFT_OUT/tokenwardFFI/module.modulemap"
echo "gen-bindings: kotlin -> $KOTLIN_OUT, swift -> $SWIFT_OUT" >&2
# The committed files get the fingerprint of what produced them (scripts/check-bindings-fresh.sh).
if [ $# = 0 ]; then
  bindings_fingerprint >"$BINDINGS_STAMP"
  echo "gen-bindings: fingerprint -> ${BINDINGS_STAMP#"$REPO/"}" >&2
fi
