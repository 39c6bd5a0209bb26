#!/usr/bin/env python3
"""Checks docs/vocabulary.md: every name in its tables exists in that language's public surface.

A cell lists one or more names in backticks (other text is ignored, `–` means "not in this
language"). A name is `Type`, a free function or constant, or `Type.member` (`Type::member` in
Rust; for Swift and Kotlin the member of a type or of its extensions). Surfaces, read from the
sources without building anything:

* Rust: `pub` items of core/src (structs, enums and their variants, traits, functions, consts,
  `pub fn` of `impl` blocks, `pub` struct fields);
* Python: python/tokenward/_native.pyi and the package's own modules (classes and their members,
  functions, constants);
* Node: node/index.d.ts (declared classes and interfaces with their members, functions, consts);
* Kotlin: the generated kotlin/src/main/kotlin/dev/tokenward/tokenward.kt and the hand-written
  files beside it (extensions, top-level classes and values);
* Swift: swift/Sources/Tokenward/*.swift (the generated file and the extensions).

`--dump LANG` prints a language's surface. Last line: `vocabulary: N names checked, M missing`.
"""

from __future__ import annotations

import ast
import re
import sys
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
TABLE = REPO / "docs" / "vocabulary.md"
LANGS = ["Rust", "Python", "Node", "Kotlin", "Swift"]


class Surface:
    def __init__(self) -> None:
        self.top: set[str] = set()
        self.members: dict[str, set[str]] = defaultdict(set)

    def has(self, name: str, sep: str = ".") -> bool:
        if sep in name:
            owner, member = name.rsplit(sep, 1)
            owner = owner.rsplit(sep, 1)[-1]
            return member in self.members.get(owner, set())
        return name in self.top or name in self.members


def brace_blocks(lines: list[str], start: int) -> int:
    """The index of the line that closes the block opened at or after `start`."""
    depth = 0
    opened = False
    for i in range(start, len(lines)):
        code = re.sub(r'"(?:\\.|[^"\\])*"', '""', lines[i].split("//")[0])
        depth += code.count("{") - code.count("}")
        opened = opened or "{" in code
        if opened and depth <= 0:
            return i
    return len(lines) - 1


def rust_surface() -> Surface:
    s = Surface()
    item = re.compile(r"^\s*pub(?:\([^)]*\))?\s+(?:async\s+|const\s+(?=fn)|unsafe\s+)*(struct|enum|trait|fn|type|const|static|mod)\s+(\w+)")
    impl = re.compile(r"^\s*impl\b(?:<[^{]*?>)?\s+(?:[\w:<>, ']+\s+for\s+)?(?:[\w]+::)*(\w+)\b")
    for path in sorted((REPO / "core" / "src").rglob("*.rs")):
        lines = path.read_text(encoding="utf-8").split("\n")
        i = 0
        while i < len(lines):
            line = lines[i]
            m = item.match(line)
            if m and m[1] in ("struct", "enum", "trait") and "{" in "".join(lines[i : i + 3]) and not line.rstrip().endswith(";"):
                s.top.add(m[2])
                end = brace_blocks(lines, i)
                for inner in lines[i + 1 : end]:
                    if m[1] == "enum":
                        v = re.match(r"^\s*(?:#\[[^\]]*\]\s*)?([A-Z]\w*)\s*(?:[,({=]|$)", inner)
                        if v:
                            s.members[m[2]].add(v[1])
                    f = re.match(r"^\s*pub\s+(\w+)\s*:", inner) or re.match(r"^\s*(?:async\s+)?fn\s+(\w+)", inner)
                    if f:
                        s.members[m[2]].add(f[1])
                i += 1
                continue
            if m:
                s.top.add(m[2])
            im = impl.match(line)
            if im and "{" in line:
                end = brace_blocks(lines, i)
                for inner in lines[i + 1 : end]:
                    f = re.match(r"^\s*pub(?:\([^)]*\))?\s+(?:const\s+|async\s+|unsafe\s+)*(?:fn\s+)?(\w+)", inner)
                    if f and f[1] not in ("fn", "const", "type"):
                        s.members[im[1]].add(f[1])
                    f = re.match(r"^\s*pub(?:\([^)]*\))?\s+(?:const\s+|async\s+|unsafe\s+)*fn\s+(\w+)", inner)
                    if f:
                        s.members[im[1]].add(f[1])
                    f = re.match(r"^\s*pub\s+const\s+(\w+)", inner)
                    if f:
                        s.members[im[1]].add(f[1])
            i += 1
    return s


