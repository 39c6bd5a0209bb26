"""Authenticator.authenticate through Python, and the per-request overhead of the ASGI and WSGI
adapters (apps called in-process, with and without the middleware).

    python3 -P python/bench/bench_gateway.py [--n 200000]

Configuration as in issue 7: API keys in the in-memory store, one rate limit (never reached),
one IP rule; the HS256 JWT case uses the same authenticator with a JwtVerifier.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from collections.abc import Callable
from typing import Any

from tokenward import ApiKeys, Authenticator, JwtIssuer, JwtKey, JwtVerifier, RateLimit
from tokenward.asgi import AuthMiddleware as AsgiAuth
from tokenward.wsgi import AuthMiddleware as WsgiAuth


def best(fn: Callable[[int], None], n: int, rounds: int = 3) -> float:
    """Best time per call, in microseconds."""
    times = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        fn(n)
        times.append(time.perf_counter() - t0)
    return min(times) / n * 1e6


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=200_000)
    n = ap.parse_args().n

    keys = ApiKeys("tw_bench")
    key = keys.create("acct_bench", scopes=["read"]).secret.expose()
    hkey = JwtKey.hmac("bench-gateway-secret-0123456789abcdef", "HS256")
    token = JwtIssuer(hkey, ttl=86400).issue({"scope": "read"}, subject="alice")
    auth = Authenticator(
        api_keys=keys,
        jwt=JwtVerifier(hkey, algorithms=["HS256"]),
        rate_limit=RateLimit(100_000_000, burst=100_000_000),  # never reached
        ip_deny=["192.0.2.0/24"],
    )
    browser_headers = [
        (b"host", b"api.example"),
        (b"user-agent", b"bench/1.0"),
        (b"accept", b"application/json"),
        (b"accept-encoding", b"gzip, deflate"),
        (b"connection", b"keep-alive"),
    ]
    key_dict = {"x-api-key": key}
    key_asgi = browser_headers + [(b"x-api-key", key.encode())]
    jwt_dict = {"authorization": "Bearer " + token}
    ip = "198.51.100.7"
    assert auth.authenticate("GET", "/v1/things", key_dict, ip, ["read"])
    assert auth.authenticate("GET", "/v1/things", jwt_dict, ip, ["read"])

    rows: list[tuple[str, float]] = []

    def run_verify(k: int) -> None:
        v = keys.verify
        for _ in range(k):
            v(key)

    def run_key(k: int) -> None:
        a = auth.authenticate
        for _ in range(k):
            a("GET", "/v1/things", key_dict, ip, ["read"])

    def run_key_asgi_headers(k: int) -> None:
        a = auth.authenticate
        for _ in range(k):
            a("GET", "/v1/things", key_asgi, ip, ["read"])

    def run_jwt(k: int) -> None:
        a = auth.authenticate
        for _ in range(k):
            a("GET", "/v1/things", jwt_dict, ip, ["read"])

    rows.append(("ApiKeys.verify alone (reference)", best(run_verify, n)))
    rows.append(("authenticate, API key (dict headers)", best(run_key, n)))
    rows.append(("authenticate, API key (7 ASGI bytes headers)", best(run_key_asgi_headers, n)))
    rows.append(("authenticate, HS256 JWT", best(run_jwt, n)))

    # --- ASGI -----------------------------------------------------------------------------
    start = {"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]}
    body = {"type": "http.response.body", "body": b"ok"}

    async def app(scope: Any, receive: Any, send: Any) -> None:
        await send(start)
        await send(body)

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b""}

    async def send(message: Any) -> None:
        pass

    scope_template = {
        "type": "http",
        "method": "GET",
        "path": "/v1/things",
        "query_string": b"",
        "headers": key_asgi,
        "client": (ip, 40000),
    }
    wrapped = AsgiAuth(app, auth, required_scopes=["read"])

    def asgi_runner(target: Any) -> Callable[[int], None]:
        async def loop(k: int) -> None:
            for _ in range(k):
                await target(dict(scope_template), receive, send)

        return lambda k: asyncio.run(loop(k))

    asgi_bare = best(asgi_runner(app), n)
    asgi_mw = best(asgi_runner(wrapped), n)
    rows.append(("ASGI app alone", asgi_bare))
    rows.append(("ASGI app + AuthMiddleware (API key)", asgi_mw))
    rows.append(("  ASGI middleware overhead", asgi_mw - asgi_bare))

    # --- WSGI -----------------------------------------------------------------------------
    def wsgi_app(environ: Any, start_response: Any) -> list[bytes]:
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"ok"]

    def start_response(status: str, headers: Any) -> None:
        pass

    environ_template = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": "/v1/things",
        "QUERY_STRING": "",
        "REMOTE_ADDR": ip,
        "HTTP_HOST": "api.example",
        "HTTP_USER_AGENT": "bench/1.0",
        "HTTP_ACCEPT": "application/json",
        "HTTP_X_API_KEY": key,
    }
    wsgi_wrapped = WsgiAuth(wsgi_app, auth, required_scopes=["read"])

    def wsgi_runner(target: Any) -> Callable[[int], None]:
        def loop(k: int) -> None:
            for _ in range(k):
                target(dict(environ_template), start_response)

        return loop

    wsgi_bare = best(wsgi_runner(wsgi_app), n)
    wsgi_mw = best(wsgi_runner(wsgi_wrapped), n)
    rows.append(("WSGI app alone", wsgi_bare))
    rows.append(("WSGI app + AuthMiddleware (API key)", wsgi_mw))
    rows.append(("  WSGI middleware overhead", wsgi_mw - wsgi_bare))

    print(f"{n} calls per round, best of 3")
    print("| benchmark | µs per request |")
    print("|---|---|")
    for name, us in rows:
        print(f"| {name} | {us:.2f} |")


if __name__ == "__main__":
    main()
