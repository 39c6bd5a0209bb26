#!/usr/bin/env bash
# Consumer test of the Swift package: a fresh package depends on the repository ROOT (its
# Package.swift) the way an app depends on the git URL, builds an executable with Swift 6 in the
# Debian 13 root of scripts/swift-root.sh and runs it: JWT issue + verify, API key create +
# verify in SQLite, redaction. The Rust library comes from dist/ (the Linux tarball of
# scripts/package/swift.sh, built when missing), linked through -L and an rpath, with no
# LD_LIBRARY_PATH.
#
# Inside the root: /var/tmp/tokenward-consumer-swift-<key>/ holds a read-only bind mount of the
# repository named `tokenward` (so the package identity is the one a URL gives), the consumer
# package (recreated on every run) and the unpacked library; SwiftPM's scratch directory is kept
# beside it so warm runs only recompile the consumer. Nothing is written into the repository.
# Last line: `consumer-swift: N passed, M failed`; exit status non-zero on any failure.
source "$(dirname "${BASH_SOURCE[0]}")/../../../scripts/common.sh"
HERE="$REPO/tests/consumers/swift"
DIST="${DIST:-$REPO/dist}"
VERSION="$(sed -n '/^\[workspace.package\]/,/^\[/s/^version = "\(.*\)"/\1/p' "$REPO/Cargo.toml")"
NAME="tokenward-swift-$VERSION-linux-x86_64"

ROOT="$("$REPO/scripts/swift-root.sh")"
mountpoint -q "$ROOT/proc" || mount -t proc proc "$ROOT/proc"
[ -f "$DIST/$NAME.tar.gz" ] || { step "consumer-swift: $DIST/$NAME.tar.gz missing, running scripts/package/swift.sh"; DIST="$DIST" "$REPO/scripts/package/swift.sh"; }

KEY="$(printf '%s' "$REPO" | sha256sum | cut -c1-12)"
IN_BASE="/var/tmp/tokenward-consumer-swift-$KEY"   # paths as seen inside the root
IN_PKG="$IN_BASE/src/tokenward"
IN_APP="$IN_BASE/app"
IN_LIB="$IN_BASE/$NAME/lib"
IN_SCRATCH="$IN_BASE/scratch"
MNT="$ROOT$IN_PKG"

RAN=0
cleanup() {
  local rc=$?
  if mountpoint -q "$MNT"; then umount "$MNT" || umount -l "$MNT" || true; fi
  [ "$RAN" = 1 ] || [ "$rc" = 0 ] || echo "consumer-swift: 0 passed, 1 failed (the consumer package did not build)"
  exit "$rc"
}
trap cleanup EXIT
if mountpoint -q "$MNT"; then umount "$MNT" || umount -l "$MNT"; fi   # left by an interrupted run
rm -rf "$ROOT$IN_APP" "$ROOT$IN_BASE/$NAME"
mkdir -p "$MNT" "$ROOT$IN_APP/Sources/Consumer" "$ROOT$IN_SCRATCH"
mount --bind "$REPO" "$MNT"
mount -o remount,bind,ro "$MNT"
tar -C "$ROOT$IN_BASE" -xzf "$DIST/$NAME.tar.gz"
sed "s#@TOKENWARD_PATH@#$IN_PKG#" "$HERE/Package.swift" > "$ROOT$IN_APP/Package.swift"
cp "$HERE/Sources/Consumer/main.swift" "$ROOT$IN_APP/Sources/Consumer/"

step "consumer-swift: swift build (consumer package depending on the repository root)"
chroot "$ROOT" /usr/bin/env -i HOME=/root PATH=/usr/local/bin:/usr/bin:/bin LANG=C.UTF-8 \
  /bin/sh -c "cd '$IN_APP' && swift build -q --scratch-path '$IN_SCRATCH' \
    -Xlinker -L'$IN_LIB' -Xlinker -rpath -Xlinker '$IN_LIB'"

step "consumer-swift: run"
RAN=1
# A directory of its own for the SQLite file, inside the root's /tmp.
RUNDIR="$(mktemp -d "$ROOT/tmp/consumer-swift.XXXXXX")"
IN_RUNDIR="/tmp/${RUNDIR##*/}"
set +e
chroot "$ROOT" /usr/bin/env -i HOME=/root PATH=/usr/bin:/bin LANG=C.UTF-8 \
  "$IN_SCRATCH/debug/Consumer" "$IN_RUNDIR" 2>&1 | tee "$RUNDIR.out"
rc=${PIPESTATUS[0]}
set -e
# A crash (a Swift fatal error, e.g. bindings that do not match the library) still ends with the line.
[[ "$(tail -n1 "$RUNDIR.out")" == consumer-swift:* ]] || { echo "consumer-swift: 0 passed, 1 failed (the program died, status $rc)"; [ "$rc" != 0 ] || rc=1; }
rm -rf "$RUNDIR" "$RUNDIR.out"
exit "$rc"
