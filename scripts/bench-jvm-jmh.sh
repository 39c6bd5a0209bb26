#!/usr/bin/env bash
# JMH benchmarks of the JVM binding (issue #20): JWT verify (HS256, RS256) in tokenward's uniffi
# and JNI paths beside com.auth0:java-jwt, com.nimbusds:nimbus-jose-jwt and io.jsonwebtoken:jjwt in
# one run; ApiKeys.verify and Authenticator.authenticate, uniffi path against JNI path; then the heap
# check (dev.tokenward.bench.HeapCheckKt: the JNI calls N times each with a small heap).
#
# The benchmarks are Java sources in kotlin/bench-jmh/ (their pom lists JMH and the three
# libraries, fetched from Maven Central on the first run); the tokenward fixtures are Kotlin, in
# kotlin/src/test/kotlin/dev/tokenward/bench/JmhFixtures.kt (compiled with the tests, like Bench.kt).
# Usage: scripts/bench-jvm-jmh.sh [JMH options, default: -f 1 -wi 3 -w 1s -i 5 -r 1s]
# Environment: HEAP_CHECK_CALLS (default 10000000; 0 skips the heap check), HEAP_CHECK_XMX (32m).
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$REPO/target}"
source "$REPO/scripts/common.sh"
source "$REPO/scripts/native.sh"

cd "$REPO"
build_cli_and_ffi

M2="${MAVEN_REPO_LOCAL:-$HOME/.m2/repository}"
STAMP="$M2/.tokenward-kotlin-$(sha256sum kotlin/pom.xml | cut -c1-16)"
[ -f "$STAMP" ] || { echo "run scripts/test-kotlin.sh once first (it fetches the Maven artifacts)" >&2; exit 1; }

prop() { sed -n "s:.*<$1>\(.*\)</$1>.*:\1:p" "$2" | head -1; }
for p in kotlin.version jna.version coroutines.version; do
  [ "$(prop $p kotlin/pom.xml)" = "$(prop $p kotlin/bench-jmh/pom.xml)" ] \
    || { echo "kotlin/bench-jmh/pom.xml: $p differs from kotlin/pom.xml" >&2; exit 1; }
done

# tokenward's classes and the Kotlin fixtures, as scripts/bench-kotlin.sh compiles them.
flock /tmp/tw-kotlin.lock sh -c '
  set -e
  GEN_SHA="$(sha256sum kotlin/src/main/kotlin/dev/tokenward/tokenward.kt | cut -c1-16)"
  if [ "$(cat kotlin/target/.tokenward-kt.sha 2>/dev/null || true)" != "$GEN_SHA" ]; then
    rm -rf kotlin/target/classes kotlin/target/test-classes kotlin/target/kotlin-ic
    mkdir -p kotlin/target && echo "$GEN_SHA" > kotlin/target/.tokenward-kt.sha
  fi
  cd kotlin && mvn -B -q -ntp -Dstyle.color=never -o -Dmaven.repo.local="$0" -Dtokenward.libdir="$1" test-compile
' "$M2" "$NATIVE_DIR"

# The bench's dependencies (online once, then from the local repository).
OUT="kotlin/bench-jmh/target"
mkdir -p "$OUT"
JMH_STAMP="$M2/.tokenward-bench-jmh-$(sha256sum kotlin/bench-jmh/pom.xml | cut -c1-16)"
OFFLINE=()
[ -f "$JMH_STAMP" ] && OFFLINE=(-o)
(cd kotlin/bench-jmh && mvn -B -q -ntp -Dstyle.color=never "${OFFLINE[@]}" -Dmaven.repo.local="$M2" \
  dependency:build-classpath -Dmdep.outputFile=target/classpath.txt)
touch "$JMH_STAMP"
CP="kotlin/target/classes:kotlin/target/test-classes:$(cat "$OUT/classpath.txt")"

# javac runs JMH's annotation processor: generated benchmark classes and META-INF/BenchmarkList.
rm -rf "$OUT/classes" && mkdir -p "$OUT/classes"
javac --release 17 -cp "$CP" -d "$OUT/classes" \
  $(find kotlin/bench-jmh/src/main/java -name '*.java')

JAVA=(java -Djna.library.path="$NATIVE_DIR" -cp "$OUT/classes:$CP")
echo "load: $(uptime)"
if [ $# -eq 0 ]; then set -- -f 1 -wi 3 -w 1s -i 5 -r 1s; fi
"${JAVA[@]}" org.openjdk.jmh.Main "$@"
echo "load: $(uptime)"

CALLS="${HEAP_CHECK_CALLS:-10000000}"
if [ "$CALLS" != 0 ]; then
  "${JAVA[@]}" -Xmx"${HEAP_CHECK_XMX:-32m}" -Xlog:gc:file="$OUT/heap-check-gc.log" \
    dev.tokenward.bench.HeapCheckKt "$CALLS"
  echo "GC log: $OUT/heap-check-gc.log ($(grep -c 'Pause' "$OUT/heap-check-gc.log") pauses, longest $(grep -o '[0-9.]*ms$' "$OUT/heap-check-gc.log" | sort -n | tail -1))"
fi
