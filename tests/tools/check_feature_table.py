#!/usr/bin/env python3
"""The README's feature table is a promise: every ticked cell names the tests that back it.

tests/feature-table.json maps each row (by the start of its first cell) to, per language, a list
of "path::regex" entries: the file must exist in that language's test tree and contain the regex
(a test's name). The check fails when a ticked cell has no entry, when an entry's file or test is
missing, when an entry points outside the language's test tree, when a cell marked "–" has
entries (the test would back nothing), or when a row of the mapping is not in the table.
Prints "feature-table: N passed, M failed".
"""
import json
import re
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
LANGS = ["rust", "python", "node", "kotlin", "swift"]
TREES = {
    "rust": ("core/src/", "core/tests/", "cli/tests/"),
    "python": ("python/tests/",),
    "node": ("node/__test__/",),
    "kotlin": ("kotlin/src/test/",),
    "swift": ("swift/Tests/",),
}


def table_rows(readme: str) -> list[list[str]]:
    lines = readme.splitlines()
    start = next(i for i, l in enumerate(lines) if l.startswith("| piece |"))
    rows = []
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        rows.append([c.strip() for c in line.strip().strip("|").split("|")])
    return rows


def main() -> int:
    mapping = json.loads((REPO / "tests/feature-table.json").read_text())
    rows = table_rows((REPO / "README.md").read_text())
    passed, failures = 0, []
    seen = set()
    for cells in rows:
        piece, marks = cells[0], cells[1:]
        key = next((k for k in mapping if piece.startswith(k)), None)
        if key is None:
            failures.append(f"row {piece[:50]!r}: no entry in tests/feature-table.json")
            continue
        seen.add(key)
        for lang, mark in zip(LANGS, marks):
            entries = mapping[key].get(lang, [])
            if mark in ("–", "-", ""):
                if entries:
                    failures.append(f"{key} / {lang}: marked – but the mapping lists tests")
                continue
            if not entries:
                failures.append(f"{key} / {lang}: ticked ({mark}) but no test is named")
                continue
            for entry in entries:
                path, _, pattern = entry.partition("::")
                if not path.startswith(TREES[lang]):
                    failures.append(f"{key} / {lang}: {path} is not in the {lang} test tree")
                    continue
                file = REPO / path
                if not file.is_file():
                    failures.append(f"{key} / {lang}: {path} does not exist")
                elif not re.search(pattern, file.read_text()):
                    failures.append(f"{key} / {lang}: no {pattern!r} in {path}")
                else:
                    passed += 1
    for key in mapping:
        if key not in seen and not key.startswith("_"):
            failures.append(f"mapping row {key!r} is not in the README table")
    for f in failures:
        print(f"  {f}")
    print(f"feature-table: {passed} passed, {len(failures)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
