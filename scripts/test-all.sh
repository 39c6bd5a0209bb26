#!/usr/bin/env bash
# README command 2 (and .ci/run): build everything and run every suite of every language.
# Each suite runs even when an earlier one failed; the last line sums them up.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
set +e
start=$(date +%s)
cd "$REPO"
mkdir -p "$CARGO_TARGET_DIR"
# Redis and PostgreSQL install from Debian's packages (when missing) beside the build, too.
(source "$REPO/scripts/servers.sh"; install_test_servers) >"$CARGO_TARGET_DIR/install-servers.log" 2>&1 &
install_pid=$!
# What the JVM/Swift lane downloads (Maven's dependencies and plugins, the Debian 13 root with
# Swift of scripts/swift-root.sh) is fetched now, on the network time of the first compile; the
# lane waits for it (the lock) before its first suite.
PREFETCH_LOCK="$CARGO_TARGET_DIR/prefetch-jvm-swift.lock"
(
  exec 9>"$PREFETCH_LOCK" && flock 9 && renice -n 10 "$BASHPID" >/dev/null
  m2="${MAVEN_REPO_LOCAL:-$HOME/.m2/repository}"
  command -v mvn >/dev/null || { apt-get update -qq; apt-get install -y -qq maven >/dev/null; }
  (cd "$REPO/kotlin" && mvn -B -q -ntp -Dmaven.repo.local="$m2" -Prelease dependency:go-offline) \
    || echo "Maven prefetch failed: the suites will download what they need" >&2
  "$REPO/scripts/swift-root.sh" >/dev/null || echo "Swift root prefetch failed" >&2
) >"$CARGO_TARGET_DIR/prefetch-jvm-swift.log" 2>&1 &
# The CLI and the uniffi library first: the second lane (Kotlin, Swift) needs nothing else, so it
# starts while the cargo lane builds the Python wheel and the Node addon (build-bindings below).
"$REPO/scripts/build.sh" native || { echo "build: 0 passed, 1 failed"; exit 1; }
source "$REPO/scripts/native.sh"
wait "$install_pid" || cat "$CARGO_TARGET_DIR/install-servers.log" >&2
# --- shared backends (issue #17, docs/distributed.md): one throw-away Redis and PostgreSQL on
# loopback for both lanes, announced in TOKENWARD_TEST_REDIS_URL / TOKENWARD_TEST_POSTGRES_URL
# (scripts/servers.sh); their tests fail without them.
source "$REPO/scripts/servers.sh"
trap stop_test_servers EXIT
start_test_servers || echo "the test servers did not start: the Redis/PostgreSQL tests will fail" >&2
# --- end shared backends

# Two lanes run side by side: the cargo lane below (the Python wheel and Node addon, clippy, the
# Rust test build and tests, the release archives and their consumer builds), and a second lane in
# the background for Kotlin and Swift (Maven, the JVM, swiftc); the Python and Node suites go to
# whichever lane is free first (run_floating_suites). The second lane loads the uniffi library
# `scripts/build.sh native` just built and does not ask cargo again (TOKENWARD_PREBUILT,
# scripts/native.sh: cargo would wait for the lock the cargo lane holds). Each suite leaves
# "rc seconds" in $RESULTS/<name>; the background lane's output is printed when it ends.
RESULTS="$CARGO_TARGET_DIR/test-all"
rm -rf "$RESULTS" && mkdir -p "$RESULTS"
run_suite() {
  local name="$1"; shift
  step "suite: $name"
  local t0=$(date +%s)
  "$@"
  echo "$? $(( $(date +%s) - t0 ))" >"$RESULTS/$name"
}

