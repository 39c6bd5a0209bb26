"""tokenward.Authenticator from Python: the API surface, header forms, rate limits with a manual
clock, revocation, and the ASGI/WSGI adapters called in-process."""

from __future__ import annotations

import asyncio
import datetime as dt
import ipaddress
import json
import threading
from typing import Any

import pytest

from tokenward import (
    ApiKeys,
    Authenticator,
    InvalidInputError,
    JwtIssuer,
    JwtKey,
    JwtVerifier,
    ManualClock,
    Principal,
    RateLimit,
    Refusal,
    RevocationList,
)
from tokenward.asgi import AuthMiddleware as AsgiAuth
from tokenward.wsgi import ENVIRON_KEY
from tokenward.wsgi import AuthMiddleware as WsgiAuth

NOW = 1_700_000_000


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(NOW)


@pytest.fixture
def keys(clock: ManualClock) -> ApiKeys:
    return ApiKeys("tw_test", clock=clock)


def test_principal_and_refusal_are_data(keys: ApiKeys) -> None:
    k = keys.create("acct_42", scopes=["read"])
    auth = Authenticator(api_keys=keys, ip_deny=["192.0.2.0/24"])
    p = auth.authenticate("GET", "/v1", {"X-API-Key": k.secret.expose()}, "198.51.100.7", ["read"])
    assert isinstance(p, Principal) and p and p.ok
    assert (p.kind, p.subject, p.key_id, p.scopes) == ("api_key", "acct_42", k.record.id, ["read"])
    assert p.claims == {} and p.rate_limit_remaining is None and p.has_scope("read")
    assert k.secret.expose() not in repr(p)

    r = auth.authenticate("GET", "/v1", {}, "198.51.100.7")
    assert isinstance(r, Refusal) and not r and not r.ok
    assert (r.status, r.code, r.error) == (401, "missing_credentials", "missing_credentials")
    assert r.headers() == {"WWW-Authenticate": 'Bearer realm="api"'}
    assert json.loads(r.body())["error"] == "missing_credentials"
    assert repr(r) == "Refusal(code='missing_credentials', status=401, www_authenticate='Bearer realm=\"api\"', retry_after=None)"
    assert repr(p).startswith("Principal(kind='api_key', subject='acct_42', key_id='")

    r = auth.authenticate("GET", "/v1", {"X-API-Key": k.secret.expose()}, "198.51.100.7", ["write"])
    assert (r.status, r.code, r.error) == (403, "insufficient_scope", "insufficient_scope")
    assert 'scope="write"' in (r.www_authenticate or "")

    r = auth.authenticate("GET", "/v1", {"X-API-Key": k.secret.expose()}, ipaddress.ip_address("192.0.2.9"))
    assert (r.status, r.code, r.www_authenticate, r.headers()) == (403, "ip_denied", None, {})


def test_client_sees_rfc6750_error_not_the_internal_code(keys: ApiKeys) -> None:
    k = keys.create("acct")
    typo = k.secret.expose()[:-1] + ("b" if k.secret.expose()[-1] == "a" else "a")
    r = Authenticator(api_keys=keys).authenticate("GET", "/", [("x-api-key", typo)])
    assert isinstance(r, Refusal)
    assert r.code == "checksum_mismatch"  # for logs
    body = json.loads(r.body())
    assert body == {"error": "invalid_token", "error_description": "the access token is invalid"}
    assert (r.error, r.error_description) == (body["error"], body["error_description"])
    assert b"checksum" not in r.body()


def test_header_forms(keys: ApiKeys) -> None:
    secret = keys.create("acct").secret.expose()
    auth = Authenticator(api_keys=keys)
    forms: list[Any] = [
        {"x-api-key": secret},
        [("X-Api-Key", secret)],
        [(b"x-api-key", secret.encode())],
        ((b"authorization", b"Bearer " + secret.encode()),),
        [[b"x-api-key", secret.encode()]],
        iter([("Authorization", "Bearer " + secret)]),
    ]
    for headers in forms:
        assert auth.authenticate("GET", "/", headers), headers
    # Irrelevant headers are skipped, even when not UTF-8.
    assert auth.authenticate("GET", "/", [(b"user-agent", b"\xff\xfe"), (b"x-api-key", secret.encode())])
    with pytest.raises(TypeError):
        auth.authenticate("GET", "/", [("x-api-key",)])
    with pytest.raises(TypeError):
        auth.authenticate("GET", "/", [("x-api-key", 42)])
    with pytest.raises(ValueError):
        auth.authenticate("GET", "/", {}, "not-an-ip")


