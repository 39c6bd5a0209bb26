#!/usr/bin/env bash
# Builds the tokenward-ffi cdylib (scripts/native.sh) and runs the Kotlin/JVM JUnit suite with Maven.
# Maven copies libtokenward_ffi.so from $NATIVE_DIR into the class path at JNA's
# resource path (linux-x86-64/, as in the published jar), so the tests run without
# -Djna.library.path; the suite reads ../tests/vectors.
# The first run downloads the Maven artifacts from Maven Central; later runs with an unchanged
# pom.xml run offline (-o).
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$REPO/target}"

# The OAuth mock server of the OAuth and remote-JWKS tests: start_oauth_mock in scripts/common.sh.
source "$REPO/scripts/common.sh"
source "$REPO/scripts/native.sh"

cd "$REPO"
build_cli_and_ffi

command -v mvn >/dev/null || { apt-get update -qq; apt-get install -y -qq maven >/dev/null; }

M2="${MAVEN_REPO_LOCAL:-$HOME/.m2/repository}"
STAMP="$M2/.tokenward-kotlin-$(sha256sum kotlin/pom.xml | cut -c1-16)"
OFFLINE=()
[ -f "$STAMP" ] && OFFLINE=(-o)

# Kotlin's incremental compiler misses some changes of the generated bindings (callers of a
# constructor with default arguments keep the old synthetic <init>: NoSuchMethodError at run
# time). When the generated file changes, compile from scratch once.
GEN_SHA="$(sha256sum kotlin/src/main/kotlin/dev/tokenward/tokenward.kt | cut -c1-16)"
if [ "$(cat kotlin/target/.tokenward-kt.sha 2>/dev/null || true)" != "$GEN_SHA" ]; then
  rm -rf kotlin/target/classes kotlin/target/test-classes kotlin/target/kotlin-ic
  mkdir -p kotlin/target && echo "$GEN_SHA" > kotlin/target/.tokenward-kt.sha
fi

# The Kotlin code blocks of the documentation, compiled with the tests (DocSnippetsTest runs them).
python3 tests/tools/doc_snippets.py --emit-kotlin kotlin/target/generated-test-sources/doc-snippets/DocSnippets.kt

source "$REPO/scripts/servers.sh"
trap 'stop_oauth_mock; stop_test_servers' EXIT
start_oauth_mock
ensure_test_servers

cd kotlin
mvn -B -ntp -Dstyle.color=never "${OFFLINE[@]}" \
  -Dmaven.repo.local="$M2" \
  -Dtokenward.libdir="$NATIVE_DIR" \
  test
mkdir -p "$M2" && touch "$STAMP"