# Suites that need neither cargo nor the JVM/Swift downloads go to whichever lane is free first:
# on a clean machine the cargo lane is the long one, on a rerun the second lane is. Each is
# claimed once (mkdir is atomic), in this order.
FLOATING_SUITES=(python py-stubs node node-dts)
# They need the wheel and the addon: the cargo lane holds BINDINGS_LOCK until it has built them.
BINDINGS_LOCK="$CARGO_TARGET_DIR/bindings-build.lock"
exec 8>"$BINDINGS_LOCK" && flock 8
run_floating_suites() {
  local name
  flock "$BINDINGS_LOCK" true
  for name in "${FLOATING_SUITES[@]}"; do
    mkdir "$RESULTS/claimed-$name" 2>/dev/null || continue
    if [ "$(cut -d' ' -f1 "$RESULTS/build-bindings" 2>/dev/null)" != 0 ]; then
      step "suite: $name (not run: the Python and Node bindings did not build)"
      echo "1 0" >"$RESULTS/$name"
      continue
    fi
    case "$name" in
      python)   run_suite python bash -c 'cd "$0/python" && python3 -P -m pytest -q -p no:cacheprovider tests' "$REPO" ;;
      py-stubs) run_suite py-stubs python3 -m mypy.stubtest tokenward._native --ignore-disjoint-bases --allowlist "$REPO/python/stubtest-allowlist.txt" ;;
      # Test files run 3 at a time (each in its own process): most of their time is spent
      # waiting on servers and timers, not on the CPU.
      node)     run_suite node bash -c 'cd "$0/node" && node --test --test-concurrency=3 __test__/' "$REPO" ;;
      node-dts) run_suite node-dts git -C "$REPO" diff --exit-code -- node/index.d.ts ;;
    esac
  done
}

second_lane() {
  exec 8>&-
  export TOKENWARD_PREBUILT=1
  flock "$PREFETCH_LOCK" true
  run_suite kotlin    "$REPO/scripts/test-kotlin.sh"
  run_suite swift     "$REPO/scripts/test-swift.sh"
  run_suite bindings-fresh "$REPO/scripts/check-bindings-fresh.sh"
  run_suite examples-jvm-swift "$REPO/scripts/run-examples.sh" kotlin swift
  run_suite package-jvm-swift "$REPO/scripts/package.sh" jvm swift
  run_suite consumers-jvm-swift "$REPO/scripts/test-consumers.sh" kotlin swift
  run_floating_suites
}
second_lane >"$RESULTS/second-lane.log" 2>&1 &
lane_pid=$!

run_suite build-bindings "$REPO/scripts/build.sh" bindings
flock -u 8
run_suite lint      "$REPO/scripts/lint.sh"
# --no-fail-fast: a failing test binary must not hide the results of the others.
run_suite rust      cargo test "${CARGO_DIST[@]}" --no-fail-fast "${RUST_TEST_SET[@]}"
run_suite feature-table python3 "$REPO/tests/tools/check_feature_table.py"
run_suite vocabulary python3 "$REPO/tests/tools/check_vocabulary.py"
run_suite examples  "$REPO/scripts/run-examples.sh" rust python node
run_suite fuzz-corpus "$REPO/scripts/fuzz.sh" --ci
# Release artifacts into dist/, then each installed into a fresh project outside the repository.
# NODE_TARGETS="": CI packs the host addon only; the musl and arm64 cross builds (cargo-zigbuild)
# cost a full compile each and run in the release pipeline. TOKENWARD_PREBUILT=1: the addon
# scripts/build.sh built (scripts/native.sh, build_node_addon).
run_suite package   env NODE_TARGETS="" TOKENWARD_PREBUILT=1 "$REPO/scripts/package.sh" python node rust
run_suite consumers "$REPO/scripts/test-consumers.sh" python node rust
run_floating_suites

wait "$lane_pid"
# A Node process of the suites can leave the stdout they share non-blocking (O_NONBLOCK on the
# pipe a CI runner reads): the summary's writes then failed with EAGAIN ("echo: write error:
# Resource temporarily unavailable") whenever the reader lagged. Blocking again for the report.
python3 -c 'import os; os.set_blocking(1, True)' 2>/dev/null
step "the second lane: Kotlin, Swift and the floating suites it took (run beside the suites above)"
cat "$RESULTS/second-lane.log"

passed=0; failed=0
echo
for name in build-bindings lint rust python py-stubs node node-dts feature-table vocabulary examples fuzz-corpus package consumers \
            kotlin swift bindings-fresh examples-jvm-swift package-jvm-swift consumers-jvm-swift; do
  read -r rc secs <"$RESULTS/$name" 2>/dev/null || { rc=missing; secs=0; }
  if [ "$rc" = 0 ]; then status=ok; passed=$((passed+1)); else status=FAILED; failed=$((failed+1)); fi
  printf '  %-20s %-7s %4ss\n' "$name" "$status" "$secs"
done
echo "total wall time: $(( $(date +%s) - start ))s"
echo "suites: $passed passed, $failed failed"
[ "$failed" = 0 ]
