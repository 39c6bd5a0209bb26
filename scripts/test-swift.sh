#!/usr/bin/env bash
# Builds the tokenward-ffi cdylib (scripts/native.sh) and runs the Swift package's XCTest suite
# (manifest: the repository root's Package.swift, sources in swift/) with Swift 6 inside the Debian 13 root of scripts/swift-root.sh (built once, cached outside the
# repo). The repo is bind-mounted into the root for the run; the cdylib is copied next to it and
# SwiftPM's build directory lives inside the root, so the work tree stays clean.
# `scripts/test-swift.sh --run NAME` runs the package's executable NAME instead (the examples:
# scripts/run-examples.sh), from the same scratch directory, so what `swift test` built is reused.
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$REPO/target}"

ROOT="$("$REPO/scripts/swift-root.sh")"
mountpoint -q "$ROOT/proc" || mount -t proc proc "$ROOT/proc"

# The OAuth mock server of the OAuth and remote-JWKS tests: start_oauth_mock in scripts/common.sh.
source "$REPO/scripts/common.sh"
source "$REPO/scripts/native.sh"

cd "$REPO"
build_cli_and_ffi
# The Swift code blocks of the documentation, compiled with the tests (DocSnippetsTests runs them).
python3 tests/tools/doc_snippets.py --emit-swift swift/Tests/TokenwardTests/DocSnippets.generated.swift

# One mount point, lib dir and scratch dir per clone, so clones (CI's and a developer's) never
# collide and each keeps its own incremental SwiftPM build.
KEY="$(printf '%s' "$REPO" | sha256sum | cut -c1-12)"
IN_REPO="/work/tokenward-$KEY"          # paths as seen inside the root
IN_LIB="/opt/tokenward-$KEY/lib"
IN_SCRATCH="/var/cache/tokenward-swift/$KEY"
IN_MTLS="/tmp/tokenward-mtls-$KEY"       # the mTLS test server's certificates

MNT="$ROOT$IN_REPO"
source "$REPO/scripts/servers.sh"
cleanup() {
  stop_oauth_mock
  stop_mtls_server
  stop_test_servers
  if mountpoint -q "$MNT"; then umount "$MNT" || umount -l "$MNT" || true; fi
}
trap cleanup EXIT
cleanup   # a mount left behind by an interrupted run
mkdir -p "$MNT" "$ROOT$IN_LIB" "$ROOT$IN_SCRATCH"
mount --bind "$REPO" "$MNT"
cp "$NATIVE_DIR/libtokenward_ffi.so" "$ROOT$IN_LIB/"
in_root() {
  chroot "$ROOT" /usr/bin/env -i \
    HOME=/root PATH=/usr/local/bin:/usr/bin:/bin LANG=C.UTF-8 \
    LD_LIBRARY_PATH="$IN_LIB" TOKENWARD_VECTORS="$IN_REPO/tests/vectors" \
    TOKENWARD_OAUTH_ISSUER="${TOKENWARD_OAUTH_ISSUER:-}" \
    TOKENWARD_MTLS_URL="${TOKENWARD_MTLS_URL:-}" TOKENWARD_MTLS_DIR="$IN_MTLS" \
    TOKENWARD_TEST_REDIS_URL="${TOKENWARD_TEST_REDIS_URL:-}" \
    TOKENWARD_TEST_POSTGRES_URL="${TOKENWARD_TEST_POSTGRES_URL:-}" CI="${CI:-}" \
    /bin/sh -c "cd '$IN_REPO' && $1"
}
LINK="-Xlinker -L'$IN_LIB' -Xlinker -rpath -Xlinker '$IN_LIB'"

if [ "${1:-}" = --run ]; then
  # An executable `swift test` built and that is up to date is checked, not recompiled.
  in_root "swift build -q --scratch-path '$IN_SCRATCH' --product '$2' $LINK && '$IN_SCRATCH/debug/$2'"
  exit
fi

# The root shares the host's network, so the tests reach the mock server on 127.0.0.1.
start_oauth_mock
# Foundation on Linux has no TLS server: the mTLS client-auth test talks to this one.
start_mtls_server "$ROOT$IN_MTLS"
ensure_test_servers
in_root "swift test --disable-swift-testing --scratch-path '$IN_SCRATCH' $LINK ${SWIFT_TEST_ARGS:-}"
