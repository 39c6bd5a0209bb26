"""Executes the Python code blocks of README.md and docs/*.md (blocks found by
tests/tools/doc_snippets.py), so a renamed or removed name in the documentation fails here.

Every block is compiled and its tokenward names are resolved (``import tokenward``,
``from tokenward[.sub] import X``, ``tokenward.X.y`` and ``X.y`` for an imported X); blocks
without ``no-run=<reason>`` are then executed in a temporary directory, after the prelude their
``setup=<name>`` names (PRELUDES below); a block with ``issuer=<url>`` runs against the OAuth mock
server (tests/oauth/mock-server.mjs), its issuer in place of <url> and in ``__issuer__``.
"""

from __future__ import annotations

import ast
import asyncio
import importlib
import json
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests" / "tools"))
import doc_snippets  # noqa: E402

BLOCKS = doc_snippets.all_blocks("python")

# The variables fragments use, set up before the block runs.
PRELUDES: dict[str, str] = {
    # docs/errors.md: a key store to call with a wrong argument type.
    "apikeys": "import tokenward\nkeys = tokenward.ApiKeys('tw_live')\n",
    # docs/gateway.md: what a request handler has at hand (its `return` runs the block as a function).
    "request_handler": (
        "import logging\n"
        "secret = 'doc-snippet-hmac-secret-0123456789abcdef'\n"
        "headers = {'x-api-key': 'tw_live_unknown'}\n"
        "log = logging.getLogger('doc-snippet')\n"
        "def Response(body, status, headers): return (status, headers, body)\n"
    ),
    # docs/oauth.md: a client of the mock server, and a refresh token the app stored earlier.
    "oauth_client": (
        "import tokenward\n"
        "client = tokenward.OAuthClient.discover(__issuer__, 'svc', 'doc-snippet-secret')\n"
        "stored_refresh_token = 'doc-snippet-refresh-token'\n"
    ),
    # docs/oauth.md, the app login: a stand-in for the browser. The mock server signs the user
    # in at once; `open_browser` returns the URL the browser is redirected to (what the app's
    # redirect handler receives).
    "browser": (
        "import urllib.error, urllib.request\n"
        "class _Stay(urllib.request.HTTPRedirectHandler):\n"
        "    def redirect_request(self, *a, **k): return None\n"
        "def open_browser(url):\n"
        "    try:\n"
        "        urllib.request.build_opener(_Stay).open(url)\n"
        "    except urllib.error.HTTPError as e:\n"
        "        return e.headers['Location']\n"
    ),
}


@pytest.fixture(scope="module")
def oauth_issuer() -> Iterator[str]:
    """The issuer URL of a running tests/oauth/mock-server.mjs (node is required)."""
    proc = subprocess.Popen(["node", "tests/oauth/mock-server.mjs"], cwd=REPO, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    try:
        assert proc.stdout is not None
        yield str(json.loads(proc.stdout.readline())["issuer"])
    finally:
        proc.kill()
        proc.wait()


def _as_function(code: str) -> str:
    """The block as the body of an async function: `return` and `await` are legal there."""
    return "async def __doc_snippet__():\n" + textwrap.indent(code, "    ") + "    pass\n"


def _resolve(module: Any, path: list[str], where: str) -> Any:
    obj = module
    for name in path:
        if not hasattr(obj, name):
            raise AssertionError(f"{where}: {'.'.join([getattr(module, '__name__', '?'), *path])} does not exist")
        obj = getattr(obj, name)
    return obj


def check_tokenward_names(block: doc_snippets.Block) -> list[str]:
    """Resolves every tokenward name the block uses; returns the names it checked."""
    tree = ast.parse(_as_function(block.code), filename=block.id)
    # A block continues the earlier ones of its page: their imports count too.
    earlier = [b for b in BLOCKS if b.file == block.file and b.line < block.line]
    imports = [ast.parse(_as_function(b.code)) for b in earlier]
    bound: dict[str, Any] = {}  # local name -> tokenward object
    checked: list[str] = []
    for node in [n for t in [*imports, tree] for n in ast.walk(t)]:
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "tokenward":
                    module = importlib.import_module(alias.name)
                    bound[alias.asname or alias.name.split(".")[0]] = importlib.import_module("tokenward") if not alias.asname else module
                    checked.append(alias.name)
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "tokenward":
            module = importlib.import_module(node.module)
            for alias in node.names:
                bound[alias.asname or alias.name] = _resolve(module, [alias.name], f"{block.id}: from {node.module} import")
                checked.append(f"{node.module}.{alias.name}")
    # X.y.z chains whose root is a tokenward name: every link must exist (the root's static
    # members; what an instance has at run time is checked by running the block).
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute):
            chain: list[str] = []
            cur: ast.AST = node
            while isinstance(cur, ast.Attribute):
                chain.insert(0, cur.attr)
                cur = cur.value
            if isinstance(cur, ast.Name) and cur.id in bound:
                root = bound[cur.id]
                # Resolve the longest prefix that names modules/classes; stop at the first
                # attribute of a non-type value (an instance attribute is not static).
                obj = root
                for i, name in enumerate(chain):
                    if not (isinstance(obj, type) or type(obj).__name__ == "module"):
                        break
                    if not hasattr(obj, name):
                        raise AssertionError(f"{block.id}: {cur.id}.{'.'.join(chain[: i + 1])} does not exist")
                    obj = getattr(obj, name)
                    checked.append(f"{cur.id}.{'.'.join(chain[: i + 1])}")
    return checked


