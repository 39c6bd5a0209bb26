"""Sessions: the shared vectors tests/vectors/sessions.json, the session cookie as an
Authenticator credential, and the id / CSRF secret never in a repr, an error or a log."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

import pytest
from conftest import load_vectors

from tokenward import (
    Authenticator,
    AuthorizationError,
    IssuedSession,
    ManualClock,
    Principal,
    Refusal,
    Secret,
    SessionCookie,
    Sessions,
    TokenwardError,
)


def attempt(fn: Any, *args: Any, **kwargs: Any) -> tuple[str | None, Any]:
    """Calls ``fn`` at once: (the tokenward code it raised or None, its result)."""
    try:
        return None, fn(*args, **kwargs)
    except TokenwardError as err:
        return err.code, None


def make(v: dict[str, Any], clock: ManualClock, cookie: SessionCookie | None = None) -> Sessions:
    return Sessions(
        idle_timeout=v["options"]["idle_timeout"],
        absolute_timeout=v["options"]["absolute_timeout"],
        csrf_secret=v["csrf_secret"],
        clock=clock,
        cookie=cookie,
    )


def test_vectors() -> None:
    v = load_vectors("sessions.json")
    s = make(v, ManualClock(v["start"]))
    n = 0
    for case in v["ids"]:
        assert attempt(s.verify, case["id"])[0] == case["error"], case["name"]
        n += 1
    for case in v["csrf"]:
        assert s.csrf_token(case["session_id"]) == case["token"], case["name"]
        s.verify_csrf(case["session_id"], case["token"])
        n += 1
    for case in v["csrf_refusals"]:
        got, _ = attempt(s.verify_csrf, case["session_id"], case["token"])
        assert got == case["error"], case["name"]
        n += 1
    first_id = v["ids"][0]["id"]
    for case in v["cookies"]:
        got, cookie = attempt(SessionCookie, **case["cookie"])
        if got is None:
            got, built = attempt(make, v, ManualClock(v["start"]), cookie)
        if "error" in case:
            assert got == case["error"], case["name"]
        else:
            assert got is None, case["name"]
            assert built.set_cookie(first_id) == case["set_cookie"], case["name"]
            assert built.clear_cookie() == case["clear_cookie"], case["name"]
        n += 1
    for scenario in v["scenarios"]:
        clock = ManualClock(v["start"])
        s = make(v, clock)
        saved: dict[str, IssuedSession] = {}
        for i, step in enumerate(scenario["steps"]):
            at = f"{scenario['name']} step {i}"
            want = step.get("error")
            op = step["op"]
            sid = saved[step["session"]].id if "session" in step else None
            if op == "advance":
                clock.advance(step["seconds"])
                continue
            if op == "revoke":
                assert s.revoke(sid) is step["result"], at
                continue
            if op == "revoke_subject":
                assert s.revoke_subject(step["subject"]) == step["count"], at
                continue
            if op == "create":
                got, out = attempt(s.create, step["subject"], step["data"])
            elif op == "verify":
                got, out = attempt(s.verify, sid)
            elif op == "rotate":
                got, out = attempt(s.rotate, sid, subject=step.get("subject"), data=step.get("data"))
            elif op == "csrf":
                got, out = attempt(s.verify_csrf, sid, s.csrf_token(saved[step["token_of"]].id))
            else:
                raise AssertionError(f"unknown op {op}")
            assert got == want, at
            if out is not None and "save" in step:
                saved[step["save"]] = out
            if op == "verify" and out is not None:
                if "subject" in step:
                    assert out.subject == step["subject"], at
                if "data" in step:
                    assert out.data == step["data"], at
        n += 1
    assert n >= 35


def test_lifecycle_in_sqlite(tmp_path: Any) -> None:
    clock = ManualClock(1_700_000_000)
    store = f"sqlite://{tmp_path / 'app.db'}"
    s = Sessions(store=store, clock=clock, idle_timeout=timedelta(minutes=10))
    issued = s.create("alice", {"scope": "read"})
    again = Sessions(store=store, clock=clock)
    assert again.verify(issued.id).data == {"scope": "read"}
    clock.advance(600)
    with pytest.raises(TokenwardError) as e:
        s.verify(issued.id)
    assert e.value.code == "expired"
    assert s.purge() == 1


def test_the_authenticator_accepts_a_session_cookie() -> None:
    clock = ManualClock(1_700_000_000)
    sessions = Sessions(clock=clock)
    auth = Authenticator(sessions=sessions, clock=clock)
    issued = sessions.create("alice", {"scope": "read"})
    cookie = f"{sessions.cookie_name}={issued.id.expose()}"
    p = auth.authenticate("GET", "/", {"Cookie": cookie})
    assert isinstance(p, Principal)
    assert (p.kind, p.subject, p.scopes, p.key_id) == ("session", "alice", ["read"], issued.record.handle)
    r = auth.authenticate("POST", "/", {"Cookie": cookie})
    assert isinstance(r, Refusal)
    assert (r.status, r.code) == (403, "invalid_csrf_token")
    token = sessions.csrf_token(issued.id)
    assert isinstance(auth.authenticate("POST", "/", {"Cookie": cookie, "X-CSRF-Token": token}), Principal)
    sessions.revoke(issued.id)
    r = auth.authenticate("GET", "/", {"Cookie": cookie})
    assert isinstance(r, Refusal)
    assert (r.status, r.code) == (401, "revoked")


def test_unsafe_cookies_are_refused_with_a_clear_message() -> None:
    with pytest.raises(TokenwardError) as e:
        SessionCookie(domain="example.com")
    assert e.value.code == "invalid_input"
    assert "__Host-" in str(e.value)
    with pytest.raises(TokenwardError) as e:
        SessionCookie(name="sid", secure=False)
    assert "dangerous_allow_insecure" in str(e.value)
    assert SessionCookie(name="sid", secure=False, dangerous_allow_insecure=True).name == "sid"


def test_the_id_and_csrf_secret_are_never_shown(caplog: pytest.LogCaptureFixture) -> None:
    csrf_secret = "python-csrf-secret-0123456789abcdef"
    clock = ManualClock(1_700_000_000)
    with caplog.at_level(logging.DEBUG, logger="tokenward"):
        s = Sessions(clock=clock, csrf_secret=Secret(csrf_secret))
        issued = s.create("alice")
        sid = issued.id.expose()
        token = s.csrf_token(sid)
        rotated = s.rotate(sid)
        errors = []
        for call in (lambda: s.verify(sid), lambda: s.verify(sid + "x"),
                     lambda: s.verify_csrf(rotated.id, token)):
            try:
                call()
            except TokenwardError as err:
                errors.append(err)
        assert isinstance(errors[2], AuthorizationError)
        s.revoke(rotated.id)
    shown = [repr(issued), repr(issued.record), repr(issued.id), str(issued.id), repr(s),
             repr(rotated), *(f"{e!r} {e}" for e in errors), caplog.text]
    assert len(errors) == 3 and "session.create" in caplog.text
    for text in shown:
        assert sid[4:] not in text
        assert rotated.id.expose()[4:] not in text
        assert csrf_secret not in text
        assert token not in text
