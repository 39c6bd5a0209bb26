"""Python async on a cached answer: `await source.token_async()` and `await
verifier.verify_async(token)` (cached keys) against the sync calls, beside Authlib's async
client (`AsyncOAuth2Client.ensure_active_token` on its held token) and PyJWT (sync decode with a
`PyJWKClient` key, looked up once; through `asyncio.to_thread`, the cost of a thread hop). Against the real
oauth2-mock-server; every figure is the median of 7 repetitions in one event loop.

Run: cd python && python3 -P bench/bench_async.py [--before PYTHON]
With --before, the same measurements run first under another interpreter (a venv holding an
older tokenward wheel) and both columns are printed together.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import subprocess
import sys
import time
import warnings
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
REPS = 7


def per_call_sync(fn: Callable[[], Any], n: int) -> float:
    times = []
    for _ in range(REPS):
        t0 = time.perf_counter()
        for _ in range(n):
            fn()
        times.append((time.perf_counter() - t0) / n)
    return statistics.median(times)


async def per_call_async(make: Callable[[], Awaitable[Any]], n: int) -> float:
    times = []
    for _ in range(REPS):
        t0 = time.perf_counter()
        for _ in range(n):
            await make()
        times.append((time.perf_counter() - t0) / n)
    return statistics.median(times)


def measure(issuer: str) -> dict[str, float]:
    from tokenward import OAuthClient, RemoteJwtVerifier, RemoteKeySet, TokenSource

    out: dict[str, float] = {}
    client = OAuthClient.discover(issuer, "bench", "s")
    source = TokenSource.client_credentials(client, ["read"])
    source.token()
    keys = RemoteKeySet.discover(issuer)
    verifier = RemoteJwtVerifier(keys, algorithms=["RS256"])
    token = client.client_credentials(["read"]).access_token.expose()
    verifier.verify(token)
    out["token sync"] = per_call_sync(source.token, 100_000)
    out["verify sync"] = per_call_sync(lambda: verifier.verify(token), 5_000)

    async def main() -> None:
        await source.token_async()
        await verifier.verify_async(token)
        out["token await"] = await per_call_async(source.token_async, 100_000)
        out["verify await"] = await per_call_async(lambda: verifier.verify_async(token), 5_000)

    asyncio.run(main())
    source.close()
    return out


def measure_peers(issuer: str) -> dict[str, float]:
    warnings.simplefilter("ignore")
    import jwt
    from authlib.integrations.httpx_client import AsyncOAuth2Client

    out: dict[str, float] = {}
    token_url = issuer + "/token"

    async def main() -> str:
        async with AsyncOAuth2Client("bench", "s", token_endpoint=token_url, scope="read") as client:
            await client.fetch_token(grant_type="client_credentials")
            held = client.token
            out["authlib token await"] = await per_call_async(
                lambda: client.ensure_active_token(held), 100_000
            )
            return held["access_token"]

    access = asyncio.run(main())
    # The key is looked up once (PyJWKClient caches the set; building the key per call would
    # add its parse), so the row is the verification itself.
    key = jwt.PyJWKClient(issuer + "/jwks").get_signing_key_from_jwt(access)

    def decode() -> dict:
        return jwt.decode(access, key, algorithms=["RS256"], options={"verify_aud": False})

    decode()
    out["pyjwt verify sync"] = per_call_sync(decode, 5_000)

    async def hop() -> None:
        out["pyjwt verify to_thread"] = await per_call_async(lambda: asyncio.to_thread(decode), 2_000)

    asyncio.run(hop())
    return out


def with_mock(fn: Callable[[str], dict[str, float]]) -> dict[str, float]:
    proc = subprocess.Popen(
        ["node", "tests/oauth/mock-server.mjs"], cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE
    )
    try:
        assert proc.stdout is not None
        return fn(json.loads(proc.stdout.readline())["issuer"])
    finally:
        proc.kill()
        proc.wait()


def main() -> None:
    if sys.argv[1:2] == ["--json"]:
        print(json.dumps(with_mock(measure)))
        return
    before: dict[str, float] = {}
    if sys.argv[1:2] == ["--before"]:
        run = subprocess.run(
            [sys.argv[2], "-P", __file__, "--json"], capture_output=True, text=True, check=True
        )
        before = json.loads(run.stdout.strip().splitlines()[-1])
    now = with_mock(measure)
    peers = with_mock(measure_peers)
    us = lambda s: f"{s * 1e6:.2f} µs"  # noqa: E731
    print("| call | now | before |")
    print("|---|---|---|")
    for k, v in now.items():
        print(f"| tokenward {k} | {us(v)} | {us(before[k]) if k in before else '–'} |")
    for k, v in peers.items():
        print(f"| {k} | {us(v)} | |")
    print(
        f"await/sync: token {now['token await'] / now['token sync']:.2f}x, verify "
        f"{now['verify await'] / now['verify sync']:.2f}x"
    )


if __name__ == "__main__":
    main()
