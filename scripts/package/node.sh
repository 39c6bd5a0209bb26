#!/usr/bin/env bash
# npm artifacts of a release, into ${DIST:-$REPO/dist}, in the napi-rs layout:
#   tokenward-<v>.tgz                  JS loader, ESM/CJS entries, types; optionalDependencies on
#                                      the platform packages packed here
#   tokenward-<platform>-<v>.tgz       one per built target (node/npm/<platform>/package.json):
#                                      the .node addon, with os/cpu/libc so npm installs only the
#                                      matching one
# then checks the main tarball with @arethetypeswrong/cli (types right for require and import);
# a problem fails the script.
#
# Targets: linux-x64-gnu is the addon scripts/build.sh builds (scripts/native.sh: zig, glibc 2.17). Further targets
# are cross-built with cargo-zigbuild (`napi build -x`) when it, zig (`ziglang` from PyPI) and the
# rustup target are installed; a target that cannot be built is reported and skipped.
# NODE_TARGETS="x86_64-unknown-linux-musl aarch64-unknown-linux-gnu" (default) picks them; set it
# empty to pack the host addon only. Everything reuses the shared cargo target directory, so a
# repeated run compiles nothing.
source "$(dirname "${BASH_SOURCE[0]}")/../common.sh"
source "$REPO/scripts/native.sh"
DIST="${DIST:-$REPO/dist}"
NODE_DIR="$REPO/node"
CROSS_TARGETS="${NODE_TARGETS-x86_64-unknown-linux-musl aarch64-unknown-linux-gnu}"
mkdir -p "$DIST"
STAGE="$(mktemp -d)"
trap 'rm -rf "$STAGE"' EXIT

version="$(node -p "require('$NODE_DIR/package.json').version")"
rm -f "$DIST"/tokenward-"$version".tgz "$DIST"/tokenward-linux-*-"$version".tgz

# napi-rs platform name of a Rust target triple (the npm/<platform> directory).
platform_of() {
  case "$1" in
    x86_64-unknown-linux-gnu) echo linux-x64-gnu ;;
    x86_64-unknown-linux-musl) echo linux-x64-musl ;;
    aarch64-unknown-linux-gnu) echo linux-arm64-gnu ;;
    *) return 1 ;;
  esac
}

# The host addon: the same command as scripts/build.sh (cargo finds it up to date after a build).
build_node_addon
declare -A ADDON=([linux-x64-gnu]="$NODE_DIR/tokenward.linux-x64-gnu.node")

# zig from the `ziglang` PyPI package when no zig is on PATH (napi's -x wants `zig` on PATH).
if ! command -v zig >/dev/null && zigdir="$(python3 -c 'import ziglang, os; print(os.path.dirname(ziglang.__file__))' 2>/dev/null)"; then
  export PATH="$PATH:$zigdir"
fi
can_cross() {
  command -v cargo-zigbuild >/dev/null || { echo "cargo-zigbuild is not installed (cargo install cargo-zigbuild)"; return 1; }
  command -v zig >/dev/null || { echo "zig is not installed (pip install ziglang)"; return 1; }
  rustup target list --installed 2>/dev/null | grep -qx "$1" || { echo "rustup target $1 is not installed"; return 1; }
}
for target in $CROSS_TARGETS; do
  platform="$(platform_of "$target")" || { echo "node: unknown target $target" >&2; exit 1; }
  if ! why="$(can_cross "$target")"; then
    echo "node: skipping $platform: $why"
    continue
  fi
  out="$STAGE/build-$platform"
  # --no-js: the loader and index.d.ts stay those of the host build (they do not depend on the target).
  if (cd "$NODE_DIR" && npx napi build --platform --release --target "$target" -x --no-js \
        --output-dir "$out" --dts "$STAGE/cross.d.ts" > "$STAGE/$platform.log" 2>&1); then
    ADDON[$platform]="$out/tokenward.$platform.node"
  else
    echo "node: $platform did not build (last lines of the log):"
    tail -n 15 "$STAGE/$platform.log" | sed 's/^/    /'
  fi
done

licences=()
for f in LICENSE-MIT LICENSE-APACHE; do [ -f "$REPO/$f" ] && licences+=("$REPO/$f"); done

# npm packs only what `files` lists (plus files named exactly LICENSE*): list the licence texts.
add_licences_to_files() {
  node -e 'const fs = require("node:fs"); const [f, ...l] = process.argv.slice(1); const p = JSON.parse(fs.readFileSync(f, "utf8"));
    p.files = [...new Set([...(p.files || []), ...l])]; fs.writeFileSync(f, JSON.stringify(p, null, 2) + "\n")' "$1" "${licences[@]##*/}"
}

# Platform packages.
optional=()
for platform in $(printf '%s\n' "${!ADDON[@]}" | sort); do
  addon="${ADDON[$platform]}"
  [ -f "$addon" ] || { echo "node: $addon is missing" >&2; exit 1; }
  dir="$STAGE/pkg-$platform"
  mkdir -p "$dir"
  cp "$NODE_DIR/npm/$platform/package.json" "$NODE_DIR/npm/$platform/README.md" "$dir/"
  cp "$addon" "$dir/tokenward.$platform.node"
  # Debug info is not shipped (host strip understands x86-64; others keep theirs).
  strip --strip-unneeded "$dir/tokenward.$platform.node" 2>/dev/null || true
  [ ${#licences[@]} -eq 0 ] || cp "${licences[@]}" "$dir/"
  add_licences_to_files "$dir/package.json"
  (cd "$dir" && npm pack --silent --pack-destination "$DIST" >/dev/null)
  optional+=("tokenward-$platform")
done

# The main package: node/ as listed in `files`, with optionalDependencies on the platform
# packages packed above (napi-rs adds them at publish time too) and no dev-only fields.
main="$STAGE/pkg-main"
mkdir -p "$main"
files="$(node -p "require('$NODE_DIR/package.json').files.join('\n')")"
for f in $files; do cp "$NODE_DIR/$f" "$main/"; done
cp "$NODE_DIR/README.md" "$main/"
[ ${#licences[@]} -eq 0 ] || cp "${licences[@]}" "$main/"
node - "$NODE_DIR/package.json" "$main/package.json" "$version" "${optional[@]}" <<'EOF'
const fs = require('node:fs')
const [src, dst, version, ...platforms] = process.argv.slice(2)
const pkg = JSON.parse(fs.readFileSync(src, 'utf8'))
delete pkg.devDependencies
delete pkg.scripts
pkg.optionalDependencies = Object.fromEntries(platforms.map((p) => [p, version]))
fs.writeFileSync(dst, JSON.stringify(pkg, null, 2) + '\n')
EOF
add_licences_to_files "$main/package.json"
(cd "$main" && npm pack --silent --pack-destination "$DIST" >/dev/null)

# Types for require and import, as a consumer's TypeScript resolves them (node10, node16 CJS and
# ESM, bundler). attw exits non-zero on any problem.
(cd "$NODE_DIR" && npx attw --format table-flipped "$DIST/tokenward-$version.tgz")

echo "node: packed into $DIST:"
for t in "$DIST/tokenward-$version.tgz" "${optional[@]/#/$DIST/}"; do
  [ "$t" = "$DIST/tokenward-$version.tgz" ] || t="$t-$version.tgz"
  printf '  %-48s %8s bytes\n' "$(basename "$t")" "$(stat -c %s "$t")"
done