def test_query_param_and_cookie_are_opt_in(keys: ApiKeys) -> None:
    secret = keys.create("acct").secret.expose()
    off = Authenticator(api_keys=keys)
    assert off.authenticate("GET", f"/x?api_key={secret}", {}).code == "missing_credentials"  # type: ignore[union-attr]
    on = Authenticator(api_keys=keys, query_param="api_key", cookie="tw", api_key_header=None)
    assert on.header_names == ["authorization", "cookie"]
    assert on.authenticate("GET", f"/x?api_key={secret}", {})
    assert on.authenticate("GET", "/x", {"Cookie": f"a=b; tw={secret}"})
    assert not on.authenticate("GET", "/x", {"X-API-Key": secret})


def test_jwt_and_both_kinds(keys: ApiKeys, clock: ManualClock) -> None:
    key = JwtKey.hmac("gateway-python-secret-0123456789abcdef", "HS256")
    verifier = JwtVerifier(key, algorithms=["HS256"], clock=clock)
    token = JwtIssuer(key, ttl=3600).issue({"scope": "read write", "plan": "gold"}, subject="alice")
    api = keys.create("acct", scopes=["read"]).secret.expose()
    auth = Authenticator(api_keys=keys, jwt=verifier, clock=clock)
    # The issuer signs with the system clock; verify at that time.
    import time

    clock.set(time.time())
    p = auth.authenticate("GET", "/", {"Authorization": f"Bearer {token}"}, None, ["write"])
    assert isinstance(p, Principal)
    assert (p.kind, p.subject, p.scopes) == ("jwt", "alice", ["read", "write"])
    assert p.claims["plan"] == "gold" and p.key_id == p.claims["jti"]
    assert auth.authenticate("GET", "/", {"Authorization": f"Bearer {api}"})
    clock.advance(dt.timedelta(hours=2))
    r = auth.authenticate("GET", "/", {"Authorization": f"Bearer {token}"})
    assert isinstance(r, Refusal) and (r.status, r.code) == (401, "expired")


def test_rate_limits_with_manual_clock(keys: ApiKeys, clock: ManualClock) -> None:
    secret = keys.create("acct", metadata={"plan": "free"}).secret.expose()
    auth = Authenticator(
        api_keys=keys,
        rate_limit=RateLimit.per_second(100, 100),
        plans={"free": RateLimit(2, burst=3)},  # one every 500 ms, bursts of 3
        clock=clock,
    )
    h = {"x-api-key": secret}
    remaining = [auth.authenticate("GET", "/", h).rate_limit_remaining for _ in range(3)]  # type: ignore[union-attr]
    assert remaining == [2, 1, 0]
    r = auth.authenticate("GET", "/", h)
    assert isinstance(r, Refusal)
    assert (r.status, r.code, r.retry_after) == (429, "rate_limited", dt.timedelta(seconds=1))
    assert r.headers() == {"Retry-After": "1"}
    clock.advance(0.5)
    assert auth.authenticate("GET", "/", h)


def test_ip_rate_limit_and_overrides(keys: ApiKeys, clock: ManualClock) -> None:
    k = keys.create("acct")
    auth = Authenticator(
        api_keys=keys,
        ip_rate_limit=RateLimit(1, burst=1, period=dt.timedelta(minutes=1)),
        clock=clock,
    )
    h = {"x-api-key": k.secret.expose()}
    assert auth.authenticate("GET", "/", h, "2001:db8:1:2::1")
    assert auth.authenticate("GET", "/", h, "2001:db8:1:2::ffff").code == "rate_limited"  # type: ignore[union-attr]
    assert auth.authenticate("GET", "/", h, "2001:db8:1:3::1")
    per_key = Authenticator(api_keys=keys, rate_limit_overrides={k.record.id: RateLimit.per_minute(1, 1)}, clock=clock)
    assert per_key.authenticate("GET", "/", h)
    assert not per_key.authenticate("GET", "/", h)


def test_trusted_proxies(keys: ApiKeys) -> None:
    secret = keys.create("acct").secret.expose()
    auth = Authenticator(
        api_keys=keys,
        ip_allow=["203.0.113.0/24"],
        trusted_proxies=["10.0.0.0/8"],
        forwarded_header="forwarded",
    )
    assert auth.header_names == ["authorization", "x-api-key", "forwarded"]
    h = [("x-api-key", secret), ("Forwarded", "for=203.0.113.9")]
    assert auth.authenticate("GET", "/", h, "10.0.0.1")
    assert auth.authenticate("GET", "/", h, "198.51.100.1").code == "ip_denied"  # type: ignore[union-attr]
    spoof = [("x-api-key", secret), ("X-Forwarded-For", "203.0.113.9")]
    assert auth.authenticate("GET", "/", spoof, "10.0.0.1").code == "ip_denied"  # type: ignore[union-attr]


