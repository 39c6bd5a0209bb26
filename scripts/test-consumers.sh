#!/usr/bin/env bash
# The consumer suite: each tests/consumers/<name>/run.sh installs the artifact in dist/ (built by
# scripts/package.sh) into a fresh project outside the repository and uses it as a user would.
# Each prints "consumer-<name>: N passed, M failed"; the last line sums them up.
#
#   scripts/test-consumers.sh [python|node|kotlin|swift|rust ...]
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
export DIST="${DIST:-$REPO/dist}"
set +e
parts=("$@")
[ ${#parts[@]} -gt 0 ] || parts=(python node kotlin swift rust)
passed=0; failed=0; timing=()
for part in "${parts[@]}"; do
  step "consumer: $part"
  t0=$(date +%s)
  if bash "$REPO/tests/consumers/$part/run.sh"; then passed=$((passed+1)); else failed=$((failed+1)); echo "consumer $part FAILED"; fi
  timing+=("$part $(( $(date +%s) - t0 ))s")
done
echo "consumer times: ${timing[*]}"
echo "consumers: $passed passed, $failed failed"
[ "$failed" = 0 ]
