"""Sessions over real HTTP: a FastAPI app served by uvicorn, called by a browser-like client
(urllib with a cookie jar): log in, rotate on privilege change, CSRF check, log out. The cookie
is the development variant (no Secure: the test server speaks plain HTTP on localhost)."""

from __future__ import annotations

import http.cookiejar
import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import Depends, FastAPI, Request, Response
from test_gateway_http import UvicornThread

from tokenward import Authenticator, Principal, SessionCookie, Sessions
from tokenward import fastapi as tw_fastapi

COOKIE = SessionCookie(name="sid", secure=False, dangerous_allow_insecure=True)


class Browser:
    """Keeps cookies between requests, like a browser; the CSRF token is read from the page."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def call(self, method: str, path: str, headers: dict[str, str] | None = None) -> tuple[int, Any]:
        req = urllib.request.Request(self.base + path, method=method, headers=headers or {}, data=b"" if method == "POST" else None)
        try:
            with self.opener.open(req, timeout=10) as r:
                return r.status, json.loads(r.read() or b"null")
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read() or b"null")

    def cookie(self) -> str | None:
        return next((c.value for c in self.jar if c.name == "sid"), None)


@pytest.fixture(scope="module")
def app_url() -> Iterator[str]:
    sessions = Sessions(cookie=COOKIE)
    auth = Authenticator(sessions=sessions)
    app = FastAPI()
    app.state.authenticator = auth

    @app.post("/login")
    def login(request: Request, response: Response) -> dict[str, Any]:
        old = request.cookies.get("sid")
        if old:  # an anonymous session becomes the user's: a new id (no fixation)
            issued = sessions.rotate(old, subject="alice", data={"scope": "read"})
        else:
            issued = sessions.create("alice", {"scope": "read"})
        response.headers["set-cookie"] = sessions.set_cookie(issued.id)
        return {"csrf": sessions.csrf_token(issued.id)}

    @app.post("/anonymous")
    def anonymous(response: Response) -> dict[str, Any]:
        issued = sessions.create("anonymous")
        response.headers["set-cookie"] = sessions.set_cookie(issued.id)
        return {"ok": True}

    @app.get("/me")
    def me(p: Principal = Depends(tw_fastapi.require(scopes=["read"]))) -> dict[str, Any]:
        return {"subject": p.subject, "kind": p.kind}

    @app.post("/sudo")
    def sudo(request: Request, response: Response, p: Principal = Depends(tw_fastapi.require())) -> dict[str, Any]:
        issued = sessions.rotate(request.cookies["sid"], data={"scope": "read admin"})
        response.headers["set-cookie"] = sessions.set_cookie(issued.id)
        return {"csrf": sessions.csrf_token(issued.id)}

    @app.post("/logout")
    def logout(request: Request, response: Response, p: Principal = Depends(tw_fastapi.require())) -> dict[str, Any]:
        sessions.revoke(request.cookies["sid"])
        response.headers["set-cookie"] = sessions.clear_cookie()
        return {"ok": True}

    with UvicornThread(app) as url:
        yield url


def test_login_rotate_csrf_logout(app_url: str) -> None:
    b = Browser(app_url)
    assert b.call("GET", "/me")[0] == 401
    assert b.call("POST", "/anonymous")[0] == 200
    anonymous = b.cookie()
    assert anonymous and anonymous.startswith("tws_")
    status, body = b.call("POST", "/login")
    assert status == 200
    csrf = body["csrf"]
    assert b.cookie() != anonymous  # login rotated the id
    assert b.call("GET", "/me") == (200, {"subject": "alice", "kind": "session"})
    # The pre-login id is dead: a fixated cookie is worthless.
    stale = Browser(app_url)
    stale.jar.set_cookie(http.cookiejar.Cookie(0, "sid", anonymous, None, False, "127.0.0.1", False, False, "/", True, False, None, False, None, None, {}))
    assert stale.call("GET", "/me") == (401, {"detail": "invalid_token"})
    # Unsafe methods need the CSRF token of this session.
    assert b.call("POST", "/sudo") == (403, {"detail": "invalid_csrf_token"})
    assert b.call("POST", "/sudo", {"X-CSRF-Token": "forged"})[0] == 403
    before = b.cookie()
    status, body = b.call("POST", "/sudo", {"X-CSRF-Token": csrf})
    assert status == 200 and b.cookie() != before
    assert b.call("POST", "/logout", {"X-CSRF-Token": csrf})[0] == 403  # the old session's token
    status, _ = b.call("POST", "/logout", {"X-CSRF-Token": body["csrf"]})
    assert status == 200
    assert b.cookie() is None  # the clearing Set-Cookie removed it
    assert b.call("GET", "/me")[0] == 401
