#!/usr/bin/env bash
# Packages the core crate (`cargo package -p tokenward`) and copies the .crate into
# "${DIST:-$REPO/dist}". The tarball holds src/, Cargo.toml, README.md and the two licence files
# (see `include` in core/Cargo.toml).
#
# cargo package normally proves the tarball builds by compiling it (in the dev profile, under
# $CARGO_TARGET_DIR/package). That proof is tests/consumers/rust/run.sh, which builds the
# unpacked tarball from outside the repository with default features and with `jwt` alone, in
# the release profile whose dependencies scripts/build.sh has already compiled; so this script
# skips cargo's own verify build unless TOKENWARD_PACKAGE_VERIFY=1.
#
# --allow-dirty: the release pipeline packages a clean checkout; here the working tree is
# shared and usually has uncommitted edits elsewhere.
source "$(dirname "${BASH_SOURCE[0]}")/../common.sh"
DIST="${DIST:-$REPO/dist}"
mkdir -p "$DIST"

for lic in LICENSE-MIT LICENSE-APACHE; do
  [ -f "$REPO/core/$lic" ] || { echo "core/$lic is missing (a link to ../$lic)" >&2; exit 1; }
done

args=(package -p tokenward --allow-dirty --locked)
if [ "${TOKENWARD_PACKAGE_VERIFY:-0}" != 1 ]; then args+=(--no-verify); fi

step "Rust: cargo ${args[*]}"
(cd "$REPO" && cargo "${args[@]}")

version="$(sed -n 's/^version = "\(.*\)"/\1/p' "$REPO/Cargo.toml" | head -n1)"
crate="$CARGO_TARGET_DIR/package/tokenward-$version.crate"
[ -f "$crate" ] || { echo "cargo package did not produce $crate" >&2; exit 1; }
rm -f "$DIST"/tokenward-*.crate
cp "$crate" "$DIST/"
echo "$DIST/tokenward-$version.crate ($(du -k "$crate" | cut -f1) KiB, $(tar tzf "$crate" | wc -l) files)"