def test_revocation_list(keys: ApiKeys, clock: ManualClock) -> None:
    k = keys.create("acct")
    with pytest.raises(InvalidInputError, match="max_entries must be at least 1"):
        RevocationList(max_entries=0)
    lst = RevocationList(max_entries=10, clock=clock)
    auth = Authenticator(api_keys=keys, revocations=lst)
    h = {"x-api-key": k.secret.expose()}
    assert auth.authenticate("GET", "/", h)
    lst.revoke("key_id", k.record.id, NOW + 60)
    assert lst.is_revoked("key_id", k.record.id) and len(lst) == 1
    assert auth.authenticate("GET", "/", h).code == "revoked"  # type: ignore[union-attr]
    assert lst.unrevoke("key_id", k.record.id)
    assert auth.authenticate("GET", "/", h)
    lst.revoke("subject", "acct", dt.datetime.fromtimestamp(NOW + 10, dt.timezone.utc))
    assert not auth.authenticate("GET", "/", h)
    clock.advance(11)
    assert auth.authenticate("GET", "/", h)
    assert lst.purge() == 0
    lst.revoke("jti", "j1", NOW + 100)
    with pytest.raises(InvalidInputError):
        lst.revoke("jti", "past", NOW - 1)
    # The kinds are the core's; so is the message listing them.
    with pytest.raises(InvalidInputError, match="a revocation kind is one of: jti, key_id, subject"):
        lst.revoke("keyId", "x", NOW + 100)  # type: ignore[arg-type]


def test_configuration_errors(keys: ApiKeys) -> None:
    with pytest.raises(InvalidInputError):
        Authenticator()
    with pytest.raises(InvalidInputError):
        Authenticator(api_keys=keys, ip_deny=["999.1.1.1/8"])
    with pytest.raises(InvalidInputError):
        RateLimit(0, burst=1)
    with pytest.raises(InvalidInputError, match="a forwarded header is one of: x-forwarded-for, forwarded"):
        Authenticator(api_keys=keys, forwarded_header="x-real-ip", trusted_proxies=["10.0.0.0/8"])  # type: ignore[arg-type]
    rl = RateLimit(5, burst=2, period=60)
    assert (rl.rate, rl.burst, rl.period) == (5, 2, dt.timedelta(seconds=60))
    assert rl == RateLimit.per_minute(5, 2)
    assert RateLimit(5, burst=2).period == dt.timedelta(seconds=1)


def test_concurrent_threads_respect_the_burst(keys: ApiKeys, clock: ManualClock) -> None:
    secret = keys.create("acct").secret.expose()
    auth = Authenticator(api_keys=keys, rate_limit=RateLimit.per_minute(1, 100), clock=clock)
    ok = []

    def worker() -> None:
        ok.append(sum(1 for _ in range(100) if auth.authenticate("GET", "/", {"x-api-key": secret})))

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(ok) == 100


# --- adapters called in-process -----------------------------------------------------------


async def _echo_app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    p = scope.get("state", {}).get("principal")
    body = json.dumps({"subject": p.subject if p else None}).encode()
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"application/json")]})
    await send({"type": "http.response.body", "body": body})


def _call_asgi(app: Any, headers: list[tuple[bytes, bytes]], path: str = "/x") -> tuple[int, dict[bytes, bytes], bytes]:
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(m: dict[str, Any]) -> None:
        sent.append(m)

    scope = {
        "type": "http",
        "method": "GET",
        "path": path,
        "query_string": b"",
        "headers": headers,
        "client": ("198.51.100.7", 5000),
    }
    asyncio.run(app(scope, receive, send))
    start, body = sent[0], sent[1]
    return start["status"], dict(start["headers"]), body["body"]


