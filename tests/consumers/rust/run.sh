#!/usr/bin/env bash
# Consumer test of the `tokenward` crate: unpacks the .crate from "${DIST:-$REPO/dist}" (made by
# scripts/package/rust.sh) into a temporary folder outside the repository and builds two crates
# against it, as `tokenward = { path = ... }`:
#   full/      default features: issue + verify a JWT, API keys in SQLite, redact a line;
#   jwt-only/  `default-features = false, features = ["jwt"]`: issue + verify a JWT, and
#              `cargo tree -p tokenward` shows no rusqlite, reqwest, tokio (nor hyper,
#              libsqlite3-sys).
# Both also list the dependencies of bindings/unified-features, as an application's own
# dependencies would, so the compiled dependencies of the shared target directory are reused.
# Each consumer gets a copy of the workspace Cargo.lock, so the registry crates are the versions
# the repository tests (checked below) and, with the shared $CARGO_TARGET_DIR and the profile,
# target and toolchain of scripts/native.sh, mostly already compiled. Offline by default (the registry cache is warm after
# scripts/build.sh); TOKENWARD_CONSUMER_ONLINE=1 lets cargo reach crates.io.
#
# Prints "consumer-rust: N passed, M failed"; exits non-zero on any failure.
source "$(dirname "${BASH_SOURCE[0]}")/../../../scripts/common.sh"
source "$REPO/scripts/native.sh"
DIST="${DIST:-$REPO/dist}"
HERE="$REPO/tests/consumers/rust"
set +e

passed=0; failed=0
ok() { passed=$((passed+1)); echo "PASS $*"; }
ko() { failed=$((failed+1)); echo "FAIL $*"; }
finish() {
  echo "consumer-rust: $passed passed, $failed failed"
  [ "$failed" = 0 ]
  exit
}

offline=(--offline)
[ "${TOKENWARD_CONSUMER_ONLINE:-0}" = 1 ] && offline=()

