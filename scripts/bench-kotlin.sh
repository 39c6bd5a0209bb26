#!/usr/bin/env bash
# Hot-path benchmarks of the Kotlin/JVM binding (issues #5, #7, #20): cached TokenSource.token(),
# Authenticator.authenticate (API key, HS256 JWT), ApiKeys.verify, JwtVerifier.verify (HS256), each
# through uniffi (JNA) and through the JNI path (verifyFast, authenticateFast). The JMH comparison
# with the Java JWT libraries is scripts/bench-jvm-jmh.sh.
# The benchmark is a main() in test sources (kotlin/src/test/kotlin/dev/tokenward/bench/Bench.kt):
# Maven compiles it with the tests (surefire never runs it, it is no *Test class), and this script
# runs it with plain `java -cp` on the classpath Maven resolved (same offline repo as
# scripts/test-kotlin.sh; run that once first so the artifacts are there).
# Usage: scripts/bench-kotlin.sh [iterations per repetition, default 20000 [for suspend calls, default /5
#        [for the uniffi (JNA) sync calls, default the first]]]
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$REPO/target}"
source "$REPO/scripts/common.sh"
source "$REPO/scripts/native.sh"

cd "$REPO"
# The library the tests load (scripts/native.sh).
build_cli_and_ffi

M2="${MAVEN_REPO_LOCAL:-$HOME/.m2/repository}"
STAMP="$M2/.tokenward-kotlin-$(sha256sum kotlin/pom.xml | cut -c1-16)"
[ -f "$STAMP" ] || { echo "run scripts/test-kotlin.sh once first (it fetches the Maven artifacts)" >&2; exit 1; }

# Compile main + test sources (incl. Bench.kt) under the lock scripts/test-kotlin.sh runs under,
# with its from-scratch rule for a changed generated file.
flock /tmp/tw-kotlin.lock sh -c '
  set -e
  GEN_SHA="$(sha256sum kotlin/src/main/kotlin/dev/tokenward/tokenward.kt | cut -c1-16)"
  if [ "$(cat kotlin/target/.tokenward-kt.sha 2>/dev/null || true)" != "$GEN_SHA" ]; then
    rm -rf kotlin/target/classes kotlin/target/test-classes kotlin/target/kotlin-ic
    mkdir -p kotlin/target && echo "$GEN_SHA" > kotlin/target/.tokenward-kt.sha
  fi
  cd kotlin && mvn -B -q -ntp -Dstyle.color=never -o -Dmaven.repo.local="$0" -Dtokenward.libdir="$1" test-compile
' "$M2" "$NATIVE_DIR"

# The runtime classpath: the pom's versions of kotlin-stdlib, JNA and kotlinx-coroutines.
prop() { sed -n "s:.*<$1>\(.*\)</$1>.*:\1:p" kotlin/pom.xml | head -1; }
KT="$(prop kotlin.version)"; JNA="$(prop jna.version)"; CO="$(prop coroutines.version)"
CP="kotlin/target/classes:kotlin/target/test-classes"
CP="$CP:$M2/org/jetbrains/kotlin/kotlin-stdlib/$KT/kotlin-stdlib-$KT.jar"
CP="$CP:$M2/net/java/dev/jna/jna/$JNA/jna-$JNA.jar"
CP="$CP:$M2/org/jetbrains/kotlinx/kotlinx-coroutines-core-jvm/$CO/kotlinx-coroutines-core-jvm-$CO.jar"

trap stop_oauth_mock EXIT
start_oauth_mock
echo "load: $(uptime)"
java -Djna.library.path="$NATIVE_DIR" -cp "$CP" dev.tokenward.bench.BenchKt "$@"
echo "load: $(uptime)"
