#!/usr/bin/env python3
"""Figures of docs/distributed.md: `authenticate` from Python with in-process state vs Redis
rate limits / revocations on loopback, and PostgreSQL key verification with and without the
local cache. A benchmark, not a test: it prints a Markdown table.

    bash -c 'source scripts/servers.sh; trap stop_test_servers EXIT; start_test_servers; \
             python3 scripts/bench-distributed.py'
"""
from __future__ import annotations

import os
import statistics
import threading
import time
import uuid

from tokenward import ApiKeys, Authenticator, RateLimit, RevocationList

REDIS = os.environ["TOKENWARD_TEST_REDIS_URL"]
PG = os.environ["TOKENWARD_TEST_POSTGRES_URL"]
N = int(os.environ.get("BENCH_N", "5000"))


def per_call(fn, n: int = N) -> float:
    """Median of 5 runs of `n` calls, in microseconds per call."""
    runs = []
    for _ in range(5):
        t0 = time.perf_counter()
        for _ in range(n):
            fn()
        runs.append((time.perf_counter() - t0) / n * 1e6)
    return statistics.median(runs)


def throughput(fn, threads: int = 8, n: int = N) -> float:
    """Calls per second over `threads` threads, `n` calls each."""
    def work() -> None:
        for _ in range(n):
            fn()
    ts = [threading.Thread(target=work) for _ in range(threads)]
    t0 = time.perf_counter()
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    return threads * n / (time.perf_counter() - t0)


def main() -> None:
    keys = ApiKeys("tw_bench")
    key = keys.create("bench").secret.expose()
    headers = {"x-api-key": key}
    big = RateLimit(1_000_000, burst=1_000_000)
    configs = {
        "in-process rate limit": Authenticator(api_keys=keys, rate_limit=big),
        "Redis rate limit": Authenticator(api_keys=keys, rate_limit=big, rate_limit_store=REDIS),
        "Redis revocation list": Authenticator(api_keys=keys, revocations=RevocationList(store=REDIS)),
        "Redis rate limit + revocation list": Authenticator(
            api_keys=keys, rate_limit=big, rate_limit_store=REDIS,
            revocations=RevocationList(store=REDIS),
        ),
    }
    print("| `authenticate` (Python, API key) | µs per call, one thread | calls/s, 8 threads |")
    print("|---|---|---|")
    for name, auth in configs.items():
        call = lambda auth=auth: auth.authenticate("GET", "/", headers)  # noqa: E731
        assert call().ok
        print(f"| {name} | {per_call(call):.1f} | {throughput(call):,.0f} |")

    pg = ApiKeys("tw_bench", store=PG)
    hot = pg.create(f"bench-{uuid.uuid4().hex[:8]}").secret.expose()
    cold = [pg.create(f"bench-{uuid.uuid4().hex[:8]}").secret.expose() for _ in range(500)]
    hit = per_call(lambda: pg.verify(hot))
    it = iter(cold)
    miss = per_call(lambda: pg.verify(next(it)), n=100)
    print()
    print("| PostgreSQL `verify` | µs per call |")
    print("|---|---|")
    print(f"| cache hit (the same key again within 1 s) | {hit:.1f} |")
    print(f"| cache miss (a key not verified before: one SELECT, one last-used UPDATE) | {miss:.1f} |")


if __name__ == "__main__":
    main()
