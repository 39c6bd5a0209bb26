#!/usr/bin/env python3
"""The code blocks of README.md and docs/*.md, for the suites that execute them.

A fenced block is tested when its language is one of LANGUAGES. Its info string may carry:

* ``no-run=<reason>``: the block is not executed (the reason is one of NO_RUN_REASONS); the
  suites still check what they can without running it (Python: syntax and every name taken from
  tokenward; JS: every name taken from tokenward; Rust: compiled, not run).
* ``setup=<name>``: the language's harness runs its prelude ``<name>`` first (the variables a
  fragment uses: a verifier, a token, ...). Preludes live beside each harness.
* ``issuer=<url>``: the block runs against the suites' OAuth/OIDC mock server
  (tests/oauth/mock-server.mjs), which stands in for the authorization server ``<url>``: the
  harness replaces that URL in the block by the mock server's issuer (preludes see it too).

Any other word after the language is an error, so a typo in a marker fails the suites instead of
silently running (or skipping) a block.

Used by python/tests/test_doc_snippets.py, node/__test__/doc_snippets.test.mjs and the build script
of tests/doc-snippets (Rust doctests; it parses the same syntax). ``--json`` prints every block;
without options, one line per block, with the reason of those that do not run.
``--emit-kotlin FILE`` / ``--emit-swift FILE`` write the Kotlin / Swift blocks as one source file
of the language's test suite (scripts/test-kotlin.sh, scripts/test-swift.sh): every block is
compiled (except ``sketch``/``manifest``), and a test runs each block without ``no-run``.
Preludes of Rust, Kotlin and Swift: tests/doc-snippets/preludes/<name>.rs|kt|swift.
"""

from __future__ import annotations

