#!/usr/bin/env bash
# NOT RUN HERE: it needs macOS with Xcode (xcodebuild, lipo) and rustup, so it has never been
# executed on this project's Linux machine and is not part of CI. On Linux it stops with a
# message; the Swift package is compiled and tested there against the cdylib instead
# (scripts/test-swift.sh, tests/consumers/swift/run.sh).
#
# Builds tokenwardFFI.xcframework (static libtokenward_ffi for iOS devices, the iOS simulator and
# macOS, with the uniffi header and module map) and a zip of it for a SwiftPM binary target:
#
#   scripts/build-xcframework.sh [OUTDIR]      (default: <repo>/target/xcframework)
#
# The root Package.swift uses it on Apple platforms:
# - locally: `.binaryTarget(path: "target/xcframework/tokenwardFFI.xcframework")`, i.e. this
#   script's default OUTDIR (relative to the repository, whatever CARGO_TARGET_DIR is);
# - in a release: upload tokenwardFFI.xcframework.zip and set `xcframeworkURL` and
#   `xcframeworkChecksum` in Package.swift to its URL and the checksum printed below.
# Deployment targets (IPHONEOS_DEPLOYMENT_TARGET, MACOSX_DEPLOYMENT_TARGET) must stay at or below
# the manifest's `platforms` (iOS 13, macOS 11).
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$REPO/target}"
OUT="${1:-$REPO/target/xcframework}"

if [ "$(uname -s)" != "Darwin" ]; then
  echo "build-xcframework: needs macOS with Xcode (this is $(uname -s)); nothing built." >&2
  echo "build-xcframework: on Linux the Swift package is tested with scripts/test-swift.sh." >&2
  exit 2
fi
for tool in xcodebuild lipo rustup cargo; do
  command -v "$tool" >/dev/null || { echo "build-xcframework: '$tool' not found (install Xcode / rustup)" >&2; exit 2; }
done

TARGETS=(aarch64-apple-ios aarch64-apple-ios-sim x86_64-apple-ios aarch64-apple-darwin)
export IPHONEOS_DEPLOYMENT_TARGET="${IPHONEOS_DEPLOYMENT_TARGET:-13.0}"
export MACOSX_DEPLOYMENT_TARGET="${MACOSX_DEPLOYMENT_TARGET:-11.0}"

cd "$REPO"
rustup target add "${TARGETS[@]}"
for t in "${TARGETS[@]}"; do
  cargo build --release -p tokenward-ffi --lib --target "$t"
done
lib() { echo "$CARGO_TARGET_DIR/$1/release/libtokenward_ffi.a"; }

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

# Header and module map straight from the generator (host build of the same crate).
"$REPO/scripts/gen-bindings.sh" "$WORK/kotlin" "$WORK/swift" >/dev/null
HEADERS="$WORK/headers"
# A subdirectory keeps this module.modulemap from colliding with other xcframeworks' in Xcode.
mkdir -p "$HEADERS/tokenwardFFI"
cp "$WORK/swift/tokenwardFFI/tokenwardFFI.h" "$WORK/swift/tokenwardFFI/module.modulemap" "$HEADERS/tokenwardFFI/"

# One fat library per platform: both simulator architectures together.
mkdir -p "$WORK/ios-simulator"
lipo -create "$(lib aarch64-apple-ios-sim)" "$(lib x86_64-apple-ios)" \
  -output "$WORK/ios-simulator/libtokenward_ffi.a"

rm -rf "$OUT/tokenwardFFI.xcframework"
mkdir -p "$OUT"
xcodebuild -create-xcframework \
  -library "$(lib aarch64-apple-ios)" -headers "$HEADERS" \
  -library "$WORK/ios-simulator/libtokenward_ffi.a" -headers "$HEADERS" \
  -library "$(lib aarch64-apple-darwin)" -headers "$HEADERS" \
  -output "$OUT/tokenwardFFI.xcframework"

(cd "$OUT" && rm -f tokenwardFFI.xcframework.zip && zip -qry tokenwardFFI.xcframework.zip tokenwardFFI.xcframework)
echo "build-xcframework: $OUT/tokenwardFFI.xcframework"
if command -v swift >/dev/null; then
  echo "build-xcframework: SwiftPM checksum of the zip: $(swift package --package-path "$REPO" compute-checksum "$OUT/tokenwardFFI.xcframework.zip")"
fi
