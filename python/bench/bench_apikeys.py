"""API key verify throughput through Python, beside a pure-Python equivalent in the same run.

    python3 -P python/bench/bench_apikeys.py [--n 200000]

The baseline does the same work with the standard library: shape check, CRC32 checksum
(zlib), dict lookup by id, SHA-256 / HMAC-SHA-256 (hashlib/hmac), constant-time compare
(hmac.compare_digest), revocation and expiry checks.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import os
import tempfile
import threading
import time
import zlib

from tokenward import ApiKeys

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
B62 = frozenset(ALPHABET)
PEPPER = "bench-pepper-0123456789abcdefghij"


def b62_u32(v: int) -> str:
    out = []
    for _ in range(6):
        v, r = divmod(v, 62)
        out.append(ALPHABET[r])
    return "".join(reversed(out))


class PurePython:
    """The same verify, written with hashlib/hmac/zlib."""

    def __init__(self, prefix: str, pepper: str | None) -> None:
        self.prefix = prefix
        self.pepper = pepper.encode() if pepper else None
        self.records: dict[str, tuple[bytes, dict]] = {}

    def _hash(self, key: str) -> bytes:
        if self.pepper:
            return hmac.new(self.pepper, key.encode(), hashlib.sha256).digest()
        return hashlib.sha256(key.encode()).digest()

    def add(self, key: str, record: dict) -> None:
        self.records[key[len(self.prefix) + 1 : len(self.prefix) + 13]] = (self._hash(key), record)

    def verify(self, key: str) -> dict:
        n = len(key)
        if not (53 <= n <= 84) or not key.isascii():
            raise ValueError("invalid_format")
        cut = n - 51
        if key[cut] != "_" or not B62.issuperset(key[cut + 1 :]):
            raise ValueError("invalid_format")
        if key[:cut] != self.prefix:
            raise ValueError("invalid_format")
        if b62_u32(zlib.crc32(key[:-6].encode())) != key[-6:]:
            raise ValueError("checksum_mismatch")
        entry = self.records.get(key[cut + 1 : cut + 13])
        if entry is None or not hmac.compare_digest(entry[0], self._hash(key)):
            raise ValueError("unknown_key")
        record = entry[1]
        if record["revoked_at"] is not None:
            raise ValueError("revoked")
        if record["expires_at"] is not None and time.time() >= record["expires_at"]:
            raise ValueError("expired")
        return record


def rate(fn, keys: list, n: int) -> float:
    """Calls per second, best of three runs of n calls."""
    best = 0.0
    m = len(keys)
    for _ in range(3):
        start = time.perf_counter()
        for i in range(n):
            fn(keys[i % m])
        best = max(best, n / (time.perf_counter() - start))
    return best


def refusing(fn):
    def call(key):
        try:
            fn(key)
        except Exception:
            pass

    return call


def threaded_rate(fn, keys: list, n: int, threads: int) -> float:
    def work():
        m = len(keys)
        for i in range(n):
            fn(keys[i % m])

    ts = [threading.Thread(target=work) for _ in range(threads)]
    start = time.perf_counter()
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    return threads * n / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=200_000)
    parser.add_argument("--keys", type=int, default=1000)
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        setups = [
            ("memory", ApiKeys("tw_bench"), None),
            ("memory+pepper", ApiKeys("tw_bench", pepper=PEPPER), PEPPER),
            ("sqlite", ApiKeys("tw_bench", store=f"sqlite:///{os.path.join(tmp, 'k.db')}"), None),
        ]
        for name, keys, pepper in setups:
            baseline = PurePython("tw_bench", pepper)
            secrets = []
            for i in range(args.keys):
                issued = keys.create(f"owner{i}", scopes=["read"])
                key = issued.secret.expose()
                secrets.append(key)
                baseline.add(key, {"owner": f"owner{i}", "revoked_at": None, "expires_at": None})
            tw = rate(keys.verify, secrets, args.n)
            py = rate(baseline.verify, secrets, args.n)
            rows.append((f"verify/{name}", tw, py))
            if name == "memory":
                typos = [k[:-1] + ("a" if k[-1] != "a" else "b") for k in secrets]
                rows.append(
                    ("refuse checksum_mismatch", rate(refusing(keys.verify), typos, args.n), rate(refusing(baseline.verify), typos, args.n))
                )
                rows.append((
                    "verify/memory, 2 threads",
                    threaded_rate(keys.verify, secrets, args.n // 2, 2),
                    threaded_rate(baseline.verify, secrets, args.n // 2, 2),
                ))
    print(f"{'benchmark':<28} {'tokenward/s':>14} {'pure Python/s':>14} {'speed-up':>9}")
    for name, tw, py in rows:
        print(f"{name:<28} {tw:>14,.0f} {py:>14,.0f} {tw / py:>8.1f}x")


if __name__ == "__main__":
    main()
