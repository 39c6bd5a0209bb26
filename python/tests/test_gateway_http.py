"""The framework adapters over real HTTP: FastAPI served by uvicorn, Flask served by werkzeug's
make_server, each in a thread on localhost, called with urllib."""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

# fastapi, uvicorn and flask come from requirements-dev.txt: missing, these tests fail (no skip).
import pytest
import uvicorn
from fastapi import Depends, FastAPI, Request
from werkzeug.serving import make_server

from tokenward import ApiKeys, Authenticator, JwtIssuer, JwtKey, JwtVerifier, Principal, RateLimit
from tokenward import asgi as tw_asgi
from tokenward import fastapi as tw_fastapi
from tokenward import flask as tw_flask
from tokenward import wsgi as tw_wsgi

SECRET = "gateway-http-secret-0123456789abcdef"


def call(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], Any]:
    req = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, dict(r.headers), json.loads(r.read() or b"null")
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), json.loads(e.read() or b"null")


@pytest.fixture(scope="module")
def setup() -> dict[str, Any]:
    keys = ApiKeys("tw_test")
    reader = keys.create("acct_reader", scopes=["read"]).secret.expose()
    limited = keys.create("acct_limited", scopes=["read"], metadata={"plan": "tiny"}).secret.expose()
    key = JwtKey.hmac(SECRET, "HS256")
    token = JwtIssuer(key).issue({"scope": "read admin"}, subject="alice")
    auth = Authenticator(
        api_keys=keys,
        jwt=JwtVerifier(key, algorithms=["HS256"]),
        plans={"tiny": RateLimit.per_minute(1, 1)},
        ip_deny=["192.0.2.0/24"],
    )
    return {"auth": auth, "reader": reader, "limited": limited, "token": token}


# --- FastAPI + uvicorn ----------------------------------------------------------------------


class UvicornThread:
    def __init__(self, app: Any) -> None:
        config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="off")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> str:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.01)
        port = self.server.servers[0].sockets[0].getsockname()[1]
        return f"http://127.0.0.1:{port}"

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(10)


