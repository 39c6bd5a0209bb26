#!/usr/bin/env python3
"""Figures of docs/distributed.md: `authenticate` from Python with in-process state vs Redis
rate limits / revocations on loopback, beside Python's `limits` (Redis storage) on the same
Redis in the same run (and, 64 calls in flight on one asyncio loop, `authenticate_async` beside
`limits.aio`), the loopback round trip itself (`redis-benchmark -c 1 -t ping` and a
redis-py PING), round trips per call (INFO commandstats), exactness under concurrency, and
PostgreSQL key verification with and without the local cache. A benchmark, not a test: it
prints Markdown tables. Round trips are counted by a loopback proxy that counts the commands a
client sends (python/tests/test_redis_round_trips.py), not by the server's statistics, which
also count the commands a script runs.

    bash -c 'source scripts/servers.sh; trap stop_test_servers EXIT; start_test_servers; \
             python3 scripts/bench-distributed.py'
"""

from __future__ import annotations

import asyncio
import os
import re
import statistics
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Awaitable, Callable

import redis
from limits import RateLimitItemPerHour, RateLimitItemPerMinute
from limits.aio import storage as aio_storage
from limits.aio import strategies as aio_strategies
from limits.storage import RedisStorage
from limits.strategies import FixedWindowRateLimiter, MovingWindowRateLimiter
from tokenward import ApiKeys, Authenticator, RateLimit, RevocationList

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "python", "tests"))
from test_redis_round_trips import CountingProxy  # noqa: E402

REDIS = os.environ["TOKENWARD_TEST_REDIS_URL"]
PG = os.environ.get("TOKENWARD_TEST_POSTGRES_URL", "")
N = int(os.environ.get("BENCH_N", "2000"))
THREADS = 8


def per_call(fn: Callable[[], object], n: int = N) -> float:
    """Median of 5 runs of `n` calls, in microseconds per call."""
    runs = []
    for _ in range(5):
        t0 = time.perf_counter()
        for _ in range(n):
            fn()
        runs.append((time.perf_counter() - t0) / n * 1e6)
    return statistics.median(runs)


def throughput(fn: Callable[[], object], threads: int = THREADS, n: int = N) -> float:
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