def _earlier_imports(block: doc_snippets.Block) -> str:
    """The import statements of the page's earlier blocks: a block continues them."""
    earlier = [b for b in BLOCKS if b.file == block.file and b.line < block.line]
    nodes = [n for b in earlier for n in ast.walk(ast.parse(_as_function(b.code))) if isinstance(n, (ast.Import, ast.ImportFrom))]
    return "\n".join(ast.unparse(n) for n in nodes) + "\n"


@pytest.mark.parametrize("block", BLOCKS, ids=[b.id for b in BLOCKS])
def test_names_resolve(block: doc_snippets.Block) -> None:
    compile(_as_function(block.code), block.id, "exec")
    check_tokenward_names(block)


RUNNABLE = [b for b in BLOCKS if not b.no_run]


@pytest.mark.parametrize("block", RUNNABLE, ids=[b.id for b in RUNNABLE])
def test_runs(block: doc_snippets.Block, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TW_PEPPER", "doc-snippet-pepper-0123456789")
    monkeypatch.setenv("CLIENT_SECRET", "doc-snippet-client-secret")
    namespace: dict[str, Any] = {"__name__": "__doc_snippet__"}
    code = block.code
    if block.issuer:
        issuer = request.getfixturevalue("oauth_issuer")
        namespace["__issuer__"] = issuer
        code = code.replace(block.issuer, issuer)
    if block.setup:
        assert block.setup in PRELUDES, f"{block.id}: unknown setup={block.setup} (PRELUDES in {__file__})"
        exec(compile(PRELUDES[block.setup], f"<prelude {block.setup}>", "exec"), namespace)
    exec(compile(_earlier_imports(block), f"<imports before {block.id}>", "exec"), namespace)
    try:
        exec(compile(code, block.id, "exec"), namespace)
    except SyntaxError:
        # `await` at the top level of a block: run it as the body of a coroutine.
        exec(compile(_as_function(code), block.id, "exec"), namespace)
        asyncio.run(namespace["__doc_snippet__"]())


def test_every_python_block_is_found() -> None:
    """The extractor sees the blocks (a broken fence parser would make the tests above vacuous)."""
    assert len(BLOCKS) >= 10
    assert len(RUNNABLE) >= 6


def test_a_stale_name_fails() -> None:
    stale = doc_snippets.Block("stale.md", 1, "python", "network", None, "from tokenward import NoSuchThing\n")
    with pytest.raises(AssertionError, match="NoSuchThing"):
        check_tokenward_names(stale)
    stale = doc_snippets.Block("stale.md", 1, "python", "network", None, "import tokenward\ntokenward.JwtKey.no_such_method\n")
    with pytest.raises(AssertionError, match="no_such_method"):
        check_tokenward_names(stale)
