#!/usr/bin/env bash
# Packages what a Swift release needs besides the git tag (SwiftPM builds the Swift sources of the
# tagged repository itself; the manifest is the root Package.swift) into "${DIST:-<repo>/dist}":
#   Linux (here): tokenward-swift-<v>-linux-x86_64.tar.gz — lib/libtokenward_ffi.so, the Rust
#     library the package links on Linux (put it on the linker path, or pass
#     -Xlinker -L<dir> -Xlinker -rpath -Xlinker <dir>), plus the licences.
#   macOS with Xcode (not here): tokenwardFFI.xcframework.zip from scripts/build-xcframework.sh,
#     whose URL and checksum a release writes into Package.swift (xcframeworkURL,
#     xcframeworkChecksum).
source "$(dirname "${BASH_SOURCE[0]}")/../common.sh"
source "$REPO/scripts/native.sh"
DIST="${DIST:-$REPO/dist}"
VERSION="$(sed -n '/^\[workspace.package\]/,/^\[/s/^version = "\(.*\)"/\1/p' "$REPO/Cargo.toml")"

cd "$REPO"
step "Swift: Rust library (scripts/native.sh: dist profile, glibc 2.17)"
build_cli_and_ffi

NAME="tokenward-swift-$VERSION-linux-x86_64"
STAGE="$CARGO_TARGET_DIR/swift-dist/$NAME"
rm -rf "$STAGE"
mkdir -p "$STAGE/lib" "$DIST"
strip --strip-unneeded -o "$STAGE/lib/libtokenward_ffi.so" "$NATIVE_DIR/libtokenward_ffi.so"
cp LICENSE-MIT LICENSE-APACHE "$STAGE/"
tar -C "$(dirname "$STAGE")" --owner=0 --group=0 --numeric-owner -czf "$DIST/$NAME.tar.gz" "$NAME"
printf '  %-44s %s\n' "$NAME.tar.gz" "$(du -h "$DIST/$NAME.tar.gz" | cut -f1)"

if [ "$(uname -s)" = "Darwin" ]; then
  step "Swift: XCFramework"
  "$REPO/scripts/build-xcframework.sh"
  cp "$REPO/target/xcframework/tokenwardFFI.xcframework.zip" "$DIST/"
else
  echo "  tokenwardFFI.xcframework.zip: not built (needs macOS with Xcode; scripts/build-xcframework.sh)"
fi
