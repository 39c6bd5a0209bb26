#!/usr/bin/env bash
# Packages the Kotlin/JVM library for Maven Central into "${DIST:-<repo>/dist}":
#   tokenward-<v>.jar          classes + linux-x86-64/libtokenward_ffi.so (JNA's resource path)
#   tokenward-<v>.pom          kotlin/pom.xml (name, description, url, licenses, developers, scm)
#   tokenward-<v>-sources.jar  the Kotlin sources
#   tokenward-<v>-javadoc.jar  Dokka's Javadoc-format rendering of the KDoc
# Only linux-x86-64 is built here; a release adds the other JNA platform directories
# (linux-aarch64, darwin-aarch64, darwin-x86-64, win32-x86-64) from their own builds before
# signing (.asc) and uploading, which this script does not do.
source "$(dirname "${BASH_SOURCE[0]}")/../common.sh"
source "$REPO/scripts/native.sh"
DIST="${DIST:-$REPO/dist}"

cd "$REPO"
step "JVM: Rust library (scripts/native.sh: dist profile, glibc 2.17)"
build_cli_and_ffi

command -v mvn >/dev/null || { apt-get update -qq; apt-get install -y -qq maven >/dev/null; }

# The published copy of the library carries no symbol table or debug info (the exported uniffi
# functions stay: they live in the dynamic symbol table).
STAGE="$CARGO_TARGET_DIR/jvm-native"
mkdir -p "$STAGE"
strip --strip-unneeded -o "$STAGE/libtokenward_ffi.so" "$NATIVE_DIR/libtokenward_ffi.so"

M2="${MAVEN_REPO_LOCAL:-$HOME/.m2/repository}"
STAMP="$M2/.tokenward-kotlin-release-$(sha256sum kotlin/pom.xml | cut -c1-16)"
OFFLINE=()
[ -f "$STAMP" ] && OFFLINE=(-o)

VERSION="$(python3 -c 'import sys, xml.etree.ElementTree as E
ns = {"m": "http://maven.apache.org/POM/4.0.0"}
print(E.parse(sys.argv[1]).getroot().find("m:version", ns).text)' kotlin/pom.xml)"
BASE="tokenward-$VERSION"

# Dokka reads only the main sources and the POM: when target/ holds a javadoc jar made from the
# same ones, it is kept (-Ddokka.skip) instead of being generated again (about 25 s).
JAVADOC_INPUTS="$( (cat kotlin/pom.xml; find kotlin/src/main -type f | LC_ALL=C sort | xargs sha256sum) | sha256sum | cut -c1-64)"
JAVADOC_STAMP="kotlin/target/.tokenward-javadoc-inputs"
SKIP_DOKKA=false
[ -f "kotlin/target/$BASE-javadoc.jar" ] && [ "$(cat "$JAVADOC_STAMP" 2>/dev/null)" = "$JAVADOC_INPUTS" ] && SKIP_DOKKA=true

step "JVM: jar, sources jar, javadoc jar (mvn -Prelease package; javadoc jar kept: $SKIP_DOKKA)"
# The tests run in scripts/test-kotlin.sh (they need the OAuth mock server); here they are
# neither compiled nor run.
rm -f "$JAVADOC_STAMP"
(cd kotlin && mvn -B -q -ntp -Dstyle.color=never "${OFFLINE[@]}" -Prelease -Ddokka.skip="$SKIP_DOKKA" \
  -Dmaven.repo.local="$M2" -Dtokenward.libdir="$STAGE" -Dmaven.test.skip=true package)
mkdir -p "$M2" && touch "$STAMP"
echo "$JAVADOC_INPUTS" >"$JAVADOC_STAMP"

mkdir -p "$DIST"
for f in "$BASE.jar" "$BASE-sources.jar" "$BASE-javadoc.jar"; do
  [ -f "kotlin/target/$f" ] || { echo "jvm: kotlin/target/$f was not built" >&2; exit 1; }
  cp "kotlin/target/$f" "$DIST/$f"
done
cp kotlin/pom.xml "$DIST/$BASE.pom"

# The jar must carry the library where JNA looks for it.
# (grep without -q reads the whole listing: with -q, pipefail would see unzip's SIGPIPE.)
unzip -Z1 "$DIST/$BASE.jar" | grep -x 'linux-x86-64/libtokenward_ffi.so' >/dev/null \
  || { echo "jvm: $BASE.jar lacks linux-x86-64/libtokenward_ffi.so" >&2; exit 1; }
for f in "$BASE.jar" "$BASE.pom" "$BASE-sources.jar" "$BASE-javadoc.jar"; do
  printf '  %-32s %s\n' "$f" "$(du -h "$DIST/$f" | cut -f1)"
done
