#!/usr/bin/env bash
# Builds (once) and prints the path of a Debian 13 root with Swift 6 + XCTest.
# Debian 13's swiftlang does not install on the Debian 12 host, so Swift runs in a chroot
# that sees the repo (bind-mounted) and calls the host-built Rust cdylib.
# The root lives in a cache outside the repo and is reused by later runs.
set -euo pipefail
ROOT="${TOKENWARD_SWIFT_ROOT:-${XDG_CACHE_HOME:-$HOME/.cache}/tokenward/swift-trixie}"
STAMP="$ROOT/.tokenward-ready"
if [ ! -f "$STAMP" ]; then
  command -v debootstrap >/dev/null || { apt-get update -qq; apt-get install -y -qq debootstrap >/dev/null; }
  mkdir -p "$ROOT"
  if [ ! -x "$ROOT/usr/bin/apt-get" ]; then
    debootstrap --variant=minbase trixie "$ROOT" >&2
  fi
  mountpoint -q "$ROOT/proc" || mount -t proc proc "$ROOT/proc"
  chroot "$ROOT" /bin/sh -c 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends swiftlang libc6-dev ca-certificates' >&2
  touch "$STAMP"
fi
echo "$ROOT"
