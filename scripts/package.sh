#!/usr/bin/env bash
# Builds everything a release publishes into dist/ (or $DIST): the Python wheel and sdist, the npm
# tarballs, the JVM jar with its POM, sources and javadoc jars, the Swift package manifest check,
# and the `tokenward` crate. Each ecosystem's script is scripts/package/<name>.sh; they reuse the
# one cargo target directory, so after scripts/build.sh this compiles little.
#
#   scripts/package.sh [python|node|jvm|swift|rust ...]
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
export DIST="${DIST:-$REPO/dist}"
mkdir -p "$DIST"
set +e
parts=("$@")
[ ${#parts[@]} -gt 0 ] || parts=(python node jvm swift rust)
failed=(); timing=()
for part in "${parts[@]}"; do
  step "package: $part"
  t0=$(date +%s)
  bash "$REPO/scripts/package/$part.sh" || failed+=("$part")
  timing+=("$part $(( $(date +%s) - t0 ))s")
done
echo
ls -l "$DIST"
echo "package times: ${timing[*]}"
if [ ${#failed[@]} -gt 0 ]; then
  echo "package: failed: ${failed[*]}"
  exit 1
fi
