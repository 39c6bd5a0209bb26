#!/usr/bin/env bash
# README command 2 (and .ci/run): build everything and run every suite of every language.
# Each suite runs even when an earlier one failed; the last line sums them up.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
set +e
start=$(date +%s)
cd "$REPO"
"$REPO/scripts/build.sh" || { echo "build: 0 passed, 1 failed"; exit 1; }
source "$REPO/scripts/native.sh"

declare -a names results times
run_suite() {
  local name="$1"; shift
  step "suite: $name"
  local t0=$(date +%s)
  "$@"
  local rc=$?
  names+=("$name"); results+=("$rc"); times+=("$(( $(date +%s) - t0 ))")
}

run_suite lint      "$REPO/scripts/lint.sh"
# --no-fail-fast: a failing test binary must not hide the results of the others.
run_suite rust      cargo test "${CARGO_DIST[@]}" --no-fail-fast --workspace --exclude tokenward-python --exclude tokenward-node --features tokenward/tower
run_suite python    bash -c 'cd "$0/python" && python3 -P -m pytest -q -p no:cacheprovider tests' "$REPO"
run_suite py-stubs  python3 -m mypy.stubtest tokenward._native --ignore-disjoint-bases --allowlist "$REPO/python/stubtest-allowlist.txt"
run_suite node      bash -c 'cd "$0/node" && node --test __test__/' "$REPO"
run_suite node-dts  git -C "$REPO" diff --exit-code -- node/index.d.ts
run_suite kotlin    "$REPO/scripts/test-kotlin.sh"
run_suite swift     "$REPO/scripts/test-swift.sh"
run_suite bindings-fresh "$REPO/scripts/check-bindings-fresh.sh"
run_suite feature-table python3 "$REPO/tests/tools/check_feature_table.py"
run_suite vocabulary python3 "$REPO/tests/tools/check_vocabulary.py"
run_suite examples  "$REPO/scripts/run-examples.sh"
run_suite fuzz-corpus "$REPO/scripts/fuzz.sh" --ci
# Release artifacts into dist/, then each installed into a fresh project outside the repository.
# NODE_TARGETS="": CI packs the host addon only; the musl and arm64 cross builds (cargo-zigbuild)
# cost a full compile each and run in the release pipeline.
run_suite package   env NODE_TARGETS="" "$REPO/scripts/package.sh"
run_suite consumers "$REPO/scripts/test-consumers.sh"

passed=0; failed=0
echo
for i in "${!names[@]}"; do
  if [ "${results[$i]}" = 0 ]; then status=ok; passed=$((passed+1)); else status=FAILED; failed=$((failed+1)); fi
  printf '  %-16s %-7s %4ss\n' "${names[$i]}" "$status" "${times[$i]}"
done
echo "total wall time: $(( $(date +%s) - start ))s"
echo "suites: $passed passed, $failed failed"
[ "$failed" = 0 ]
