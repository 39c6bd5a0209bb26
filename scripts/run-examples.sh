#!/usr/bin/env bash
# Runs every example of examples/ (and the Rust ones of core/examples) against the built tree:
# each exits non-zero when tokenward does not behave as the example says. The last line is
# `examples: N passed, M failed`.
#
#   scripts/run-examples.sh [rust|python|node|kotlin|swift ...]   (default: all five)
#
# scripts/test-all.sh runs the Rust, Python and Node examples in its first lane and the Kotlin and
# Swift ones in the JVM/Swift lane, after the suites that compiled them.
# Kotlin and Swift examples are compiled by their suites (kotlin: `mvn test-compile` with the test
# sources, see kotlin/pom.xml; swift: an executable target of Package.swift that `swift test`
# builds), so after scripts/test-kotlin.sh and scripts/test-swift.sh this script compiles nothing
# of theirs; run alone, it compiles what is missing or stale.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
source "$REPO/scripts/native.sh"
set +e
cd "$REPO"
run() { tally example "$@"; }

# `kotlin_example CLASS`: runs the main() of an examples/kotlin file from kotlin/target, on the
# library Maven copied into target/classes/linux-x86-64 (the one the classes were built against).
kotlin_example() {
  local class="$1" file="kotlin/target/test-classes/${1//.//}.class"
  local M2="${MAVEN_REPO_LOCAL:-$HOME/.m2/repository}"
  if [ ! -f "$file" ] || [ -n "$(find examples/kotlin kotlin/src/main -newer "$file" -name '*.kt' | head -1)" ]; then
    step "example: compiling the Kotlin test sources and examples (mvn -o test-compile)"
    # scripts/test-kotlin.sh's rule: a changed generated file is compiled from scratch.
    local gen
    gen="$(sha256sum kotlin/src/main/kotlin/dev/tokenward/tokenward.kt | cut -c1-16)"
    if [ "$(cat kotlin/target/.tokenward-kt.sha 2>/dev/null || true)" != "$gen" ]; then
      rm -rf kotlin/target/classes kotlin/target/test-classes kotlin/target/kotlin-ic
      mkdir -p kotlin/target && echo "$gen" > kotlin/target/.tokenward-kt.sha
    fi
    (cd kotlin && flock /tmp/tw-kotlin.lock mvn -B -q -ntp -Dstyle.color=never -o -Dmaven.repo.local="$M2" \
      -Dtokenward.libdir="$NATIVE_DIR" test-compile) || return 1
  fi
  prop() { sed -n "s:.*<$1>\(.*\)</$1>.*:\1:p" kotlin/pom.xml | head -1; }
  local KT JNA CO CP
  KT="$(prop kotlin.version)"; JNA="$(prop jna.version)"; CO="$(prop coroutines.version)"
  CP="kotlin/target/classes:kotlin/target/test-classes"
  CP="$CP:$M2/org/jetbrains/kotlin/kotlin-stdlib/$KT/kotlin-stdlib-$KT.jar"
  CP="$CP:$M2/net/java/dev/jna/jna/$JNA/jna-$JNA.jar"
  CP="$CP:$M2/org/jetbrains/kotlinx/kotlinx-coroutines-core-jvm/$CO/kotlinx-coroutines-core-jvm-$CO.jar"
  java -cp "$CP" "$class"
}

rust_examples() {
  # Built with the Rust suite's package set, whose `cargo test` has compiled the examples already.
  cargo build "${CARGO_DIST[@]}" -q "${RUST_TEST_SET[@]}" --examples \
    || { tally example rust-build false; return; }
  run rust/quickstart "$NATIVE_DIR/examples/quickstart"
}

langs=("$@")
[ ${#langs[@]} -gt 0 ] || langs=(rust python node kotlin swift)
for lang in "${langs[@]}"; do
  case "$lang" in
    rust) rust_examples ;;
    python) for f in examples/python/*.py; do run "python/$(basename "$f")" python3 -P "$f"; done ;;
    node) for f in examples/node/*.mjs; do run "node/$(basename "$f")" node "$f"; done ;;
    kotlin)
      for f in examples/kotlin/*.kt; do
        run "kotlin/$(basename "$f")" kotlin_example "dev.tokenward.examples.$(basename "$f" .kt)Kt"
      done ;;
    swift)
      for d in examples/swift/*/; do
        name="$(basename "$d")"
        run "swift/$name" "$REPO/scripts/test-swift.sh" --run "Tokenward$name"
      done ;;
    *) echo "unknown language $lang" >&2; exit 2 ;;
  esac
done
echo "examples: $passed passed, $failed failed"
[ "$failed" = 0 ] && [ "$passed" -gt 0 ]