def python_surface() -> Surface:
    s = Surface()
    pkg = REPO / "python" / "tokenward"
    for path in [pkg / "_native.pyi", *sorted(pkg.glob("*.py"))]:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in tree.body:
            if isinstance(node, ast.ClassDef):
                s.top.add(node.name)
                for m in node.body:
                    if isinstance(m, (ast.FunctionDef, ast.AsyncFunctionDef)):
                        s.members[node.name].add(m.name)
                    elif isinstance(m, ast.AnnAssign) and isinstance(m.target, ast.Name):
                        s.members[node.name].add(m.target.id)
                    elif isinstance(m, ast.Assign):
                        s.members[node.name].update(t.id for t in m.targets if isinstance(t, ast.Name))
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                s.top.add(node.name)
            elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
                s.top.add(node.target.id)
            elif isinstance(node, ast.Assign):
                s.top.update(t.id for t in node.targets if isinstance(t, ast.Name))
    return s


def node_surface() -> Surface:
    s = Surface()
    for path in [REPO / "node" / "index.d.ts", REPO / "node" / "integrations.d.ts"]:
        if not path.exists():
            continue
        lines = path.read_text(encoding="utf-8").split("\n")
        i = 0
        while i < len(lines):
            m = re.match(r"^export\s+(?:declare\s+)?(class|interface|namespace|function|const|type)\s+(\w+)", lines[i])
            if m:
                s.top.add(m[2])
                if m[1] in ("class", "interface", "namespace") and "{" in lines[i]:
                    end = brace_blocks(lines, i)
                    for inner in lines[i + 1 : end]:
                        f = re.match(r"^  (?:static\s+|readonly\s+|get\s+|set\s+|async\s+|function\s+)*(\w+)\??\s*[(:<]", inner)
                        if f:
                            s.members[m[2]].add(f[1])
                    i = end
            i += 1
    return s


def kotlin_surface() -> Surface:
    s = Surface()
    path = REPO / "kotlin" / "src" / "main" / "kotlin" / "dev" / "tokenward" / "tokenward.kt"
    decl = re.compile(r"^(?:public\s+|internal\s+|open\s+|data\s+|enum\s+|sealed\s+|abstract\s+)*(class|interface|object)\s+`?(\w+)`?")
    fun = re.compile(r"\bfun\s+(?:<[^>]*>\s*)?(?:[\w.<>?]+\.)?`?(\w+)`?\s*\(")
    prop = re.compile(r"^\s*(?:override\s+|open\s+|public\s+|const\s+)*va[lr]\s+`?(\w+)`?")
    current: str | None = None
    depth = 0
    for raw in path.read_text(encoding="utf-8").split("\n"):
        line = re.sub(r"^\s*\*/", "", raw)  # `*/ fun x()`: the declaration after a doc comment
        if line.strip().startswith(("//", "*", "/*")):
            continue
        code = re.sub(r'"(?:\\.|[^"\\])*"', '""', line.split("//")[0])
        if depth == 0:
            m = decl.match(line.strip())
            f = fun.search(line)
            if m:
                current = m[2]
                s.top.add(current)
            elif f:
                s.top.add(f[1])
                current = None
            elif current and (pm := prop.match(line)):  # a data class's constructor properties
                s.members[current].add(pm[1])
        elif current:
            f = fun.search(line)
            if f:
                s.members[current].add(f[1])
            if depth == 1:
                for rx in (prop, re.compile(r"^\s+([A-Z][A-Z0-9_]*)\b"), re.compile(r"^\s+(?:data\s+)?(?:class|object)\s+(\w+)")):
                    m = rx.match(line)
                    if m:
                        s.members[current].add(m[1])
        depth = max(depth + code.count("{") - code.count("}"), 0)
    # The hand-written extensions beside it: `fun Type.name(`, `fun Type.Companion.name(` (a
    # static member), `val Type.name`.
    # Top-level declarations of those files: `class Name`, `val NAME`, `fun name(`.
    ext = re.compile(r"^(?:public\s+|inline\s+)*(?:fun|va[lr])\s+(?:<[^>]*>\s*)?(\w+)(?:\.Companion)?\.`?(\w+)`?")
    top = re.compile(r"^(?:public\s+)?(?:class|object|interface|fun|va[lr])\s+`?(\w+)`?")
    for hand_written in sorted(path.parent.glob("*.kt")):
        if hand_written == path:
            continue
        for line in hand_written.read_text(encoding="utf-8").split("\n"):
            if m := ext.match(line):
                s.members[m[1]].add(m[2])
            elif m := top.match(line):
                s.top.add(m[1])
    return s