shopt -s nullglob
crates=("$DIST"/tokenward-*.crate)
if [ ${#crates[@]} -ne 1 ]; then
  ko "exactly one tokenward-*.crate in $DIST (found ${#crates[@]}; run scripts/package/rust.sh)"
  finish
fi
crate="${crates[0]}"

# The tarball's contents and the two consumers live outside the repository, in a directory named
# after those contents (unpacked_once, scripts/common.sh): a rerun with an unchanged crate reuses
# the last build instead of compiling the crate again.
TMP="$(unpacked_once "$crate" consumer-rust)" || { ko "unpack $(basename "$crate")"; finish; }
case "$TMP" in "$REPO"/*) ko "the consumer folder $TMP is inside the repository"; finish ;; esac

src=("$TMP"/tokenward-*/)
src="${src[0]%/}"
if [ -f "$src/Cargo.toml" ] && [ -f "$src/src/lib.rs" ]; then
  ok "unpacked $(basename "$crate") ($(du -k "$crate" | cut -f1) KiB)"
else
  ko "unpacked $(basename "$crate") has Cargo.toml and src/lib.rs"; finish
fi

# Writes a consumer crate: $1 name, $2 the tokenward dependency's extra keys.
make_consumer() {
  local dir="$TMP/$1"
  mkdir -p "$dir/src"
  write_if_changed "$dir/src/main.rs" <"$HERE/${1%-plain}/src/main.rs"  # jwt-only-plain: jwt-only's
  write_if_changed "$dir/Cargo.lock" <"$REPO/Cargo.lock"
  write_if_changed "$dir/Cargo.toml" <<EOF
[package]
name = "tokenward-consumer-$1"
version = "0.0.0"
edition = "2021"
publish = false

[dependencies]
tokenward = { path = "$src"$2 }
$(grep -q '^serde_json' <<<"${3:-}" || echo 'serde_json = "1"')
${3:-}

# The workspace's dist profile (Cargo.toml; scripts/native.sh exports a release's overrides),
# built the way scripts/native.sh builds everything, so the shared target directory's compiled
# dependencies are reused.
[profile.dist]
inherits = "release"
lto = false
codegen-units = 16

# The crate from the tarball compiles without optimisation: this checks what the tarball holds and
# that an application builds and runs with it, not its speed. Its dependencies keep the profile
# above, so they are the shared target directory's, compiled once.
[profile.dist.package.tokenward]
opt-level = 0

[workspace]
EOF
}

# Every registry crate in the consumer's lock file has a version the workspace lock file has:
# the build resolved nothing anew.
same_versions() {
  python3 - "$REPO/Cargo.lock" "$1/Cargo.lock" <<'EOF'
import sys, tomllib
def pkgs(p):
    with open(p, "rb") as f:
        return {(x["name"], x["version"]) for x in tomllib.load(f).get("package", []) if "source" in x}
ws, consumer = pkgs(sys.argv[1]), pkgs(sys.argv[2])
new = sorted(consumer - ws)
print(f"{len(consumer)} registry crates, {len(new)} not in the workspace lock" + (f": {new}" if new else ""))
sys.exit(1 if new else 0)
EOF
}

build_and_run() { # $1 name
  local dir="$TMP/$1" start end
  start=$(date +%s)
  if (cd "$dir" && cargo build "${CARGO_DIST[@]}" -q "${offline[@]}"); then
    end=$(date +%s)
    ok "$1: cargo build ${CARGO_DIST[*]} ${offline[*]} ($((end-start)) s)"
  else
    ko "$1: cargo build ${CARGO_DIST[*]} ${offline[*]}"
    return 1
  fi
  if out="$(same_versions "$dir")"; then ok "$1: lock versions match the workspace ($out)"; else ko "$1: lock versions match the workspace ($out)"; fi
  local bin="$NATIVE_DIR/tokenward-consumer-$1"
  if out="$("$bin" 2>&1)"; then
    ok "$1: runs ($(printf '%s\n' "$out" | grep -c '^ok:') checks)"
  else
    printf '%s\n' "$out"
    ko "$1: runs"
  fi
}

# The registry dependencies of bindings/unified-features (a Cargo.toml section without comments
# and without its `tokenward` line).
unified_section() {
  sed -n "/^\\[$1\\]/,/^\\[/p" "$REPO/bindings/unified-features/Cargo.toml" \
    | grep -vE '^\[|^#|^tokenward *=|^$'
}

# Both consumers also ask for the features the repository's builds turn on
# (bindings/unified-features): an application's own dependencies (tokio, serde, hyper, ...) widen
# them the same way, and the shared target directory's compiled dependencies are then reused;
# only the crate from the tarball compiles.
app_dependencies="$(unified_section dependencies)
[build-dependencies]
$(unified_section build-dependencies)"

make_consumer full "" "$app_dependencies"
echo 'fn main() {}' | write_if_changed "$TMP/full/build.rs"
build_and_run full

# The features a registry crate has in `full` but not in `$1` (a consumer already written), as
# dependency lines turning them on: an application that also uses tokenward's other features
# would have them, and jwt-only then reuses `full`'s compiled crates (aws-lc-sys above all) instead
# of compiling them again with fewer features. tokenward's own features stay as `$1` asks.
features_of_full() {
  local tree=(tree --target "$DIST_TARGET" -e normal,build -f '{p} {f}' --prefix none "${offline[@]}")
  python3 - <(cd "$TMP/full" && cargo "${tree[@]}" 2>/dev/null) <(cd "$TMP/$1" && cargo "${tree[@]}" 2>/dev/null) <<'PY'
import sys
def features(path):
    out = {}
    for line in open(path):
        parts = line.split()
        if len(parts) < 2 or parts[0].startswith("tokenward") or "(/" in line:
            continue
        named = [p for p in parts[2:] if not p.startswith("(")]
        out.setdefault((parts[0], parts[1].lstrip("v")), set()).update(
            f for f in (named[0].split(",") if named else []) if f)
    return out
full, mine = features(sys.argv[1]), features(sys.argv[2])
seen = set()
for (name, version), fs in sorted(mine.items()):
    if not full.get((name, version), set()) - fs:
        continue
    # All of full's features (a superset of what the consumer asked), so this line replaces the
    # consumer's own for that crate; a second version of one name gets an alias.
    key = name if name not in seen else f"{name}-{version.replace('.', '_')}"
    seen.add(name)
    feats = ", ".join(f'"{f}"' for f in sorted(full[(name, version)]))
    print(f'{key} = {{ package = "{name}", version = "={version}", default-features = false, features = [{feats}] }}')
PY
}

# jwt-only-plain is only resolved (cargo tree), never built: what jwt-only lacks of full's features.
make_consumer jwt-only-plain ', default-features = false, features = ["jwt"]' "$app_dependencies"
widened="$(features_of_full jwt-only-plain)"
replaced="$(printf '%s\n' "$widened" | sed -n 's/^\([A-Za-z0-9_-]*\) = .*/\1/p' | paste -sd'|')"
make_consumer jwt-only ', default-features = false, features = ["jwt"]' "$(unified_section dependencies | grep -vE "^(${replaced:-^}) *=")
$widened
[build-dependencies]
$(unified_section build-dependencies)"
echo 'fn main() {}' | write_if_changed "$TMP/jwt-only/build.rs"
if build_and_run jwt-only; then
  # What tokenward itself pulls in (the consumer's own dependencies above are not its doing).
  tree="$(cd "$TMP/jwt-only" && cargo tree -e normal -p tokenward --prefix none "${offline[@]}" 2>&1)"
  present="$(printf '%s\n' "$tree" | awk '{print $1}' | grep -xE 'rusqlite|libsqlite3-sys|reqwest|hyper|tokio|tracing-subscriber|regex-automata' | sort -u | tr '\n' ' ')"
  count="$(printf '%s\n' "$tree" | awk '{print $1" "$2}' | sort -u | wc -l)"
  if [ -z "$present" ] && printf '%s\n' "$tree" | grep -q '^tokenward v'; then
    ok "jwt-only: cargo tree has no rusqlite, reqwest, hyper, tokio ($count crates incl. tokenward)"
  else
    ko "jwt-only: cargo tree has no rusqlite, reqwest, hyper, tokio (found: ${present:-tree failed})"
  fi
fi

finish
