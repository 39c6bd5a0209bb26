"""Opaque tokens through RFC 7662 introspection (Authenticator(introspection=OAuthClient)),
against the real mock server started as in test_oauth.py."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from typing import Any

import pytest
from test_oauth import MockServer

from tokenward import Authenticator, OAuthClient, Principal, Refusal
from tokenward.asgi import AuthMiddleware


@pytest.fixture(scope="module")
def mock():
    server = MockServer()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def client(mock):
    return OAuthClient.discover(mock.issuer, "py-client", "py-secret")


def test_sync_and_async_introspection_with_cache(client) -> None:
    auth = Authenticator(introspection=client)
    assert auth.has_introspection and auth.introspection_cache_len == 0
    tok = client.client_credentials(["read"]).access_token.expose()
    h = {"Authorization": f"Bearer {tok}"}
    p = auth.authenticate("GET", "/", h, "198.51.100.7", ["read"])
    assert isinstance(p, Principal), p
    assert p.kind == "introspected" and "read" in p.scopes and p.claims["active"] is True
    assert auth.introspection_cache_len == 1

    async def main() -> list[Principal | Refusal]:
        return list(
            await asyncio.gather(
                auth.authenticate_async("GET", "/", h, None, ["read"]),
                auth.authenticate_async("GET", "/", h, None, ["no-such-scope"]),
            )
        )

    ok, scope = asyncio.run(main())
    assert ok and ok.kind == "introspected"
    assert isinstance(scope, Refusal) and (scope.status, scope.code) == (403, "insufficient_scope")


def test_inactive_token_is_invalid(client) -> None:
    auth = Authenticator(introspection=client)
    # The mock server's tokens are deterministic per second and scope: use a scope of our own.
    tok = client.client_credentials(["read", "to-revoke"]).access_token.expose()
    client.revoke(tok, "access_token")

    async def main() -> Principal | Refusal:
        return await auth.authenticate_async("GET", "/", [(b"authorization", f"Bearer {tok}".encode())])

    r = asyncio.run(main())
    assert isinstance(r, Refusal)
    assert (r.status, r.code, r.error) == (401, "unknown_key", "invalid_token")


def test_unreachable_introspection_endpoint_is_503() -> None:
    dead = OAuthClient(
        "http://127.0.0.1:9/token",
        "id",
        "secret",
        introspection_url="http://127.0.0.1:9/introspect",
        timeout=0.5,
    )
    auth = Authenticator(introspection=dead)
    r = auth.authenticate("GET", "/", {"Authorization": "Bearer opaque-token-123"})
    assert isinstance(r, Refusal)
    assert r.status == 503 and r.code in ("network", "timeout")
    assert r.www_authenticate is None and r.error == "temporarily_unavailable"


def test_asgi_middleware_awaits_introspection(client) -> None:
    auth = Authenticator(introspection=client)
    tok = client.client_credentials(["read", "asgi"]).access_token.expose()

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        p = scope["state"]["principal"]
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": json.dumps({"kind": p.kind}).encode()})

    sent: list[dict[str, Any]] = []

    async def send(m: dict[str, Any]) -> None:
        sent.append(m)

    async def receive() -> dict[str, Any]:
        return {"type": "http.request"}

    scope = {"type": "http", "method": "GET", "path": "/", "headers": [(b"authorization", f"Bearer {tok}".encode())]}
    asyncio.run(AuthMiddleware(app, auth)(scope, receive, send))
    assert sent[0]["status"] == 200 and json.loads(sent[1]["body"]) == {"kind": "introspected"}


def test_introspection_rate_limit_bounds_outbound_requests(client, mock) -> None:
    from tokenward import RateLimit

    auth = Authenticator(
        introspection=client,
        introspection_rate_limit=RateLimit(1, burst=2, period=60.0),
        introspection_max_inflight=4,
        failure_rate_limit=RateLimit(1, burst=1000, period=60.0),
    )
    tok = client.client_credentials(["read", "bound"]).access_token.expose()
    before = mock.count("introspect")

    async def call(t: str) -> Principal | Refusal:
        return await auth.authenticate_async("GET", "/", {"Authorization": f"Bearer {t}"}, "198.51.100.7")

    async def main() -> list[Principal | Refusal]:
        out = [await call(tok), await call("random-opaque-1")]
        out += [await call(f"random-opaque-{i}") for i in range(2, 10)]
        out.append(await call(tok))
        return out

    first, unknown, *throttled, again = asyncio.run(main())
    assert isinstance(first, Principal) and isinstance(again, Principal)
    # The mock server answers active for any token it has not revoked: the point is that it
    # was asked (two POSTs), and that nothing more was sent once the bound was reached.
    assert not (isinstance(unknown, Refusal) and unknown.code == "rate_limited")
    for r in throttled:
        assert isinstance(r, Refusal) and (r.status, r.code, r.retry_after) == (503, "rate_limited", dt.timedelta(seconds=60))
    assert mock.count("introspect") - before == 2
    with pytest.raises(ValueError):
        Authenticator(introspection=client, introspection_max_inflight=0)
