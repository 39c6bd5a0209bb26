#!/usr/bin/env python3
"""The code blocks of README.md and docs/*.md, for the suites that execute them.

A fenced block is tested when its language is one of LANGUAGES. Its info string may carry:

* ``no-run=<reason>``: the block is not executed (the reason is one of NO_RUN_REASONS); the
  suites still check what they can without running it (Python: syntax and every name taken from
  tokenward; JS: every name taken from tokenward; Rust: compiled, not run).
* ``setup=<name>``: the language's harness runs its prelude ``<name>`` first (the variables a
  fragment uses: a verifier, a token, ...). Preludes live beside each harness.

Any other word after the language is an error, so a typo in a marker fails the suites instead of
silently running (or skipping) a block.

Used by python/tests/test_doc_snippets.py, node/__test__/doc_snippets.test.mjs and the build script
of tests/doc-snippets (Rust doctests; it parses the same syntax). ``--json`` prints every block;
``--list`` prints one line per block, with the reason of those that do not run.
"""

from __future__ import annotations

import json
import re
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
LANGUAGES = {"rust": "rust", "python": "python", "js": "js", "javascript": "js", "kotlin": "kotlin", "swift": "swift"}
NO_RUN_REASONS = {
    "network": "talks to a live server (an OAuth/OIDC issuer, a remote JWKS)",
    "server": "starts a server or needs a web framework's app/request objects",
    "manifest": "a build-manifest fragment, not program code",
    "sketch": "an outline of signatures, not compilable code (checked by no suite)",
}
FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})(?P<info>[^`]*)$")


@dataclass
class Block:
    file: str  # relative to the repository
    line: int  # 1-based line of the opening fence
    lang: str  # normalised: rust, python, js, kotlin, swift
    no_run: str | None
    setup: str | None
    code: str

    @property
    def id(self) -> str:
        return f"{self.file}:{self.line}"


def doc_files() -> list[Path]:
    return [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]


def blocks_of(path: Path) -> list[Block]:
    rel = path.relative_to(REPO).as_posix()
    lines = path.read_text(encoding="utf-8").split("\n")
    out: list[Block] = []
    i = 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        indent, fence, info = m["indent"], m["fence"], m["info"].strip()
        start = i
        body: list[str] = []
        i += 1
        while i < len(lines) and not (lines[i].strip().startswith(fence) and lines[i].strip().strip(fence[0]) == ""):
            line = lines[i]
            body.append(line[len(indent):] if line.startswith(indent) else line.lstrip())
            i += 1
        if i == len(lines):
            raise ValueError(f"{rel}:{start + 1}: unclosed code fence")
        i += 1
        words = info.split()
        if not words or words[0] not in LANGUAGES:
            continue
        no_run = setup = None
        for word in words[1:]:
            key, _, value = word.partition("=")
            if key == "no-run" and value in NO_RUN_REASONS:
                no_run = value
            elif key == "setup" and re.fullmatch(r"[a-z_][a-z0-9_]*", value):
                setup = value
            else:
                raise ValueError(
                    f"{rel}:{start + 1}: unknown marker {word!r} in ```{info} "
                    f"(known: no-run=<{'|'.join(NO_RUN_REASONS)}>, setup=<name>)"
                )
        out.append(Block(rel, start + 1, LANGUAGES[words[0]], no_run, setup, "\n".join(body) + "\n"))
    return out


def all_blocks(lang: str | None = None) -> list[Block]:
    blocks = [b for path in doc_files() for b in blocks_of(path)]
    return [b for b in blocks if lang is None or b.lang == lang]


def main(argv: list[str]) -> int:
    lang = next((a.split("=", 1)[1] for a in argv if a.startswith("--lang=")), None)
    blocks = all_blocks(lang)
    if "--json" in argv:
        json.dump([asdict(b) | {"id": b.id} for b in blocks], sys.stdout, indent=1)
        print()
    else:
        for b in blocks:
            note = f"not run: {b.no_run} ({NO_RUN_REASONS[b.no_run]})" if b.no_run else "runs"
            print(f"{b.id:28} {b.lang:7} {note}" + (f", setup={b.setup}" if b.setup else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