def swift_surface() -> Surface:
    s = Surface()
    decl = re.compile(r"^(?:public\s+|open\s+|final\s+)*(class|struct|enum|protocol|extension)\s+(\w+)")
    member = re.compile(
        r"^\s*(?:@\w+\s+)*(?:public\s+|open\s+|override\s+|static\s+|class\s+|required\s+|convenience\s+|final\s+|nonisolated\s+)*"
        r"(?:func\s+`?(\w+)`?|(?:let|var)\s+(\w+)|case\s+(\w+)|(init)\b)"
    )
    for path in sorted((REPO / "swift" / "Sources" / "Tokenward").glob("*.swift")):
        current: str | None = None
        depth = 0
        for line in path.read_text(encoding="utf-8").split("\n"):
            stripped = line.strip()
            if stripped.startswith(("//", "*", "/*")):
                continue
            code = re.sub(r'"(?:\\.|[^"\\])*"', '""', line.split("//")[0])
            if depth == 0:
                m = decl.match(line)
                if m:
                    current = m[2]
                    if m[1] != "extension":
                        s.top.add(current)
                else:
                    f = re.match(r"^(?:public\s+|open\s+)(?:func\s+(\w+)|(?:let|var)\s+(\w+))", line)
                    if f:
                        s.top.add(f[1] or f[2])
                    current = None
            elif depth == 1 and current:
                f = member.match(line)
                if f:
                    s.members[current].add(next(g for g in f.groups() if g))
            depth += code.count("{") - code.count("}")
            depth = max(depth, 0)
    return s


SURFACES = {"Rust": rust_surface, "Python": python_surface, "Node": node_surface, "Kotlin": kotlin_surface, "Swift": swift_surface}


def table_cells(text: str) -> list[tuple[int, str, str, list[str]]]:
    """(line, concept, language, names) for every cell of every table with the language columns."""
    out = []
    header: list[str] | None = None
    for n, line in enumerate(text.split("\n"), 1):
        if not line.startswith("|"):
            header = None
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if header is None:
            header = cells
            continue
        if set("".join(cells)) <= set("-: "):
            continue
        for lang in LANGS:
            if lang in header:
                names = re.findall(r"`([^`]+)`", cells[header.index(lang)])
                out.append((n, cells[0], lang, names))
    return out


def main(argv: list[str]) -> int:
    if argv[:1] == ["--dump"]:
        s = SURFACES[argv[1]]()
        for t in sorted(s.top | set(s.members)):
            print(t, " ".join(sorted(s.members.get(t, ()))))
        return 0
    path = Path(argv[0]) if argv else TABLE
    surfaces = {lang: f() for lang, f in SURFACES.items()}
    checked = 0
    missing = []
    for line, concept, lang, names in table_cells(path.read_text(encoding="utf-8")):
        for name in names:
            checked += 1
            bare = re.sub(r"\(.*\)$", "", name)  # `redact(text:)` -> redact
            if not surfaces[lang].has(bare, "::" if lang == "Rust" else "."):
                missing.append(f"{path.relative_to(REPO) if path.is_relative_to(REPO) else path}:{line}: {lang} `{name}` ({concept}) is not in the {lang} surface")
    for m in missing:
        print(m)
    print(f"vocabulary: {checked} names checked, {len(missing)} missing")
    return 1 if missing or checked == 0 else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
