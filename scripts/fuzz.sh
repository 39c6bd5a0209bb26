#!/usr/bin/env bash
# Builds and runs the fuzz targets in fuzz/ (cargo-fuzz, nightly) and the Node/Python claim
# property scripts in fuzz/node, fuzz/python.
#
#   scripts/fuzz.sh [--ci] [target|all] [seconds]
#
# Default: every target for `seconds` (30) each, one after the other, at nice 19; new inputs go
# to fuzz/work/<target>/ (gitignored), the committed seeds in fuzz/corpus/<target>/ are read
# only. With --ci each target runs every input of its committed corpus once with stable Rust and
# no nightly (the test fuzz/replay/tests/corpus.rs), and the property scripts run a small number
# of cases.
# Each libFuzzer run appends "target execs seconds" to fuzz/work/runs.log.
#
# Needs (not --ci): rustup's nightly toolchain and cargo-fuzz (`cargo install cargo-fuzz`); for the
# property scripts the Node package with its built addon (node/, or TOKENWARD_NODE_PACKAGE=dir) and an
# installed Python package (or TOKENWARD_PYTHONPATH=dir).
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
FUZZ="$REPO/fuzz"
CI=0
if [ "${1:-}" = "--ci" ]; then CI=1; shift; fi
WHICH="${1:-all}"
SECONDS_EACH="${2:-30}"
CARGO_TARGETS=(jwt_verify jwt_scan_diff b64_diff redact_chunking jwk_import gateway_extract oauth_parse apikey_parse)
SCRIPT_TARGETS=(node_claims python_claims)

if [ "$CI" = 1 ]; then
  # CI replays the committed corpora with fuzz/replay (the same target sources, libFuzzer replaced
  # by a function the test runs once per input), built in the shared target directory the way
  # everything else is (scripts/native.sh): no nightly build of the whole graph.
  source "$REPO/scripts/common.sh"
  source "$REPO/scripts/native.sh"
  set +e
else
  # cargo-fuzz builds into fuzz/target, never the workspace's shared target directory.
  unset CARGO_TARGET_DIR
fi
# No sanitizer (the crate forbids unsafe code; ASan halves the rate), debug assertions on
# (integer overflow panics), release optimisation.
BUILD_FLAGS=(--sanitizer none --debug-assertions --release)

run_cargo_target() {
  local t="$1" secs="$2"
  local seeds="$FUZZ/corpus/$t" work="$FUZZ/work/$t" log
  mkdir -p "$work" "$FUZZ/work/logs"
  log="$FUZZ/work/logs/$t.log"
  local args=(-timeout=10 -rss_limit_mb=2048 -max_len=4096 -print_final_stats=1 -report_slow_units=2)
  [ -f "$FUZZ/dict/$t.dict" ] && args+=("-dict=$FUZZ/dict/$t.dict")
  local dirs=("$seeds")
  args+=("-max_total_time=$secs")
  echo "==> $t (${secs}s)"
  local start=$SECONDS rc=0
  (cd "$REPO" && nice -n 19 cargo +nightly fuzz run "${BUILD_FLAGS[@]}" "$t" "$work" "${dirs[@]}" -- "${args[@]}") \
    >"$log" 2>&1 || rc=$?
  local execs
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  echo "$t execs=${execs:-?} seconds=$((SECONDS - start)) rc=$rc" | tee -a "$FUZZ/work/runs.log"
  if [ "$rc" != 0 ]; then
    grep -E 'panicked|SUMMARY|Test unit written|ERROR' "$log" | head -20 >&2 || true
    echo "$t failed: see $log (reproduce: cargo +nightly fuzz run ${BUILD_FLAGS[*]} $t <artifact>)" >&2
    return 1
  fi
}

run_script_target() {
  local t="$1" cases
  if [ "$CI" = 1 ]; then cases=300; else cases=$((SECONDS_EACH * 200)); fi
  echo "==> $t ($cases cases)"
  case "$t" in
    node_claims) node "$FUZZ/node/claims_fuzz.mjs" "$cases" ;;
    python_claims)
      PYTHONPATH="${TOKENWARD_PYTHONPATH:-}${PYTHONPATH:+:$PYTHONPATH}" \
        python3 "$FUZZ/python/claims_fuzz.py" "$cases" ;;
  esac
}

targets=()
if [ "$WHICH" = all ]; then
  targets=("${CARGO_TARGETS[@]}" "${SCRIPT_TARGETS[@]}")
else
  targets=("$WHICH")
fi

# fuzz/replay/tests/corpus.rs: one test per target, in the Rust suite's test build (same package set,
# so nothing compiles again after it).
replay_cargo_target() {
  local t="$1"
  echo "==> $t (replay of fuzz/corpus/$t)"
  cargo test "${CARGO_DIST[@]}" -q "${RUST_TEST_SET[@]}" --test corpus -- --exact "$t" --nocapture
}

if [ "$CI" = 1 ]; then
  :
elif printf '%s\n' "${targets[@]}" | grep -qvE '^(node_claims|python_claims)$'; then
  # A fresh machine gets the toolchain from the registries (rustup's nightly, crates.io).
  rustup toolchain list | grep -q '^nightly' || rustup toolchain install nightly --profile minimal
  command -v cargo-fuzz >/dev/null || cargo install --locked cargo-fuzz
  (cd "$REPO" && nice -n 19 cargo +nightly fuzz build "${BUILD_FLAGS[@]}")
fi

failed=()
for t in "${targets[@]}"; do
  if printf '%s\n' "${SCRIPT_TARGETS[@]}" | grep -qx "$t"; then
    run_script_target "$t" || failed+=("$t")
  elif printf '%s\n' "${CARGO_TARGETS[@]}" | grep -qx "$t"; then
    if [ "$CI" = 1 ]; then replay_cargo_target "$t" || failed+=("$t")
    else run_cargo_target "$t" "$SECONDS_EACH" || failed+=("$t"); fi
  else
    echo "unknown target $t (targets: ${CARGO_TARGETS[*]} ${SCRIPT_TARGETS[*]})" >&2
    exit 2
  fi
done
if [ "${#failed[@]}" -gt 0 ]; then
  echo "FAILED: ${failed[*]}" >&2
  exit 1
fi
echo "all ${#targets[@]} target(s) passed"
