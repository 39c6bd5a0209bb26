#!/usr/bin/env bash
# Reruns every benchmark whose figures are in docs/ (docs/performance.md gathers them), each
# tokenward beside its peers in one run, and keeps every output in $CARGO_TARGET_DIR/bench-all/.
# A benchmark, not a test: nothing here asserts a time. Run it on an idle machine; the ratios
# within one table are what to compare between machines.
#
#   scripts/bench-all.sh            every benchmark at its documented length (about an hour)
#   scripts/bench-all.sh --quick    every benchmark briefly (criterion --quick, shorter samples):
#                                   a smoke run that they all still work, not figures to publish
#   scripts/bench-all.sh rust node  only those groups (rust python node kotlin swift distributed adapters)
#
# Needs what scripts/build.sh builds (the wheel installed, the Node addon), and for the Kotlin /
# Swift groups what scripts/test-kotlin.sh / scripts/test-swift.sh set up once.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
set +e
cd "$REPO"
quick=0; groups=()
for arg in "$@"; do
  case "$arg" in
    --quick) quick=1 ;;
    rust|python|node|kotlin|swift|distributed|adapters) groups+=("$arg") ;;
    *) echo "unknown argument: $arg" >&2; exit 2 ;;
  esac
done
[ ${#groups[@]} = 0 ] && groups=(rust python node kotlin swift distributed adapters)
OUT="$CARGO_TARGET_DIR/bench-all"
mkdir -p "$OUT"
criterion=(); floor_sets=16; node_ms=1500; adapter_rounds=7; adapter_s=4; py_n=(); jvm_n=(); swift_n=(); dist_n=5000; jmh=(); heap_calls=10000000
if [ "$quick" = 1 ]; then criterion=(-- --quick); floor_sets=1; node_ms=200; adapter_rounds=1; adapter_s=1; py_n=(--n 20000); jvm_n=(2000); swift_n=(20000); dist_n=500; jmh=(-f 1 -wi 1 -w 1s -i 1 -r 1s); heap_calls=100000; fi

# `bench NAME CMD...`: runs one benchmark, its output shown and kept in $OUT/NAME.log.
bench() { tally bench "$1" bash -c '"${@:2}" 2>&1 | tee "$1"; exit "${PIPESTATUS[0]}"' _ "$OUT/$1.log" "${@:2}"; }

for group in "${groups[@]}"; do
  case "$group" in
    rust)
      for b in jwt jwt_floor jwt_cache apikeys gateway sessions redact oauth dpop; do
        bench "rust-$b" cargo bench -p tokenward --features tower --bench "$b" "${criterion[@]}"
      done
      # The ratios of docs/performance.md's JWT sections: HS256 against the bare HMAC, and the
      # asymmetric algorithms against their aws-lc floor (the spread over several sets).
      bench rust-jwt-ratio cargo run --release -q -p tokenward --example jwt_ratio
      bench rust-jwt-floor-ratio cargo run --release -q -p tokenward --example jwt_floor_ratio "$floor_sets" ;;
    python)
      for b in jwt apikeys gateway redact oauth async; do
        args=(); case "$b" in gateway|apikeys) args=("${py_n[@]}") ;; esac
        bench "python-$b" python3 -P "python/bench/bench_$b.py" "${args[@]}"
      done ;;
    node)
      for b in jwt jwt-cache jwt-breakdown apikeys gateway redact oauth; do
        bench "node-$b" env BENCH_TIME="$node_ms" node "node/bench/$b.mjs"
      done ;;
    kotlin)
      bench kotlin bash scripts/bench-kotlin.sh "${jvm_n[@]}"
      bench kotlin-jmh env HEAP_CHECK_CALLS="$heap_calls" bash scripts/bench-jvm-jmh.sh "${jmh[@]}" ;;
    swift) bench swift bash scripts/bench-swift.sh "${swift_n[@]}" ;;
    distributed)
      # One Redis and PostgreSQL on loopback for the three (scripts/servers.sh).
      source "$REPO/scripts/servers.sh"
      trap stop_test_servers EXIT
      start_test_servers
      bench distributed-python env BENCH_N="$dist_n" python3 scripts/bench-distributed.py
      bench distributed-node env BENCH_N="$dist_n" bash -c 'cd node && node bench/distributed.mjs'
      bench distributed-rust cargo run --release -q -p tokenward --features redis --example redis_ratio ;;
    adapters)
      # Real servers on loopback under autocannon (node/node_modules), one process each.
      bench adapters-node env BENCH_ROUNDS="$adapter_rounds" BENCH_DURATION="$adapter_s" node node/bench/adapters-load.mjs
      bench adapters-python python3 -P python/bench/bench_adapters_load.py --rounds "$adapter_rounds" --duration "$adapter_s" ;;
  esac
done
echo "outputs: $OUT"
echo "bench: $passed passed, $failed failed"
[ "$failed" = 0 ]
