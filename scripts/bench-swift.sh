#!/usr/bin/env bash
# Hot-path benchmarks of the Swift binding (issues #5, #7): cached TokenSource.token() (async),
# Authenticator.authenticate (API key, HS256 JWT), JwtVerifier.verify (HS256).
# The benchmark is a separate package, swift/Benchmarks/, depending on swift/ by path, so the test
# run (scripts/test-swift.sh) never builds it. Like scripts/test-swift.sh it runs Swift 6 in the
# Debian 13 root of scripts/swift-root.sh, built with `-c release`; it uses its own mount point,
# lib dir and scratch dir, so it can run beside the test script without touching its files.
# Usage: scripts/bench-swift.sh [iterations per repetition, default 200000 [for async calls, default /20]]
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$REPO/target}"

ROOT="$("$REPO/scripts/swift-root.sh")"
mountpoint -q "$ROOT/proc" || mount -t proc proc "$ROOT/proc"
source "$REPO/scripts/common.sh"
source "$REPO/scripts/native.sh"

cd "$REPO"
# The library the tests load (scripts/native.sh).
build_cli_and_ffi

KEY="$(printf '%s' "$REPO" | sha256sum | cut -c1-12)-bench"
IN_REPO="/work/tokenward-$KEY"
IN_LIB="/opt/tokenward-$KEY/lib"
IN_SCRATCH="/var/cache/tokenward-swift/$KEY"

MNT="$ROOT$IN_REPO"
cleanup() {
  stop_oauth_mock
  if mountpoint -q "$MNT"; then umount "$MNT" || umount -l "$MNT" || true; fi
}
trap cleanup EXIT
cleanup
mkdir -p "$MNT" "$ROOT$IN_LIB" "$ROOT$IN_SCRATCH"
mount --bind "$REPO" "$MNT"
cp "$NATIVE_DIR/libtokenward_ffi.so" "$ROOT$IN_LIB/"

in_root() {
  chroot "$ROOT" /usr/bin/env -i \
    HOME=/root PATH=/usr/local/bin:/usr/bin:/bin LANG=C.UTF-8 \
    LD_LIBRARY_PATH="$IN_LIB" TOKENWARD_OAUTH_ISSUER="${TOKENWARD_OAUTH_ISSUER:-}" \
    /bin/sh -c "cd '$IN_REPO/swift/Benchmarks' && $1"
}
in_root "swift build -c release --scratch-path '$IN_SCRATCH' \
  -Xlinker -L'$IN_LIB' -Xlinker -rpath -Xlinker '$IN_LIB'"

start_oauth_mock
echo "load: $(uptime)"
in_root "'$IN_SCRATCH/release/TokenwardBench' $*"
echo "load: $(uptime)"