import json
import re
import sys
import textwrap
from dataclasses import asdict, dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
LANGUAGES = {"rust": "rust", "python": "python", "js": "js", "javascript": "js", "kotlin": "kotlin", "swift": "swift"}
NO_RUN_REASONS = {
    "network": "talks to a live server (an OAuth/OIDC issuer, a remote JWKS)",
    "server": "starts a server or needs a web framework's app/request objects",
    "manifest": "a build-manifest fragment, not program code",
    "sketch": "an outline of signatures, not compilable code (checked by no suite)",
    "files": "writes a database at a fixed path outside the test's directory",
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
    issuer: str | None = None  # the example URL the OAuth mock server stands in for

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
        no_run = setup = issuer = None
        for word in words[1:]:
            key, _, value = word.partition("=")
            if key == "no-run" and value in NO_RUN_REASONS:
                no_run = value
            elif key == "setup" and re.fullmatch(r"[a-z_][a-z0-9_]*", value):
                setup = value
            elif key == "issuer" and value.startswith("https://"):
                issuer = value
            else:
                raise ValueError(
                    f"{rel}:{start + 1}: unknown marker {word!r} in ```{info} "
                    f"(known: no-run=<{'|'.join(NO_RUN_REASONS)}>, setup=<name>, issuer=<https://…>)"
                )
        out.append(Block(rel, start + 1, LANGUAGES[words[0]], no_run, setup, "\n".join(body) + "\n", issuer))
    return out


def all_blocks(lang: str | None = None) -> list[Block]:
    blocks = [b for path in doc_files() for b in blocks_of(path)]
    return [b for b in blocks if lang is None or b.lang == lang]


PRELUDES = REPO / "tests" / "doc-snippets" / "preludes"
NOT_COMPILED = {"sketch", "manifest"}


def _prelude(block: Block, ext: str) -> str:
    if not block.setup:
        return ""
    path = PRELUDES / f"{block.setup}.{ext}"
    if not path.exists():
        raise ValueError(f"{block.id}: setup={block.setup} has no {path.relative_to(REPO)}")
    return path.read_text(encoding="utf-8")


def _split_imports(code: str) -> tuple[list[str], str]:
    imports = [l.strip() for l in code.split("\n") if re.match(r"^\s*import\s", l)]
    rest = "\n".join(l for l in code.split("\n") if not re.match(r"^\s*import\s", l))
    return imports, rest


def _ident(block: Block) -> str:
    return "snippet_" + re.sub(r"\W", "_", block.id)


def emit_kotlin() -> str:
    blocks = [b for b in all_blocks("kotlin") if b.no_run not in NOT_COMPILED]
    imports = {"import dev.tokenward.*", "import java.time.Duration", "import java.time.Instant", "import org.junit.jupiter.api.DynamicTest", "import org.junit.jupiter.api.TestFactory"}
    funcs, tests = [], []
    for b in blocks:
        pre_imports, prelude = _split_imports(_prelude(b, "kt"))
        code_imports, code = _split_imports(b.code)
        imports.update(pre_imports + code_imports)
        if b.issuer:  # scripts/test-kotlin.sh starts the mock server and exports its issuer
            code = code.replace(f'"{b.issuer}"', '(System.getenv("TOKENWARD_OAUTH_ISSUER") ?: error("TOKENWARD_OAUTH_ISSUER is not set"))')
        body = textwrap.indent(prelude + "\n" + code, "    ")
        funcs.append(f"/** {b.id}" + (f" (compiled, not run: {b.no_run})" if b.no_run else "") + " */\n"
                     f"@Suppress(\"UNUSED_VARIABLE\", \"UNUSED_EXPRESSION\", \"UNREACHABLE_CODE\")\n"
                     f"internal fun {_ident(b)}(): Unit = kotlinx.coroutines.runBlocking {{\n{body}\n    Unit\n}}\n")
        if not b.no_run:
            tests.append(f'        DynamicTest.dynamicTest("{b.id}") {{ {_ident(b)}() }},')
    head = "// Generated by tests/tools/doc_snippets.py --emit-kotlin from README.md and docs/*.md: do not edit.\n"
    head += "@file:Suppress(\"UNUSED_VARIABLE\", \"UNUSED_EXPRESSION\")\npackage dev.tokenward.docsnippets\n\n"
    head += "\n".join(sorted(imports)) + "\n\n"
    test = ("/** Runs the Kotlin code blocks of the documentation (the others above are compiled only). */\n"
            "class DocSnippetsTest {\n    @TestFactory\n    fun runnable(): List<DynamicTest> = listOf(\n"
            + "\n".join(tests) + "\n    )\n}\n")
    return head + "\n".join(funcs) + "\n" + test


def emit_swift() -> str:
    blocks = [b for b in all_blocks("swift") if b.no_run not in NOT_COMPILED]
    # URLRequest and URLSession live in FoundationNetworking outside Apple's platforms.
    imports = {"import Foundation", "import XCTest", "import Tokenward",
               "#if canImport(FoundationNetworking)\nimport FoundationNetworking\n#endif"}
    funcs, tests = [], []
    for b in blocks:
        pre_imports, prelude = _split_imports(_prelude(b, "swift"))
        code_imports, code = _split_imports(b.code)
        imports.update(pre_imports + code_imports)
        if b.issuer:  # scripts/test-swift.sh starts the mock server and exports its issuer
            code = code.replace(f'"{b.issuer}"', 'ProcessInfo.processInfo.environment["TOKENWARD_OAUTH_ISSUER"]!')
        body = textwrap.indent(prelude + "\n" + code, "    ")
        funcs.append(f"/// {b.id}" + (f" (compiled, not run: {b.no_run})" if b.no_run else "") + "\n"
                     f"func {_ident(b)}() async throws {{\n{body}\n}}\n")
        if not b.no_run:
            tests.append(f"    func test_{_ident(b)}() async throws {{ try await {_ident(b)}() }}")
    head = "// Generated by tests/tools/doc_snippets.py --emit-swift from README.md and docs/*.md: do not edit.\n"
    head += "\n".join(sorted(imports)) + "\n\n"
    test = ("/// Runs the Swift code blocks of the documentation (the others above are compiled only).\n"
            "final class DocSnippetsTests: XCTestCase {\n" + "\n".join(tests) + "\n}\n")
    return head + "\n".join(funcs) + "\n" + test


def _write_if_changed(path: Path, text: str) -> None:
    # Unchanged output keeps its timestamp, so incremental compilers skip it.
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def main(argv: list[str]) -> int:
    for flag, emit in (("--emit-kotlin", emit_kotlin), ("--emit-swift", emit_swift)):
        if flag in argv:
            _write_if_changed(Path(argv[argv.index(flag) + 1]), emit())
            return 0
    lang = next((a.split("=", 1)[1] for a in argv if a.startswith("--lang=")), None)
    blocks = all_blocks(lang)
    if "--json" in argv:
        json.dump([asdict(b) | {"id": b.id} for b in blocks], sys.stdout, indent=1)
        print()
    else:
        for b in blocks:
            note = f"not run: {b.no_run} ({NO_RUN_REASONS[b.no_run]})" if b.no_run else "runs"
            extra = (f", setup={b.setup}" if b.setup else "") + (f", against the OAuth mock server for {b.issuer}" if b.issuer else "")
            print(f"{b.id:28} {b.lang:7} {note}{extra}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
