#!/usr/bin/env bash
# Python artifacts of a release, into ${DIST:-$REPO/dist}:
#   tokenward-<v>-cp310-abi3-manylinux_2_17_x86_64.manylinux2014_x86_64.whl  and  tokenward-<v>.tar.gz
# then checks them: `auditwheel show` must agree with the wheel's manylinux tag, `twine check
# --strict` must pass, and both must carry the licence texts and the typing files.
#
#   scripts/package/python.sh           wheel + sdist + checks (scripts/package.sh)
#   scripts/package/python.sh --wheel   the wheel only, no checks (scripts/build.sh installs it)
#   scripts/package/python.sh --check   only the checks, on what $DIST holds
#
# The wheel is linked with zig against glibc 2.17 (scripts/native.sh: the zig wrappers, the `dist`
# profile and target triple every native artifact shares): a wheel linked by the host toolchain on
# this Debian 12 (glibc 2.36) references GLIBC_2.3x symbol versions and auditwheel refuses it even
# manylinux_2_28 (it needs GLIBC_2.34). scripts/build.sh runs exactly this command and packaging
# finds it up to date.
source "$(dirname "${BASH_SOURCE[0]}")/../common.sh"
source "$REPO/scripts/native.sh"
DIST="${DIST:-$REPO/dist}"
MODE="${1:-all}"
case "$MODE" in all|--wheel|--check) ;; *) echo "usage: $0 [--wheel|--check]" >&2; exit 2 ;; esac

version="$(sed -n 's/^version = "\(.*\)"/\1/p' "$REPO/Cargo.toml" | head -1)"
PLATFORM=manylinux2014   # = manylinux_2_17
if [ "$MODE" != --check ]; then
  mkdir -p "$DIST"
  rm -f "$DIST"/tokenward-*.whl "$DIST"/tokenward-*.tar.gz
  (cd "$REPO/python" && maturin build -q "${CARGO_DIST[@]}" --compatibility "$PLATFORM" \
     --auditwheel check -o "$DIST")
  [ "$MODE" = --wheel ] && exit 0
  step "Python sdist"
  (cd "$REPO/python" && maturin sdist -o "$DIST")
fi

step "Python artifact checks"
shopt -s nullglob
wheels=("$DIST"/tokenward-"$version"-*.whl)
sdists=("$DIST"/tokenward-"$version".tar.gz)
shopt -u nullglob
[ "${#wheels[@]}" = 1 ] || { echo "expected one wheel in $DIST, found ${#wheels[@]}" >&2; exit 1; }
[ "${#sdists[@]}" = 1 ] || { echo "no sdist tokenward-$version.tar.gz in $DIST" >&2; exit 1; }
wheel="${wheels[0]}" sdist="${sdists[0]}"

# auditwheel: the tag it derives from the library's symbol versions and shared-library references
# must be a manylinux tag the wheel carries, with nothing external to graft.
auditwheel show "$wheel" 2>&1 | sed '/^$/d; s/^/  auditwheel: /'
auditwheel show --json "$wheel" | python3 -c '
import json, sys
r, name = json.load(sys.stdin), sys.argv[1]
tag = r.get("overall_tag", "")
bad = [k for k in ("pure", "pyfpe", "ucs2", "unsupported_isa") if r.get(k)]
if not tag.startswith("manylinux") or tag not in name:
    bad.append(f"derived tag {tag!r} is not a manylinux tag of {name}")
libs = sorted(r.get("external_libs") or {})
if libs:
    bad.append(f"external libraries: {libs}")
if bad:
    sys.exit("auditwheel: " + "; ".join(bad))
print(f"  auditwheel: ok, {tag}, no external libraries")
' "$(basename "$wheel")"

twine check --strict "$wheel" "$sdist"

# Contents: licence texts (same bytes as the repository's), typing files, PEP 639 metadata.
python3 - "$REPO" "$wheel" "$sdist" "$version" <<'EOF'
import sys, tarfile, zipfile
from pathlib import Path

repo, wheel, sdist, version = Path(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
licences = {n: (repo / n).read_bytes() for n in ("LICENSE-MIT", "LICENSE-APACHE")}
problems = []
with zipfile.ZipFile(wheel) as z:
    names = set(z.namelist())
    info = f"tokenward-{version}.dist-info"
    meta = z.read(f"{info}/METADATA").decode()
    for n, text in licences.items():
        p = f"{info}/licenses/{n}"
        if p not in names or z.read(p) != text:
            problems.append(f"wheel: {p} missing or different from the repository's")
        if f"License-File: {n}" not in meta:
            problems.append(f"wheel METADATA: no License-File: {n}")
    if "License-Expression: MIT OR Apache-2.0" not in meta:
        problems.append("wheel METADATA: no License-Expression")
    for p in ("tokenward/py.typed", "tokenward/_native.pyi", "tokenward/__init__.py"):
        if p not in names:
            problems.append(f"wheel: {p} missing")
    if not any(n.startswith("tokenward/_native") and n.endswith(".abi3.so") for n in names):
        problems.append("wheel: no tokenward/_native.abi3.so")
with tarfile.open(sdist) as t:
    root = f"tokenward-{version}"
    for n, text in licences.items():
        m = t.getmember(f"{root}/{n}") if f"{root}/{n}" in t.getnames() else None
        f = t.extractfile(m) if m is not None and m.isfile() else None
        if f is None or f.read() != text:
            problems.append(f"sdist: {root}/{n} missing or different from the repository's")
    for p in ("pyproject.toml", "Cargo.lock", "README.md", "core/Cargo.toml", "python/Cargo.toml"):
        if f"{root}/{p}" not in t.getnames():
            problems.append(f"sdist: {p} missing")
for p in problems:
    print(p, file=sys.stderr)
sys.exit(1 if problems else 0)
EOF

for f in "$wheel" "$sdist"; do
  printf '  %-72s %8s bytes\n' "$(basename "$f")" "$(stat -c %s "$f")"
done