def in_flight(call: Callable[[], Awaitable[object]], tasks: int = 64, n: int = 4 * N) -> float:
    """Calls per second on one asyncio event loop with `tasks` calls in flight, `n` in all."""

    async def work() -> None:
        for _ in range(n // tasks):
            await call()

    async def run() -> float:
        await call()
        t0 = time.perf_counter()
        await asyncio.gather(*(work() for _ in range(tasks)))
        return n // tasks * tasks / (time.perf_counter() - t0)

    return asyncio.run(run())


def redis_benchmark_ping() -> str:
    """`redis-benchmark -c 1 -n 20000 -t ping`: avg / p50 of the PING_MBULK summary, in µs."""
    host, port = REDIS.split("://", 1)[1].split("/", 1)[0].rsplit(":", 1)
    out = subprocess.run(
        ["redis-benchmark", "-h", host, "-p", port, "-c", "1", "-n", "20000", "-t", "ping"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    summaries = re.findall(r"avg\s+min\s+p50.*\n\s*([\d.]+)\s+([\d.]+)\s+([\d.]+)", out)
    avg, _, p50 = summaries[-1]
    return f"avg {float(avg) * 1000:.0f} µs, p50 {float(p50) * 1000:.0f} µs"


CLIENT = redis.Redis.from_url(REDIS)
PROXY = CountingProxy(REDIS)


def round_trips(fn: Callable[[], object], n: int = 200) -> float:
    """Commands sent per call of `fn` (built on `PROXY.url`), after a warm-up call."""
    fn()
    return PROXY.count(lambda: [fn() for _ in range(n)]) / n


def admitted(fn: Callable[[], bool], threads: int = 16, each: int = 10) -> int:
    """How many of `threads` x `each` concurrent attempts `fn` admits."""
    count = 0
    lock = threading.Lock()
    start = threading.Barrier(threads)

    def work() -> None:
        nonlocal count
        start.wait()
        for _ in range(each):
            if fn():
                with lock:
                    count += 1

    ts = [threading.Thread(target=work) for _ in range(threads)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    return count


def main() -> None:
    print(f"`redis-benchmark -c 1 -n 20000 -t ping` before: {redis_benchmark_ping()}")
    ping_us = per_call(CLIENT.ping)
    print(f"redis-py PING, one thread: {ping_us:.1f} µs per call")
    print()

    keys = ApiKeys("tw_bench")
    key = keys.create("bench").secret.expose()
    headers = {"x-api-key": key}
    big = RateLimit(1_000_000, burst=1_000_000)

    def configs(url: str) -> dict[str, Authenticator]:
        return {
            "in-process rate limit": Authenticator(api_keys=keys, rate_limit=big),
            "Redis rate limit": Authenticator(api_keys=keys, rate_limit=big, rate_limit_store=url),
            "Redis revocation list": Authenticator(api_keys=keys, revocations=RevocationList(store=url)),
            "Redis rate limit + revocation list": Authenticator(
                api_keys=keys,
                rate_limit=big,
                rate_limit_store=url,
                revocations=RevocationList(store=url),
            ),
        }

    # `limits` on the same Redis: one decision per call. The moving window keeps a list per key
    # as long as the limit, so the calls rotate over 1000 keys to keep the lists short.
    many = RateLimitItemPerHour(1_000_000_000)
    run = uuid.uuid4().hex[:8]
    counter = iter(range(10**12))

    def peers(url: str) -> dict[str, Callable[[], bool]]:
        storage = RedisStorage(url)
        moving, fixed = MovingWindowRateLimiter(storage), FixedWindowRateLimiter(storage)
        return {
            "`limits` moving window (Redis)": lambda: moving.hit(many, run, str(next(counter) % 1000)),
            "`limits` fixed window (Redis)": lambda: fixed.hit(many, run, "fixed"),
        }

    print("| one decision from Python | µs per call, one thread | ÷ PING | round trips per call | calls/s, 8 threads |")
    print("|---|---|---|---|---|")
    counted = configs(PROXY.url)
    for name, auth in configs(REDIS).items():

        def call(auth: Authenticator = auth) -> object:
            return auth.authenticate("GET", "/", headers)

        def via_proxy(auth: Authenticator = counted[name]) -> object:
            return auth.authenticate("GET", "/", headers)

        assert call().ok
        us = per_call(call)
        print(
            f"| tokenward `authenticate`, {name} | {us:.1f} | {us / ping_us:.2f} | "
            f"{round_trips(via_proxy):.2f} | {throughput(call):,.0f} |"
        )
    counted_peers = peers(PROXY.url)
    for name, hit in peers(REDIS).items():
        assert hit()
        us = per_call(hit)
        print(
            f"| {name} | {us:.1f} | {us / ping_us:.2f} | {round_trips(counted_peers[name]):.2f} | "
            f"{throughput(hit):,.0f} |"
        )

    print()
    print("| one decision from asyncio | calls/s, 64 in flight on one event loop |")
    print("|---|---|")
    for name, auth in configs(REDIS).items():
        if name == "in-process rate limit":
            continue
        rate = in_flight(lambda auth=auth: auth.authenticate_async("GET", "/", headers))
        print(f"| tokenward `authenticate_async`, {name} | {rate:,.0f} |")
    # A fresh client per run: redis.asyncio connections belong to the event loop that made them.
    for name, strategy in [
        ("moving window", aio_strategies.MovingWindowRateLimiter),
        ("fixed window", aio_strategies.FixedWindowRateLimiter),
    ]:

        async def hit(strategy: type = strategy, name: str = name, box: list[object] = []) -> bool:  # noqa: B006
            if not box:
                box.append(strategy(aio_storage.RedisStorage(f"async+{REDIS}", implementation="redispy")))
            key = f"aio-{name}-{next(counter) % 1000}"
            return bool(await box[0].hit(many, run, key))  # type: ignore[attr-defined]

        print(f"| `limits` {name} (`limits.aio`, redis.asyncio) | {in_flight(hit):,.0f} |")

    burst = 50
    print()
    print(f"Exactness: 16 threads x 10 attempts at one key, limit {burst} per minute (burst {burst}):")
    print()
    print("| limiter | admitted |")
    print("|---|---|")
    twk = ApiKeys("tw_bench")
    secret = twk.create(f"exact-{run}").secret.expose()
    limit = RateLimit(1, burst=burst, period=60)
    instances = [Authenticator(api_keys=twk, rate_limit=limit, rate_limit_store=REDIS) for _ in range(2)]
    pick = iter(range(10**12))

    def tw() -> bool:
        return bool(instances[next(pick) % 2].authenticate("GET", "/", {"x-api-key": secret}))

    print(f"| tokenward (two authenticators) | {admitted(tw)} |")
    per_minute = RateLimitItemPerMinute(burst)
    storage = RedisStorage(REDIS)
    moving, fixed = MovingWindowRateLimiter(storage), FixedWindowRateLimiter(storage)
    print(f"| `limits` moving window | {admitted(lambda: moving.hit(per_minute, run, 'exact-moving'))} |")
    print(f"| `limits` fixed window | {admitted(lambda: fixed.hit(per_minute, run, 'exact-fixed'))} |")
    print()
    print(f"`redis-benchmark -c 1 -n 20000 -t ping` after: {redis_benchmark_ping()}")

    if not PG:
        return
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
