#!/usr/bin/env bash
# Consumer test of the JVM artifact: a fresh Maven project in a temporary directory outside the
# repository depends on dev.tokenward:tokenward as published in dist/ (jar + POM, built by
# scripts/package/jvm.sh when dist/ lacks them), served by a throw-away file:// repository that
# holds nothing else. A Kotlin `main` then runs with a plain `java -cp`, no system properties: it
# issues and verifies a JWT, creates and verifies an API key in a SQLite file of the temporary
# project, redacts a line, and checks that JNA took the library out of the jar.
#
# Maven's local repository is the ordinary one, ~/.m2/repository, as for any user: plugins, Kotlin,
# JNA and coroutines come from it (downloaded from Maven Central on a first run; later runs are
# offline, file:// allowed). tokenward itself is removed from it before the build, so Maven must
# fetch it from the throw-away repository, and again afterwards. Sharing the local repository
# also means the Kotlin compiler is the same files as the Kotlin suite's, so Maven reuses the
# compile daemon that suite started instead of starting and warming a second one.
# Last line: `consumer-kotlin: N passed, M failed`; exit status non-zero on any failure.
source "$(dirname "${BASH_SOURCE[0]}")/../../../scripts/common.sh"
HERE="$REPO/tests/consumers/kotlin"
DIST="${DIST:-$REPO/dist}"
CACHE="${MAVEN_REPO_LOCAL:-$HOME/.m2/repository}"

RAN_MAIN=0
WORK=""
LOCAL_COPY=""
finish() {
  local rc=$?
  [ "$RAN_MAIN" = 1 ] || [ "$rc" = 0 ] || echo "consumer-kotlin: 0 passed, 1 failed (the consumer project did not build)"
  [ -z "$WORK" ] || rm -rf "$WORK" "$LOCAL_COPY"
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
PUBLISHED="$WORK/published"
PROJECT="$WORK/project"
# Where Maven keeps tokenward once fetched: removed now and in finish(), so only this run's fetch
# from the throw-away repository can put it there.
LOCAL_COPY="$CACHE/dev/tokenward/tokenward/$VERSION"
rm -rf "$LOCAL_COPY"
mkdir -p "$PROJECT/src/main/kotlin" "$CACHE"

step "consumer-kotlin: publish $BASE into the throw-away repository $PUBLISHED"
mkdir -p "$PUBLISHED/dev/tokenward/tokenward/$VERSION"
for f in "$BASE.jar" "$BASE.pom" "$BASE-sources.jar" "$BASE-javadoc.jar"; do
  cp "$DIST/$f" "$PUBLISHED/dev/tokenward/tokenward/$VERSION/$f"
done

cat > "$WORK/settings.xml" <<XML
<settings>
  <profiles>
    <profile>
      <id>published</id>
      <activation><activeByDefault>true</activeByDefault></activation>
      <repositories>
        <repository>
          <id>tokenward-published</id><url>file://$PUBLISHED</url>
          <releases><checksumPolicy>ignore</checksumPolicy></releases>
          <snapshots><enabled>false</enabled></snapshots>
        </repository>
      </repositories>
    </profile>
  </profiles>
</settings>
XML

STAMP="$CACHE/.tokenward-consumer-kotlin-$(cat "$HERE/pom.xml" "$REPO/kotlin/pom.xml" | sha256sum | cut -c1-16)"
OFFLINE=()
[ -f "$STAMP" ] && OFFLINE=(-o -Daether.offline.protocols=file)
MVN=(mvn -B -q -ntp -Dstyle.color=never "${OFFLINE[@]}" -s "$WORK/settings.xml" -Dmaven.repo.local="$CACHE")

step "consumer-kotlin: build the consumer project in $PROJECT"
sed -e "s/@TOKENWARD_VERSION@/$VERSION/" -e "s/@KOTLIN_VERSION@/$KOTLIN_VERSION/" "$HERE/pom.xml" > "$PROJECT/pom.xml"
cp "$HERE/Main.kt" "$PROJECT/src/main/kotlin/Main.kt"
(cd "$PROJECT" && "${MVN[@]}" compile \
  org.apache.maven.plugins:maven-dependency-plugin:3.8.1:build-classpath -Dmdep.outputFile="$WORK/classpath.txt")
touch "$STAMP"
CLASSPATH_DEPS="$(cat "$WORK/classpath.txt")"
INSTALLED="$LOCAL_COPY/$BASE.jar"
case ":$CLASSPATH_DEPS:" in
  *":$INSTALLED:"*) ;;
  *) echo "consumer-kotlin: tokenward is not resolved from the local repository: $CLASSPATH_DEPS" >&2; exit 1 ;;
esac
cmp -s "$INSTALLED" "$DIST/$BASE.jar" || { echo "consumer-kotlin: the jar Maven fetched is not dist's" >&2; exit 1; }
grep -qs 'tokenward-published' "$LOCAL_COPY/_remote.repositories" \
  || { echo "consumer-kotlin: Maven did not fetch tokenward from the throw-away repository" >&2; exit 1; }

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
