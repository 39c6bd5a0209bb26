#!/usr/bin/env bash
# Consumer test of the JVM artifact: a fresh Maven project in a temporary directory outside the
# repository depends on dev.tokenward:tokenward as published in dist/ (jar + POM, built by
# scripts/package/jvm.sh when dist/ lacks them), installed with install:install-file into a
# throw-away local repository. A Kotlin `main` then runs with a plain `java -cp`, no system
# properties: it issues and verifies a JWT, creates and verifies an API key in a SQLite file of
# the temporary project, redacts a line, and checks that JNA took the library out of the jar.
#
# Maven artifacts other than tokenward (plugins, Kotlin, JNA, coroutines) are read from the
# ordinary cache ~/.m2/repository, declared to the throw-away repository's Maven as a file://
# repository. The first run downloads what the cache lacks from Maven Central and copies it
# (never tokenward) into the cache; later runs are offline (-o, file:// allowed).
# Last line: `consumer-kotlin: N passed, M failed`; exit status non-zero on any failure.
source "$(dirname "${BASH_SOURCE[0]}")/../../../scripts/common.sh"
HERE="$REPO/tests/consumers/kotlin"
DIST="${DIST:-$REPO/dist}"
CACHE="${MAVEN_REPO_LOCAL:-$HOME/.m2/repository}"

RAN_MAIN=0
WORK=""
finish() {
  local rc=$?
  [ "$RAN_MAIN" = 1 ] || [ "$rc" = 0 ] || echo "consumer-kotlin: 0 passed, 1 failed (the consumer project did not build)"
  [ -z "$WORK" ] || rm -rf "$WORK"
  exit "$rc"
}
trap finish EXIT

pom_value() { # kotlin/pom.xml's <version> or a <properties> entry
  python3 - "$REPO/kotlin/pom.xml" "$1" <<'PY'
import sys, xml.etree.ElementTree as E
ns = {"m": "http://maven.apache.org/POM/4.0.0"}
root = E.parse(sys.argv[1]).getroot()
node = root.find("m:version", ns) if sys.argv[2] == "version" else root.find("m:properties/m:" + sys.argv[2], ns)
print(node.text)
PY
}
VERSION="$(pom_value version)"
KOTLIN_VERSION="$(pom_value kotlin.version)"
BASE="tokenward-$VERSION"

command -v mvn >/dev/null || { apt-get update -qq; apt-get install -y -qq maven >/dev/null; }
for f in "$BASE.jar" "$BASE.pom" "$BASE-sources.jar" "$BASE-javadoc.jar"; do
  [ -f "$DIST/$f" ] || { step "consumer-kotlin: $DIST/$f missing, running scripts/package/jvm.sh"; DIST="$DIST" "$REPO/scripts/package/jvm.sh"; break; }
done

WORK="$(mktemp -d "${TMPDIR:-/tmp}/tokenward-consumer-kotlin.XXXXXX")"
case "$WORK" in "$REPO"/*) echo "consumer-kotlin: $WORK is inside the repository" >&2; exit 1 ;; esac
THROWAWAY="$WORK/m2"
PROJECT="$WORK/project"
mkdir -p "$THROWAWAY" "$PROJECT/src/main/kotlin" "$CACHE"

cat > "$WORK/settings.xml" <<XML
<settings>
  <profiles>
    <profile>
      <id>host-cache</id>
      <activation><activeByDefault>true</activeByDefault></activation>
      <repositories>
        <repository>
          <id>host-cache</id><url>file://$CACHE</url>
          <releases><checksumPolicy>ignore</checksumPolicy></releases>
          <snapshots><enabled>false</enabled></snapshots>
        </repository>
      </repositories>
      <pluginRepositories>
        <pluginRepository>
          <id>host-cache</id><url>file://$CACHE</url>
          <releases><checksumPolicy>ignore</checksumPolicy></releases>
          <snapshots><enabled>false</enabled></snapshots>
        </pluginRepository>
      </pluginRepositories>
    </profile>
  </profiles>
</settings>
XML

STAMP="$CACHE/.tokenward-consumer-kotlin-$(cat "$HERE/pom.xml" "$REPO/kotlin/pom.xml" | sha256sum | cut -c1-16)"
OFFLINE=()
[ -f "$STAMP" ] && OFFLINE=(-o -Daether.offline.protocols=file)
MVN=(mvn -B -q -ntp -Dstyle.color=never "${OFFLINE[@]}" -s "$WORK/settings.xml" -Dmaven.repo.local="$THROWAWAY")

step "consumer-kotlin: install $BASE into the throw-away repository $THROWAWAY"
(cd "$WORK" && "${MVN[@]}" org.apache.maven.plugins:maven-install-plugin:3.1.3:install-file \
  -Dfile="$DIST/$BASE.jar" -DpomFile="$DIST/$BASE.pom" \
  -Dsources="$DIST/$BASE-sources.jar" -Djavadoc="$DIST/$BASE-javadoc.jar")
INSTALLED="$THROWAWAY/dev/tokenward/tokenward/$VERSION/$BASE.jar"
cmp -s "$INSTALLED" "$DIST/$BASE.jar" || { echo "consumer-kotlin: the installed jar is not dist's" >&2; exit 1; }

step "consumer-kotlin: build the consumer project in $PROJECT"
sed -e "s/@TOKENWARD_VERSION@/$VERSION/" -e "s/@KOTLIN_VERSION@/$KOTLIN_VERSION/" "$HERE/pom.xml" > "$PROJECT/pom.xml"
cp "$HERE/Main.kt" "$PROJECT/src/main/kotlin/Main.kt"
(cd "$PROJECT" && "${MVN[@]}" compile \
  org.apache.maven.plugins:maven-dependency-plugin:3.8.1:build-classpath -Dmdep.outputFile="$WORK/classpath.txt")
CLASSPATH_DEPS="$(cat "$WORK/classpath.txt")"
case ":$CLASSPATH_DEPS:" in
  *":$INSTALLED:"*) ;;
  *) echo "consumer-kotlin: tokenward is not resolved from the throw-away repository: $CLASSPATH_DEPS" >&2; exit 1 ;;
esac

if [ "${#OFFLINE[@]}" = 0 ]; then
  # What this first run downloaded, except tokenward, goes into the cache for offline reruns.
  (cd "$THROWAWAY" && find . -type f ! -path './dev/tokenward/*' ! -name '_remote.repositories' \
    ! -name '*.lastUpdated' ! -name 'resolver-status.properties' -print0 \
    | while IFS= read -r -d '' f; do
        [ -e "$CACHE/$f" ] || { mkdir -p "$CACHE/$(dirname "$f")"; cp "$f" "$CACHE/$f"; }
      done)
  touch "$STAMP"
fi

step "consumer-kotlin: run (java -cp …, no system properties)"
RAN_MAIN=1
cd "$WORK"
set +e
env -u JAVA_TOOL_OPTIONS -u JDK_JAVA_OPTIONS -u _JAVA_OPTIONS -u LD_LIBRARY_PATH \
  java -cp "$PROJECT/target/classes:$CLASSPATH_DEPS" MainKt "$WORK" | tee "$WORK/out.txt"
rc=${PIPESTATUS[0]}
set -e
# A JVM that died before main's summary (a crash in native code) still ends with the line.
[[ "$(tail -n1 "$WORK/out.txt")" == consumer-kotlin:* ]] || { echo "consumer-kotlin: 0 passed, 1 failed (the program died, status $rc)"; [ "$rc" != 0 ] || rc=1; }
exit "$rc"
