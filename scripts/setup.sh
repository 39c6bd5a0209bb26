#!/usr/bin/env bash
# README command 1: install what tokenward needs, build it, and run the CLI tour.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
"$REPO/scripts/build.sh"
source "$REPO/scripts/native.sh"
step "tokenward tour"
"$NATIVE_DIR/tokenward" tour
