#!/usr/bin/env bash
# Fails when the modules of the core (crate `tokenward`) depend on each other in a cycle.
#
# Runs in scripts/lint.sh (gate `module-cycles`). Needs cargo-modules, pinned below (0.27.0, the
# last release for rustc 1.95): when it is not on PATH, it is installed from crates.io once into
# $CARGO_TARGET_DIR/tools/cargo-modules-<version> (kept with the cargo cache; its build directory
# is removed after the install, so a run costs one `cargo modules` call, a few seconds).
# Its own `--acyclic` flag cannot be used: it checks the whole item graph before
# any filter, where every type "owns" its methods and a method that names its own type "uses"
# it (`ErrorCode` <-> `ErrorCode::as_str`), so it fails on any crate with methods. Instead this
# prints the module graph (cargo-modules re-attaches the edges of functions, types and traits to
# their module; a method counts in the module of its type, wherever its `impl` block is) and
# looks for strongly connected components among the modules.
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$REPO/target}"
cd "$REPO"
CARGO_MODULES_VERSION=0.27.0
if ! command -v cargo-modules >/dev/null; then
  tools="$CARGO_TARGET_DIR/tools/cargo-modules-$CARGO_MODULES_VERSION"
  if [ ! -x "$tools/bin/cargo-modules" ]; then
    echo "module-cycles: installing cargo-modules $CARGO_MODULES_VERSION into $tools (once)" >&2
    # Installed beside and renamed into place: two lint runs at once never see half an install.
    build="$(mktemp -d)"
    cargo install -q --locked --root "$build/root" --target-dir "$build/target" \
      "cargo-modules@$CARGO_MODULES_VERSION" >&2 \
      || { rm -rf "$build"; echo "module-cycles: could not install cargo-modules" >&2; exit 1; }
    mkdir -p "$(dirname "$tools")"
    mv -T "$build/root" "$tools" 2>/dev/null || [ -x "$tools/bin/cargo-modules" ]
    rm -rf "$build"
  fi
  export PATH="$tools/bin:$PATH"
fi
DOT="$(mktemp)"
trap 'rm -f "$DOT"' EXIT
cargo modules dependencies --lib -p tokenward --no-fns --no-traits --no-types --no-externs \
  --no-sysroot --no-owns --layout dot >"$DOT"
python3 - "$DOT" <<'PY'
import re, sys
dot = open(sys.argv[1]).read()
kinds = dict(re.findall(r'^\s*"([^"]+)" \[label="([^|"]*)\|', dot, re.M))
modules = {n for n, k in kinds.items() if k.endswith("mod") or k == "crate"}
def module_of(node):
    while node not in modules and "::" in node:
        node = node.rsplit("::", 1)[0]
    return node
graph = {}
for a, b in re.findall(r'^\s*"([^"]+)" -> "([^"]+)" \[label="uses"', dot, re.M):
    a, b = module_of(a), module_of(b)
    if a != b:
        graph.setdefault(a, set()).add(b)
# Tarjan's strongly connected components, iteratively.
index, low, stack, on_stack, cycles, counter = {}, {}, [], set(), [], 0
for root in sorted(modules):
    if root in index:
        continue
    work = [(root, iter(sorted(graph.get(root, ()))))]
    index[root] = low[root] = counter; counter += 1; stack.append(root); on_stack.add(root)
    while work:
        node, children = work[-1]
        child = next(children, None)
        if child is None:
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop(); on_stack.discard(member); component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    cycles.append(sorted(component))
        elif child not in index:
            index[child] = low[child] = counter; counter += 1; stack.append(child); on_stack.add(child)
            work.append((child, iter(sorted(graph.get(child, ())))))
        elif child in on_stack:
            low[node] = min(low[node], index[child])
for component in cycles:
    print("module-cycles: these modules depend on each other:")
    for a in component:
        for b in sorted(graph.get(a, ())):
            if b in component:
                print(f"  {a} -> {b}")
edges = sum(len(v) for v in graph.values())
print(f"module-cycles: {len(modules)} modules, {edges} dependencies, {len(cycles)} cycles")
sys.exit(1 if cycles else 0)
PY
