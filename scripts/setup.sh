#!/usr/bin/env bash
# README command 1: install what tokenward needs, build it, and run the CLI tour.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
"$REPO/scripts/build.sh"
step "tokenward tour"
"$CARGO_TARGET_DIR/release/tokenward" tour
