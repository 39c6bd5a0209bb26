"""Shared backends from Python (docs/distributed.md): API keys in PostgreSQL, rate limits and
revocations in Redis, shared with a Node process and the CLI. The servers come from
scripts/servers.sh (TOKENWARD_TEST_REDIS_URL, TOKENWARD_TEST_POSTGRES_URL); under CI a missing
server is a failure, elsewhere the tests skip."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import threading
import time
import uuid
from pathlib import Path

import pytest

from tokenward import ApiKeys, Authenticator, RateLimit, RevocationList, TokenwardError

ROOT = Path(__file__).resolve().parents[2]


def _url(name: str) -> str:
    url = os.environ.get(name, "")
    if not url:
        if os.environ.get("CI"):
            pytest.fail(f"{name} is not set: run the tests through scripts/servers.sh")
        pytest.skip(f"{name} is not set (scripts/servers.sh)")
    return url


@pytest.fixture
def redis_url() -> str:
    return _url("TOKENWARD_TEST_REDIS_URL")


@pytest.fixture
def postgres_url() -> str:
    return _url("TOKENWARD_TEST_POSTGRES_URL")


def _node(script: str, **env: str) -> str:
    """Runs `script` (an ES module importing the built Node package) and returns its stdout."""
    if shutil.which("node") is None or not (ROOT / "node" / "index.mjs").exists():
        if os.environ.get("CI"):
            pytest.fail("node and the built Node package are needed for the cross-process tests")
        pytest.skip("node is not available")
    out = subprocess.run(
        ["node", "--input-type=module", "-e", script],
        cwd=ROOT / "node",
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert out.returncode == 0, out.stderr
    return out.stdout


def test_a_key_created_in_postgres_verifies_from_node_and_the_cli(postgres_url: str) -> None:
    owner = f"py-{uuid.uuid4().hex[:12]}"
    keys = ApiKeys("tw_pg", store=postgres_url)
    issued = keys.create(owner, scopes=["read"])
    assert keys.verify(issued.secret.expose()).owner == owner
    got = _node(
        """
        import { ApiKeys } from './index.mjs'
        const keys = new ApiKeys('tw_pg', { store: process.env.PG })
        console.log(keys.verify(process.env.KEY).owner)
        """,
        PG=postgres_url,
        KEY=issued.secret.expose(),
    )
    assert got.strip() == owner
    # The CLI scripts/build.sh built (TOKENWARD_CLI: another build of it).
    cli = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
    found = os.environ.get("TOKENWARD_CLI") or next(iter(sorted(cli.glob("*/dist/tokenward"))), None)
    binary = Path(found) if found else None
    if binary is None and os.environ.get("CI"):
        pytest.fail("the tokenward CLI is not built (scripts/build.sh)")
    if binary is not None:
        out = subprocess.run(
            [str(binary), "key", "verify", "--db", postgres_url],
            input=issued.secret.expose(),
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert out.returncode == 0 and f"owner={owner}" in out.stdout, out.stderr
    keys.revoke(issued.record.id)
    with pytest.raises(TokenwardError) as err:
        ApiKeys("tw_pg", store=postgres_url).verify(issued.secret.expose())
    assert err.value.code == "revoked"


def test_a_burst_over_a_python_and_a_node_process_admits_exactly_the_burst(
    redis_url: str, postgres_url: str
) -> None:
    keys = ApiKeys("tw_pg", store=postgres_url)
    key = keys.create(f"burst-{uuid.uuid4().hex[:12]}").secret.expose()
    limit = RateLimit(1, burst=60, period=60)
    auth = Authenticator(api_keys=keys, rate_limit=limit, rate_limit_store=redis_url)
    admitted: list[int] = []

    def hammer() -> None:
        n = sum(
            1
            for _ in range(20)
            if auth.authenticate("GET", "/", {"x-api-key": key}).ok
        )
        admitted.append(n)

    node_result: list[str] = []
    node = threading.Thread(
        target=lambda: node_result.append(
            _node(
                """
                import { ApiKeys, Authenticator } from './index.mjs'
                const apiKeys = new ApiKeys('tw_pg', { store: process.env.PG })
                const auth = new Authenticator({
                  apiKeys, rateLimit: { rate: 1, burst: 60, period: 60 }, rateLimitStore: process.env.REDIS,
                })
                let n = 0
                for (let i = 0; i < 80; i++) {
                  if (auth.authenticate({ headers: { 'x-api-key': process.env.KEY } }).ok) n++
                }
                console.log(n)
                """,
                PG=postgres_url,
                REDIS=redis_url,
                KEY=key,
            )
        )
    )
    node.start()
    threads = [threading.Thread(target=hammer) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    node.join()
    from_node = int(node_result[0].strip())
    assert sum(admitted) + from_node == 60, (admitted, from_node)


def test_a_revocation_in_python_is_refused_by_node_at_once(redis_url: str) -> None:
    keys = ApiKeys("tw_rd")
    issued = keys.create("rita")
    revocations = RevocationList(store=redis_url)
    auth = Authenticator(api_keys=keys, revocations=revocations)
    assert auth.authenticate("GET", "/", {"x-api-key": issued.secret.expose()}).ok
    jti = f"jti-{uuid.uuid4().hex}"
    revocations.revoke("key_id", issued.record.id, time.time() + 60)
    revocations.revoke("jti", jti, time.time() + 60)
    refusal = auth.authenticate("GET", "/", {"x-api-key": issued.secret.expose()})
    assert (refusal.status, refusal.code) == (401, "revoked")
    seen = _node(
        """
        import { RevocationList } from './index.mjs'
        const list = new RevocationList({ store: process.env.REDIS })
        console.log(JSON.stringify([list.isRevoked('jti', process.env.JTI), list.isRevoked('jti', 'other')]))
        """,
        REDIS=redis_url,
        JTI=jti,
    )
    assert json.loads(seen) == [True, False]
    assert revocations.unrevoke("key_id", issued.record.id)
    assert auth.authenticate("GET", "/", {"x-api-key": issued.secret.expose()}).ok


def test_an_unreachable_redis_fails_closed_for_revocations_and_open_for_limits() -> None:
    import socket

    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    down = f"redis://127.0.0.1:{port}/"
    keys = ApiKeys("tw_rd")
    key = keys.create("dan").secret.expose()
    strict = Authenticator(api_keys=keys, revocations=RevocationList(store=down))
    assert strict.has_shared_stores
    assert not Authenticator(api_keys=keys).has_shared_stores
    refusal = strict.authenticate("GET", "/", {"x-api-key": key})
    assert refusal.status == 503 and refusal.code in ("network", "timeout")
    lenient = Authenticator(
        api_keys=keys, revocations=RevocationList(store=down, fail_open=True),
        rate_limit=RateLimit(10, burst=10), rate_limit_store=down,
    )
    assert lenient.authenticate("GET", "/", {"x-api-key": key}).ok
    closed = Authenticator(
        api_keys=keys, rate_limit=RateLimit(10, burst=10), rate_limit_store=down,
        rate_limit_store_fail_open=False,
    )
    assert closed.authenticate("GET", "/", {"x-api-key": key}).status == 503
    with pytest.raises(TokenwardError) as err:
        RevocationList(store="mysql://nope")
    assert err.value.code == "invalid_input"
    assert "hunter2" not in repr(RevocationList(store="redis://u:hunter2@127.0.0.1:1/"))
