"""Cost of TokenSource.token() on the hot path (cached token), against oauth2-mock-server.

Run: cd python && python3 -P bench/bench_oauth.py
"""

from __future__ import annotations

import json
import subprocess
import timeit
from pathlib import Path

from tokenward import OAuthClient, TokenSource

ROOT = Path(__file__).resolve().parents[2]


def main() -> None:
    proc = subprocess.Popen(
        ["node", "tests/oauth/mock-server.mjs"], cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE
    )
    try:
        assert proc.stdout is not None
        issuer = json.loads(proc.stdout.readline())["issuer"]
        src = TokenSource.client_credentials(OAuthClient.discover(issuer, "bench", "s"), ["read"])
        src.token()
        n = 200_000
        t = timeit.timeit(src.token, number=n)
        print(f"TokenSource.token() cached: {t / n * 1e9:.0f} ns/call")
        src.close()
    finally:
        proc.kill()
        proc.wait()


if __name__ == "__main__":
    main()
