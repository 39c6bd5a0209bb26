#!/usr/bin/env bash
# Consumer suite, Python: installs what dist/ holds the way a user would and uses it from outside
# the repository.
#   1. a fresh venv in a temporary folder: `pip install` the wheel alone (no index), run consumer.py;
#   2. the origin check must fail when the repository's package is put first on PYTHONPATH
#      (proves the check can catch an import from the repository tree);
#   3. a second fresh venv: `pip install` the sdist, which is compiled from the tarball alone
#      (CARGO_TARGET_DIR stays the shared target dir, and MATURIN_PEP517_ARGS asks for the profile
#      and target of scripts/native.sh, so the compiled dependencies are reused), then consumer.py
#      again.
# Each check counts; the last line is `consumer-python: N passed, M failed`.
source "$(dirname "${BASH_SOURCE[0]}")/../../../scripts/common.sh"
source "$REPO/scripts/native.sh"
set +e
DIST="${DIST:-$REPO/dist}"
HERE="$REPO/tests/consumers/python"
unset PYTHONPATH PYTHONHOME
passed=0; failed=0
ok()   { passed=$((passed + 1)); echo "ok - $*"; }
fail() { failed=$((failed + 1)); echo "FAIL - $*"; }
finish() {
  echo "consumer-python: $passed passed, $failed failed"
  [ "$failed" = 0 ]
  exit
}

version="$(sed -n 's/^version = "\(.*\)"/\1/p' "$REPO/Cargo.toml" | head -1)"
shopt -s nullglob
wheels=("$DIST"/tokenward-"$version"-*.whl)
sdists=("$DIST"/tokenward-"$version".tar.gz)
shopt -u nullglob
if [ "${#wheels[@]}" = 1 ]; then ok "one wheel in $DIST: $(basename "${wheels[0]}")"
else fail "expected one tokenward $version wheel in $DIST, found ${#wheels[@]} (run scripts/package/python.sh)"; fi
if [ "${#sdists[@]}" = 1 ]; then ok "sdist in $DIST: $(basename "${sdists[0]}")"
else fail "no tokenward-$version.tar.gz in $DIST (run scripts/package/python.sh)"; fi
[ "$failed" = 0 ] || finish

