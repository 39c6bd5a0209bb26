#!/usr/bin/env bash
# Fails when the checked-in uniffi bindings (Kotlin and Swift) differ from what the workspace's
# uniffi-bindgen generates from the current bindings/ crate. Fix: scripts/gen-bindings.sh.
#
# The generator is deterministic: when the library's uniffi metadata, the generator and the
# committed files are exactly those gen-bindings.sh recorded (bindings/generated-bindings.sha256),
# regenerating would give the committed files again, and the generator (minutes of CPU to compile
# on a clean clone) is not built. Otherwise, or with TOKENWARD_BINDINGS_REGENERATE=1, the bindings
# are generated and compared file by file.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
source "$REPO/scripts/native.sh"
source "$REPO/scripts/bindings-fingerprint.sh"

build_cli_and_ffi
if [ "${TOKENWARD_BINDINGS_REGENERATE:-0}" != 1 ] && [ -f "$BINDINGS_STAMP" ] \
   && now="$(bindings_fingerprint)" && [ "$now" = "$(cat "$BINDINGS_STAMP")" ]; then
  echo "bindings-fresh: ${#BINDINGS_FILES[@]} generated files, the library's uniffi metadata and the generator are those of the recorded fingerprint (${now%% *}); not regenerated"
  echo "bindings-fresh: 1 passed, 0 failed"
  exit 0
fi
echo "bindings-fresh: the fingerprint differs from ${BINDINGS_STAMP#"$REPO/"}: generating the bindings to compare"

TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
if ! "$REPO/scripts/gen-bindings.sh" "$TMP/kotlin" "$TMP/swift"; then
  echo "bindings-fresh: could not generate the bindings"
  echo "bindings-fresh: 0 passed, 1 failed"
  exit 1
fi

stale=()
for pair in "${BINDINGS_FILES[@]}"; do
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
echo "bindings-fresh: ${#BINDINGS_FILES[@]} generated files match (scripts/gen-bindings.sh records their fingerprint, so that the next check need not generate them)"
echo "bindings-fresh: 1 passed, 0 failed"