def test_asgi_middleware_in_process(keys: ApiKeys) -> None:
    secret = keys.create("acct_asgi", scopes=["read"]).secret.expose()
    auth = Authenticator(api_keys=keys)
    app = AsgiAuth(_echo_app, auth, required_scopes=["read"], exclude_paths=["/health"])
    status, _, body = _call_asgi(app, [(b"x-api-key", secret.encode())])
    assert (status, json.loads(body)) == (200, {"subject": "acct_asgi"})
    status, headers, body = _call_asgi(app, [])
    assert status == 401 and headers[b"www-authenticate"] == b'Bearer realm="api"'
    assert headers[b"content-type"] == b"application/json"
    assert json.loads(body)["error"] == "missing_credentials"
    assert _call_asgi(app, [], path="/health")[0] == 200


def test_wsgi_middleware_in_process(keys: ApiKeys) -> None:
    secret = keys.create("acct_wsgi", scopes=["read"]).secret.expose()
    auth = Authenticator(api_keys=keys)

    def inner(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [environ[ENVIRON_KEY].subject.encode()]

    app = WsgiAuth(inner, auth, required_scopes=["read"])
    got: list[Any] = []

    def start_response(status: str, headers: list[tuple[str, str]]) -> None:
        got[:] = [status, dict(headers)]

    env = {"REQUEST_METHOD": "GET", "PATH_INFO": "/x", "REMOTE_ADDR": "198.51.100.7", "HTTP_X_API_KEY": secret}
    assert app(env, start_response) == [b"acct_wsgi"] and got[0] == "200 OK"
    env = {"REQUEST_METHOD": "GET", "PATH_INFO": "/x", "REMOTE_ADDR": "198.51.100.7", "HTTP_X_API_KEY": secret + "x"}
    body = app(env, start_response)
    assert got[0] == "401 Unauthorized"
    assert got[1]["WWW-Authenticate"].startswith('Bearer realm="api", error="invalid_token"')
    assert json.loads(b"".join(body))["error"] == "invalid_token"


def test_asgi_websocket_refusal_closes_1008(keys: ApiKeys) -> None:
    auth = Authenticator(api_keys=keys)
    reached: list[bool] = []

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        reached.append(True)

    sent: list[dict[str, Any]] = []

    async def send(m: dict[str, Any]) -> None:
        sent.append(m)

    async def receive() -> dict[str, Any]:
        return {"type": "websocket.connect"}

    scope = {"type": "websocket", "path": "/ws", "headers": [], "client": ("198.51.100.7", 1)}
    asyncio.run(AsgiAuth(app, auth)(scope, receive, send))
    assert not reached and sent == [{"type": "websocket.close", "code": 1008, "reason": "missing_credentials"}]
    # Lifespan and other scope types pass through untouched.
    asyncio.run(AsgiAuth(app, auth)({"type": "lifespan"}, receive, send))
    assert reached == [True]


def test_failure_rate_limit_refuses_before_verification(keys: ApiKeys, clock: ManualClock) -> None:
    unknown = ApiKeys("tw_test").create("x").secret.expose()
    good = keys.create("acct").secret.expose()
    auth = Authenticator(api_keys=keys, clock=clock, failure_rate_limit=RateLimit(1, burst=3, period=dt.timedelta(minutes=1)))
    bad_ip = "203.0.113.9"
    for _ in range(3):
        r = auth.authenticate("GET", "/", {"X-API-Key": unknown}, bad_ip)
        assert isinstance(r, Refusal) and r.code == "unknown_key"
    r = auth.authenticate("GET", "/", {"X-API-Key": unknown}, bad_ip)
    assert isinstance(r, Refusal) and (r.status, r.code, r.retry_after) == (429, "rate_limited", dt.timedelta(seconds=60))
    # Spent: a good key from that address is refused too; other addresses are not affected.
    r = auth.authenticate("GET", "/", {"X-API-Key": good}, bad_ip)
    assert isinstance(r, Refusal) and r.code == "rate_limited"
    assert auth.authenticate("GET", "/", {"X-API-Key": good}, "203.0.113.10")
    clock.advance(60)
    assert auth.authenticate("GET", "/", {"X-API-Key": good}, bad_ip)
    # On by default: 20 refused credentials, then 429 (one more every 6 s).
    default = Authenticator(api_keys=keys, clock=clock)
    for i in range(20):
        r = default.authenticate("GET", "/", {"X-API-Key": unknown}, bad_ip)
        assert isinstance(r, Refusal) and r.code == "unknown_key", i
    r = default.authenticate("GET", "/", {"X-API-Key": unknown}, bad_ip)
    assert isinstance(r, Refusal) and (r.code, r.retry_after) == ("rate_limited", dt.timedelta(seconds=6))
    with pytest.raises(InvalidInputError):
        Authenticator(api_keys=keys, failure_rate_limit=RateLimit(0, burst=1))