WORK="$(mktemp -d "${TMPDIR:-/tmp}/tokenward-consumer-python.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
case "$WORK" in "$REPO"/*) fail "the temporary folder $WORK is inside the repository"; finish ;; esac

# run_consumer NAME VENV [ENV...]: consumer.py from a copy in its own folder, cwd = that folder.
run_consumer() {
  local name="$1" venv="$2" dir="$WORK/$1"; shift 2
  mkdir -p "$dir" && cp "$HERE/consumer.py" "$dir/"
  local out rc
  out="$(cd "$dir" && env "$@" "$venv/bin/python" consumer.py "$version" "$REPO" "$dir" 2>&1)"; rc=$?
  printf '%s\n' "$out" | sed "s/^/  [$name] /"
  local p f
  p="$(printf '%s\n' "$out" | sed -n 's/^checks: \([0-9]*\) passed, \([0-9]*\) failed$/\1/p')"
  f="$(printf '%s\n' "$out" | sed -n 's/^checks: \([0-9]*\) passed, \([0-9]*\) failed$/\2/p')"
  if [ -z "$p" ]; then fail "$name: consumer.py did not finish (exit $rc)"; return; fi
  passed=$((passed + p)); failed=$((failed + f))
  if [ "$rc" != 0 ] && [ "$f" = 0 ]; then fail "$name: consumer.py exited $rc"; fi
}

# --- 1. the wheel --------------------------------------------------------------------------------
step "consumer: wheel in a fresh venv ($WORK/venv-wheel)"
if python3 -m venv "$WORK/venv-wheel" \
   && "$WORK/venv-wheel/bin/python" -m pip install -q --no-index --no-deps "${wheels[0]}"; then
  ok "pip install $(basename "${wheels[0]}") into a fresh venv"
  run_consumer wheel "$WORK/venv-wheel"
else
  fail "pip install of the wheel"
fi

# --- 2. the origin check can fail ----------------------------------------------------------------
step "consumer: the origin check refuses the repository's package on PYTHONPATH"
out="$(cd "$WORK" && PYTHONPATH="$REPO/python" "$WORK/venv-wheel/bin/python" "$HERE/consumer.py" \
  "$version" "$REPO" "$WORK" --origin-only 2>&1)"; rc=$?
printf '%s\n' "$out" | sed 's/^/  [guard, must fail] /'
if [ "$rc" != 0 ] && printf '%s\n' "$out" | grep -q '^FAIL - tokenward is found in .*comes from '; then
  ok "origin check fails when PYTHONPATH points at the repository"
else
  fail "origin check did not notice an import from the repository (exit $rc)"
fi

# --- 3. the sdist --------------------------------------------------------------------------------
step "consumer: sdist built from the tarball alone in a second fresh venv"
maturin_pin="$(grep -i '^maturin==' "$REPO/python/requirements-dev.txt")"
t0=$(date +%s)
# The two crates of the tarball compile without optimisation: this checks that the sdist builds
# and works, not its speed; their dependencies keep the dist profile, so the shared target
# directory's compiled ones are reused.
#
# Cargo names a path crate's compiled files after its path relative to the workspace root, so the
# tarball's crates would otherwise share them with the repository's (same names, other sources
# and mtimes) and each build would make the other's stale: after every consumer run, the next
# build compiled tokenward-ffi, the CLI and both bindings again. A setting of their own
# (debug-assertions: also on their build scripts, which keep build-override's opt-level 0) keeps
# the tarball's units apart.
UNOPTIMISED_SDIST_CRATES=()
for crate in tokenward tokenward-python tokenward-unified-features; do
  UNOPTIMISED_SDIST_CRATES+=(--config "profile.dist.package.$crate.opt-level=0"
                             --config "profile.dist.package.$crate.debug-assertions=true")
done
# That leaves one clash: the compiled Python extension. Cargo names a path package's cdylib and its
# fingerprint without a hash of the settings (only of the package's name, version and path from
# the workspace root: "python" in both trees), so the tarball's build and the repository's wheel
# build overwrite each other's, and each recompiled the other's on every run (about 30 s of CPU).
# Each keeps its own copy here: the repository's is set aside during the tarball's build and put
# back after it, and the tarball's is kept for the next run. Cargo still checks whatever is in
# place against the sources, so a stale copy is rebuilt, never used.
PY_UNIT_STASH="$CARGO_TARGET_DIR/consumer-python-units"
python_units() { # the files of the tokenward-python units, relative to $NATIVE_DIR
  (cd "$NATIVE_DIR" && ls -d .fingerprint/tokenward-python-* deps/lib_native.so deps/_native.d \
     lib_native.so lib_native.d 2>/dev/null)
}
stash_python_units() { # DIR: keep a copy of the current units in DIR
  rm -rf "$1" && mkdir -p "$1"
  python_units | (cd "$NATIVE_DIR" && xargs -r cp -a --parents -t "$1")
}
restore_python_units() { # DIR: put a kept copy back in place
  [ -d "$1" ] || return 0
  python_units | (cd "$NATIVE_DIR" && xargs -r rm -rf)
  cp -a "$1/." "$NATIVE_DIR/"
}
stash_python_units "$PY_UNIT_STASH/repository"
restore_python_units "$PY_UNIT_STASH/sdist"
# The build backend comes from the index (pinned like the project's own build); the sdist itself
# is installed with no index, so pip builds exactly this tarball's contents with maturin and
# cargo. They are unpacked outside the repository into a directory named after them
# (unpacked_once, scripts/common.sh), which pip builds in place: an unchanged sdist reuses the
# last run's compiled crates instead of compiling them again from a fresh temporary copy.
sdist_tree="$(unpacked_once "${sdists[0]}" consumer-python-sdist)" && sdist_tree=("$sdist_tree"/tokenward-*/)
if [ -n "${sdist_tree[0]:-}" ] && [ -f "${sdist_tree[0]}pyproject.toml" ] \
   && python3 -m venv "$WORK/venv-sdist" \
   && "$WORK/venv-sdist/bin/python" -m pip install -q "$maturin_pin" \
   && (cd "$WORK" && MATURIN_PEP517_ARGS="${CARGO_DIST[*]} ${UNOPTIMISED_SDIST_CRATES[*]}" \
         "$WORK/venv-sdist/bin/python" -m pip install -q --no-index --no-deps \
         --no-build-isolation "${sdist_tree[0]}"); then
  ok "pip install $(basename "${sdists[0]}") built it from source ($(( $(date +%s) - t0 ))s)"
  run_consumer sdist "$WORK/venv-sdist"
else
  fail "pip install of the sdist"
fi
stash_python_units "$PY_UNIT_STASH/sdist"
restore_python_units "$PY_UNIT_STASH/repository"

finish
