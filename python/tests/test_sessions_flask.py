"""Sessions end to end in Flask: the Flask test client keeps cookies like a browser (over
https://, so the default ``__Host-`` cookie with ``Secure`` is stored and sent back): log in
(rotating the anonymous id), an authenticated request, the CSRF token on unsafe methods, a
rotation on privilege change that kills the old id, log out and a server-side revocation."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask, Response, g, jsonify, request

from tokenward import Authenticator, Sessions
from tokenward.flask import init_app, require

BASE = "https://localhost"


@pytest.fixture
def app_and_sessions() -> tuple[Flask, Sessions]:
    sessions = Sessions()  # the default cookie: __Host-tw_session, Secure, HttpOnly, SameSite=Lax
    name = sessions.cookie_name
    app = Flask(__name__)
    init_app(app, Authenticator(sessions=sessions))

    def answer(body: dict[str, Any], cookie: str) -> Response:
        resp = jsonify(body)
        resp.headers["Set-Cookie"] = cookie
        return resp

    @app.post("/anonymous")
    def anonymous() -> Response:
        return answer({"ok": True}, sessions.set_cookie(sessions.create("anonymous").id))

    @app.post("/login")
    def login() -> Response:
        old = request.cookies.get(name)
        if old:  # the anonymous session becomes the user's: a new id (no fixation)
            issued = sessions.rotate(old, subject="alice", data={"scope": "read"})
        else:
            issued = sessions.create("alice", {"scope": "read"})
        return answer({"csrf": sessions.csrf_token(issued.id)}, sessions.set_cookie(issued.id))

    @app.get("/me")
    @require(scopes=["read"])
    def me() -> Response:
        return jsonify(subject=g.principal.subject, kind=g.principal.kind)

    @app.post("/sudo")
    @require()
    def sudo() -> Response:
        issued = sessions.rotate(request.cookies[name], data={"scope": "read admin"})
        return answer({"csrf": sessions.csrf_token(issued.id)}, sessions.set_cookie(issued.id))

    @app.post("/logout")
    @require()
    def logout() -> Response:
        sessions.revoke(request.cookies[name])
        return answer({"ok": True}, sessions.clear_cookie())

    return app, sessions


class Browser:
    def __init__(self, app: Flask, name: str) -> None:
        self.client = app.test_client()
        self.name = name

    def call(self, method: str, path: str, headers: dict[str, str] | None = None) -> tuple[int, Any]:
        r = self.client.open(path, method=method, headers=headers or {}, base_url=BASE)
        return r.status_code, r.get_json(silent=True)

    def cookie(self) -> str | None:
        c = self.client.get_cookie(self.name, domain="localhost")
        return c.value if c is not None else None


def test_login_rotate_csrf_logout_with_the_flask_test_client(app_and_sessions: tuple[Flask, Sessions]) -> None:
    app, sessions = app_and_sessions
    name = sessions.cookie_name
    assert name == "__Host-tw_session"
    b = Browser(app, name)
    status, body = b.call("GET", "/me")
    assert (status, body["error"]) == (401, "missing_credentials")
    assert b.call("POST", "/anonymous")[0] == 200
    anonymous = b.cookie()
    assert anonymous and anonymous.startswith("tws_")
    r = b.client.post("/login", base_url=BASE)
    assert r.status_code == 200
    set_cookie = r.headers["Set-Cookie"]
    for attribute in ("__Host-tw_session=tws_", "Path=/", "Secure", "HttpOnly", "SameSite=Lax"):
        assert attribute in set_cookie
    assert "Domain" not in set_cookie
    csrf = r.get_json()["csrf"]
    assert b.cookie() != anonymous  # login rotated the id
    assert b.call("GET", "/me") == (200, {"subject": "alice", "kind": "session"})
    # The pre-login id is dead: a fixated cookie is worthless.
    stale = Browser(app, name)
    stale.client.set_cookie(name, anonymous, domain="localhost")
    assert stale.call("GET", "/me")[0] == 401
    # Unsafe methods need the CSRF token of this session.
    status, body = b.call("POST", "/sudo")
    assert (status, body["error"]) == (403, "invalid_csrf_token")
    assert b.call("POST", "/sudo", {"X-CSRF-Token": "forged"})[0] == 403
    before = b.cookie()
    status, body = b.call("POST", "/sudo", {"X-CSRF-Token": csrf})
    assert status == 200 and b.cookie() != before
    # The id before the privilege change is refused, with the old CSRF token too.
    old = Browser(app, name)
    old.client.set_cookie(name, before or "", domain="localhost")
    assert old.call("GET", "/me")[0] == 401
    assert b.call("POST", "/logout", {"X-CSRF-Token": csrf})[0] == 403
    status, _ = b.call("POST", "/logout", {"X-CSRF-Token": body["csrf"]})
    assert status == 200
    assert b.cookie() is None  # the clearing Set-Cookie removed it
    assert b.call("GET", "/me")[0] == 401


def test_a_server_side_revocation_logs_the_browser_out(app_and_sessions: tuple[Flask, Sessions]) -> None:
    app, sessions = app_and_sessions
    b = Browser(app, sessions.cookie_name)
    assert b.call("POST", "/login")[0] == 200
    assert b.call("GET", "/me")[0] == 200
    assert sessions.revoke_subject("alice") == 1  # "log out everywhere", a password change
    assert b.call("GET", "/me")[0] == 401
