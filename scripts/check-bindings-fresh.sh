#!/usr/bin/env bash
# Fails when the checked-in uniffi bindings (Kotlin and Swift) differ from what the workspace's
# uniffi-bindgen generates from the current bindings/ crate. Fix: scripts/gen-bindings.sh.
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$REPO/target}"

TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
if ! "$REPO/scripts/gen-bindings.sh" "$TMP/kotlin" "$TMP/swift"; then
  echo "bindings-fresh: could not generate the bindings"
  echo "bindings-fresh: 0 passed, 1 failed"
  exit 1
fi

# generated file (relative to the temp dir) -> committed file (relative to the repo)
FILES=(
  "kotlin/dev/tokenward/tokenward.kt:kotlin/src/main/kotlin/dev/tokenward/tokenward.kt"
  "swift/Tokenward/Tokenward.swift:swift/Sources/Tokenward/Tokenward.swift"
  "swift/tokenwardFFI/tokenwardFFI.h:swift/Sources/tokenwardFFI/tokenwardFFI.h"
  "swift/tokenwardFFI/module.modulemap:swift/Sources/tokenwardFFI/module.modulemap"
)
stale=()
for pair in "${FILES[@]}"; do
  gen="$TMP/${pair%%:*}" committed="${pair#*:}"
  if [ ! -f "$REPO/$committed" ]; then
    echo "missing: $committed"
    stale+=("$committed")
  elif ! diff -u --label "$committed (committed)" --label "$committed (generated)" \
        "$REPO/$committed" "$gen" > "$TMP/diff"; then
    echo "stale: $committed"
    head -n 40 "$TMP/diff"
    stale+=("$committed")
  fi
done

if [ "${#stale[@]}" -gt 0 ]; then
  echo "bindings-fresh: ${#stale[@]} generated file(s) differ from bindings/ -- run scripts/gen-bindings.sh and commit the result"
  echo "bindings-fresh: 0 passed, 1 failed"
  exit 1
fi
echo "bindings-fresh: ${#FILES[@]} generated files match"
echo "bindings-fresh: 1 passed, 0 failed"
