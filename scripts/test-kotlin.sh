#!/usr/bin/env bash
# Builds the tokenward-ffi cdylib (release) and runs the Kotlin/JVM JUnit suite with Maven.
# JNA loads libtokenward_ffi.so from $CARGO_TARGET_DIR/release; the suite reads tests/vectors/.
# The first run downloads the Maven artifacts from Maven Central; later runs with an unchanged
# pom.xml run offline (-o).
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$REPO/target}"

cd "$REPO"
# Exactly the package set and features of scripts/build.sh: cargo unifies features per invocation,
# so any other set would compile the core and this crate a second time.
cargo build --release -p tokenward-cli -p tokenward-ffi --features tokenward-ffi/bindgen

command -v mvn >/dev/null || { apt-get update -qq; apt-get install -y -qq maven >/dev/null; }

M2="${MAVEN_REPO_LOCAL:-$HOME/.m2/repository}"
STAMP="$M2/.tokenward-kotlin-$(sha256sum kotlin/pom.xml | cut -c1-16)"
OFFLINE=()
[ -f "$STAMP" ] && OFFLINE=(-o)

cd kotlin
mvn -B -ntp -Dstyle.color=never "${OFFLINE[@]}" \
  -Dmaven.repo.local="$M2" \
  -Dtokenward.libdir="$CARGO_TARGET_DIR/release" \
  -Dtokenward.vectordir="$REPO/tests/vectors" \
  test
mkdir -p "$M2" && touch "$STAMP"