@pytest.fixture(scope="module")
def fastapi_url(setup: dict[str, Any]) -> Iterator[str]:
    auth = setup["auth"]
    # Routes under /mw go through the ASGI middleware; /dep routes use the dependency.
    app = FastAPI()
    app.state.authenticator = auth

    @app.get("/mw/things")
    async def mw_things(request: Request) -> dict[str, Any]:
        p: Principal = request.state.principal
        return {"subject": p.subject, "kind": p.kind}

    @app.get("/dep/read")
    async def dep_read(p: Principal = Depends(tw_fastapi.require(scopes=["read"]))) -> dict[str, Any]:
        return {"subject": p.subject, "scopes": p.scopes}

    @app.get("/dep/admin")
    def dep_admin(
        request: Request, p: Principal = Depends(tw_fastapi.require(auth, scopes=["admin"]))
    ) -> dict[str, Any]:
        assert request.state.principal is p
        return {"subject": p.subject}

    @app.get("/public")
    async def public() -> dict[str, Any]:
        return {"ok": True}

    protected = tw_asgi.AuthMiddleware(app, auth, exclude_paths=["/public"])

    async def dispatch(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope["path"].startswith("/mw/"):
            await protected(scope, receive, send)
        else:
            await app(scope, receive, send)

    with UvicornThread(dispatch) as url:
        yield url


def test_fastapi_middleware(fastapi_url: str, setup: dict[str, Any]) -> None:
    status, _, body = call(fastapi_url + "/mw/things", {"X-API-Key": setup["reader"]})
    assert (status, body) == (200, {"subject": "acct_reader", "kind": "api_key"})
    status, _, body = call(fastapi_url + "/mw/things", {"Authorization": "Bearer " + setup["token"]})
    assert (status, body) == (200, {"subject": "alice", "kind": "jwt"})
    status, headers, body = call(fastapi_url + "/mw/things")
    assert status == 401 and headers["www-authenticate"] == 'Bearer realm="api"'
    assert body == {"error": "missing_credentials", "error_description": "the request carries no credential"}
    status, headers, body = call(fastapi_url + "/mw/things", {"Authorization": "Bearer a b"})
    assert status == 400 and 'error="invalid_request"' in headers["www-authenticate"]
    assert call(fastapi_url + "/public")[0] == 200


def test_fastapi_dependency(fastapi_url: str, setup: dict[str, Any]) -> None:
    status, _, body = call(fastapi_url + "/dep/read", {"X-API-Key": setup["reader"]})
    assert (status, body) == (200, {"subject": "acct_reader", "scopes": ["read"]})
    status, headers, body = call(fastapi_url + "/dep/admin", {"X-API-Key": setup["reader"]})
    assert status == 403 and body == {"detail": "insufficient_scope"}
    assert 'error="insufficient_scope"' in headers["www-authenticate"]
    assert 'scope="admin"' in headers["www-authenticate"]
    status, _, body = call(fastapi_url + "/dep/admin", {"Authorization": "Bearer " + setup["token"]})
    assert (status, body) == (200, {"subject": "alice"})
    status, headers, _ = call(fastapi_url + "/dep/read", {"Authorization": "Bearer " + setup["token"] + "x"})
    assert status == 401 and 'error="invalid_token"' in headers["www-authenticate"]


def test_fastapi_rate_limit(fastapi_url: str, setup: dict[str, Any]) -> None:
    assert call(fastapi_url + "/dep/read", {"X-API-Key": setup["limited"]})[0] == 200
    status, headers, _ = call(fastapi_url + "/dep/read", {"X-API-Key": setup["limited"]})
    assert status == 429 and 1 <= int(headers["retry-after"]) <= 60


# --- Flask + werkzeug -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def flask_url(setup: dict[str, Any]) -> Iterator[str]:
    from flask import Flask, g

    auth = setup["auth"]
    app = Flask("tokenward-test")
    tw_flask.init_app(app, auth)

    @app.get("/read")
    @tw_flask.require(scopes=["read"])
    def read() -> dict[str, Any]:
        return {"subject": g.principal.subject}

    @app.get("/admin")
    @tw_flask.require(auth, scopes=["admin"])
    def admin() -> dict[str, Any]:
        return {"subject": g.principal.subject}

    mw_app = Flask("tokenward-test-mw")

    @mw_app.get("/things")
    def things() -> dict[str, Any]:
        from flask import request

        return {"subject": request.environ[tw_wsgi.ENVIRON_KEY].subject}

    mw_app.wsgi_app = tw_wsgi.AuthMiddleware(mw_app.wsgi_app, auth, required_scopes=["read"])  # type: ignore[method-assign]

    def dispatch(environ: dict[str, Any], start_response: Any) -> Any:
        if environ["PATH_INFO"].startswith("/mw"):
            environ["SCRIPT_NAME"] = "/mw"
            environ["PATH_INFO"] = environ["PATH_INFO"][3:]
            return mw_app(environ, start_response)
        return app(environ, start_response)

    server = make_server("127.0.0.1", 0, dispatch, threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(10)


def test_flask_decorator(flask_url: str, setup: dict[str, Any]) -> None:
    status, _, body = call(flask_url + "/read", {"X-API-Key": setup["reader"]})
    assert (status, body) == (200, {"subject": "acct_reader"})
    status, headers, body = call(flask_url + "/read")
    assert status == 401 and headers["WWW-Authenticate"] == 'Bearer realm="api"'
    assert body["error"] == "missing_credentials"
    status, headers, body = call(flask_url + "/admin", {"X-API-Key": setup["reader"]})
    assert status == 403 and body["error"] == "insufficient_scope"
    assert 'scope="admin"' in headers["WWW-Authenticate"]
    status, _, body = call(flask_url + "/admin", {"Authorization": "Bearer " + setup["token"]})
    assert (status, body) == (200, {"subject": "alice"})


def test_wsgi_middleware_over_http(flask_url: str, setup: dict[str, Any]) -> None:
    status, _, body = call(flask_url + "/mw/things", {"X-API-Key": setup["reader"]})
    assert (status, body) == (200, {"subject": "acct_reader"})
    status, headers, body = call(flask_url + "/mw/things", {"Authorization": "Bearer " + setup["token"] + "x"})
    assert status == 401 and body["error"] == "invalid_token"
    assert headers["Content-Type"] == "application/json"
