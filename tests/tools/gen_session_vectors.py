"""Generates tests/vectors/sessions.json: session-token vectors every language runs.

Run: python3 tests/tools/gen_session_vectors.py  (standard library only). CSRF tokens are
computed here with hmac/hashlib, not with tokenward: base64url(HMAC-SHA-256(csrf_secret,
"tokenward-csrf-v1\\n" + session_id)) without padding. Session ids are fixed strings of the
published shape (tws_ + 43 base62 characters); scenarios run on a manual clock.
"""
from __future__ import annotations

import base64, hashlib, hmac, json
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "vectors" / "sessions.json"
SECRET = "vectors-csrf-secret-0123456789abcdef"  # 36 bytes, test fixture only
START = 1_700_000_000
IDLE, ABSOLUTE = 600, 3600
ID_A = "tws_" + "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefg"
ID_B = "tws_" + "zyxwvutsrqponmlkjihgfedcbaZYXWVUTSRQPONMLKJ"


def csrf(session_id: str, secret: str = SECRET) -> str:
    mac = hmac.new(secret.encode(), b"tokenward-csrf-v1\n" + session_id.encode(), hashlib.sha256)
    return base64.urlsafe_b64encode(mac.digest()).rstrip(b"=").decode()


def main() -> None:
    assert len(ID_A) == len(ID_B) == 47
    ids = [
        {"name": "valid shape", "id": ID_A, "error": "unknown_key"},
        {"name": "empty", "id": "", "error": "malformed"},
        {"name": "prefix only", "id": "tws_", "error": "malformed"},
        {"name": "one character short", "id": ID_A[:-1], "error": "malformed"},
        {"name": "one character long", "id": ID_A + "h", "error": "malformed"},
        {"name": "wrong prefix", "id": "twx_" + ID_A[4:], "error": "malformed"},
        {"name": "non-base62 character", "id": ID_A[:-1] + "-", "error": "malformed"},
        {"name": "cookie injection", "id": ID_A[:-8] + "; Domain", "error": "malformed"},
    ]
    csrf_cases = [
        {"name": "token of A", "session_id": ID_A, "token": csrf(ID_A)},
        {"name": "token of B", "session_id": ID_B, "token": csrf(ID_B)},
    ]
    csrf_refusals = [
        {"name": "token of another session", "session_id": ID_A, "token": csrf(ID_B),
         "error": "invalid_csrf_token"},
        {"name": "empty token", "session_id": ID_A, "token": "", "error": "invalid_csrf_token"},
        {"name": "truncated token", "session_id": ID_A, "token": csrf(ID_A)[:-1],
         "error": "invalid_csrf_token"},
        {"name": "token under another secret", "session_id": ID_A,
         "token": csrf(ID_A, "another-secret-0123456789abcdefghij"), "error": "invalid_csrf_token"},
        {"name": "padded token", "session_id": ID_A, "token": csrf(ID_A) + "=",
         "error": "invalid_csrf_token"},
        {"name": "malformed session id", "session_id": "tws_x", "token": csrf("tws_x"),
         "error": "malformed"},
    ]
    flags = "; Secure; HttpOnly; SameSite=Lax"
    clear = "; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT"
    cookies = [
        {"name": "defaults", "cookie": {},
         "set_cookie": f"__Host-tw_session={ID_A}; Path=/{flags}",
         "clear_cookie": f"__Host-tw_session=; Path=/{clear}{flags}"},
        {"name": "plain name with a domain, strict",
         "cookie": {"name": "sid", "domain": "example.com", "same_site": "strict"},
         "set_cookie": f"sid={ID_A}; Path=/; Domain=example.com; Secure; HttpOnly; SameSite=Strict",
         "clear_cookie": f"sid=; Path=/; Domain=example.com{clear}; Secure; HttpOnly; SameSite=Strict"},
        {"name": "__Secure- prefix with a path, SameSite=None",
         "cookie": {"name": "__Secure-sid", "path": "/app", "same_site": "none"},
         "set_cookie": f"__Secure-sid={ID_A}; Path=/app; Secure; HttpOnly; SameSite=None",
         "clear_cookie": f"__Secure-sid=; Path=/app{clear}; Secure; HttpOnly; SameSite=None"},
        {"name": "development server over plain HTTP",
         "cookie": {"name": "sid", "secure": False, "dangerous_allow_insecure": True},
         "set_cookie": f"sid={ID_A}; Path=/; HttpOnly; SameSite=Lax",
         "clear_cookie": f"sid=; Path=/{clear}; HttpOnly; SameSite=Lax"},
        {"name": "readable by scripts (not HttpOnly)", "cookie": {"name": "sid", "http_only": False},
         "set_cookie": f"sid={ID_A}; Path=/; Secure; SameSite=Lax",
         "clear_cookie": f"sid=; Path=/{clear}; Secure; SameSite=Lax"},
        {"name": "__Host- with a domain", "cookie": {"domain": "example.com"}, "error": "invalid_input"},
        {"name": "__Host- with another path", "cookie": {"path": "/app"}, "error": "invalid_input"},
        {"name": "__Host- not secure even in development",
         "cookie": {"secure": False, "dangerous_allow_insecure": True}, "error": "invalid_input"},
        {"name": "__Secure- not secure",
         "cookie": {"name": "__Secure-sid", "secure": False, "dangerous_allow_insecure": True},
         "error": "invalid_input"},
        {"name": "not secure without the development flag", "cookie": {"name": "sid", "secure": False},
         "error": "invalid_input"},
        {"name": "SameSite=None without Secure",
         "cookie": {"name": "sid", "secure": False, "dangerous_allow_insecure": True,
                    "same_site": "none"}, "error": "invalid_input"},
        {"name": "name with a space", "cookie": {"name": "my sid"}, "error": "invalid_input"},
        {"name": "empty name", "cookie": {"name": ""}, "error": "invalid_input"},
        {"name": "domain with a semicolon", "cookie": {"name": "sid", "domain": "a.example; Secure"},
         "error": "invalid_input"},
        {"name": "relative path", "cookie": {"name": "sid", "path": "app"}, "error": "invalid_input"},
        {"name": "unknown SameSite", "cookie": {"same_site": "sometimes"}, "error": "invalid_input"},
    ]
    S = lambda **kw: kw  # noqa: E731

    def keep_alive(name: str, times: int) -> list[dict]:
        """`times` × (590 s later, a request): idle never fires."""
        return [x for _ in range(times) for x in (S(op="advance", seconds=590),
                                                  S(op="verify", session=name))]
    scenarios = [
        {"name": "idle timeout slides with use", "steps": [
            S(op="create", subject="alice", data={"scope": "read write"}, save="a"),
            S(op="advance", seconds=599), S(op="verify", session="a", subject="alice"),
            S(op="advance", seconds=599), S(op="verify", session="a", subject="alice"),
            S(op="advance", seconds=599), S(op="verify", session="a", subject="alice"),
            S(op="advance", seconds=600), S(op="verify", session="a", error="expired"),
        ]},
        {"name": "absolute timeout whatever the use", "steps": [
            S(op="create", subject="alice", data={}, save="a"),
            *[x for _ in range(6) for x in (S(op="advance", seconds=590),
                                            S(op="verify", session="a", subject="alice"))],
            S(op="advance", seconds=59), S(op="verify", session="a", subject="alice"),
            S(op="advance", seconds=1), S(op="verify", session="a", error="expired"),
        ]},
        {"name": "rotation revokes the old id and keeps the deadline", "steps": [
            S(op="create", subject="alice", data={"k": "v"}, save="a"),
            *keep_alive("a", 5),
            S(op="rotate", session="a", save="b"),
            S(op="verify", session="a", error="revoked"),
            S(op="verify", session="b", subject="alice", data={"k": "v"}),
            S(op="rotate", session="a", error="revoked"),
            S(op="advance", seconds=590), S(op="verify", session="b", subject="alice"),
            S(op="advance", seconds=60), S(op="verify", session="b", error="expired"),
        ]},
        {"name": "login: rotation to a new subject starts a new absolute window", "steps": [
            S(op="create", subject="anonymous", data={"cart": "3"}, save="a"),
            *keep_alive("a", 5),
            S(op="rotate", session="a", subject="alice", data={"scope": "read"}, save="b"),
            S(op="verify", session="a", error="revoked"),
            S(op="advance", seconds=599),
            S(op="verify", session="b", subject="alice", data={"scope": "read"}),
            S(op="advance", seconds=599),
            S(op="verify", session="b", subject="alice"),
        ]},
        {"name": "logout and log out everywhere", "steps": [
            S(op="create", subject="dave", data={}, save="d1"),
            S(op="create", subject="dave", data={}, save="d2"),
            S(op="create", subject="dave", data={}, save="d3"),
            S(op="create", subject="erin", data={}, save="e"),
            S(op="revoke", session="d1", result=True),
            S(op="revoke", session="d1", result=True),
            S(op="verify", session="d1", error="revoked"),
            S(op="revoke_subject", subject="dave", count=2),
            S(op="verify", session="d2", error="revoked"),
            S(op="verify", session="d3", error="revoked"),
            S(op="verify", session="e", subject="erin"),
            S(op="revoke_subject", subject="nobody", count=0),
        ]},
        {"name": "CSRF tokens are bound to their session and renewed by rotation", "steps": [
            S(op="create", subject="alice", data={}, save="a"),
            S(op="create", subject="bob", data={}, save="b"),
            S(op="csrf", session="a", token_of="a"),
            S(op="csrf", session="a", token_of="b", error="invalid_csrf_token"),
            S(op="rotate", session="a", save="a2"),
            S(op="csrf", session="a2", token_of="a", error="invalid_csrf_token"),
            S(op="csrf", session="a2", token_of="a2"),
        ]},
        {"name": "invalid input", "steps": [
            S(op="create", subject="", data={}, error="invalid_input"),
            S(op="create", subject="alice", data={}, save="a"),
            S(op="rotate", session="a", subject="", error="invalid_input"),
            S(op="verify", session="a", subject="alice"),
        ]},
    ]
    doc = {
        "description": (
            "Session tokens (Sessions). Every runner builds Sessions with `options` (idle and "
            "absolute timeouts in seconds), `csrf_secret` and a manual clock at `start` (Unix "
            "seconds). `ids`: verify(id) on an empty store fails with `error`. `csrf`: "
            "csrf_token(session_id) equals `token` and verify_csrf accepts it; `csrf_refusals`: "
            "verify_csrf(session_id, token) fails with `error`. `cookies`: Sessions built with "
            "the cookie options (keys name, secure, http_only, same_site, path, domain, "
            "dangerous_allow_insecure; absent = default) either fails with `error` or gives "
            "set_cookie(ids[0].id) == `set_cookie` and clear_cookie() == `clear_cookie`. "
            "`scenarios`: each starts a fresh in-memory Sessions and clock; steps: create "
            "(subject, data; `save` names the new session), advance (seconds), verify (session; "
            "the record's subject/data when given, else `error`), rotate (session, optional "
            "subject/data, `save`), revoke (session; `result`), revoke_subject (subject; "
            "`count`), csrf (verify_csrf(session, csrf_token(token_of))). A step with `error` "
            "must fail with that code. Generated by tests/tools/gen_session_vectors.py."),
        "csrf_secret": SECRET,
        "start": START,
        "options": {"idle_timeout": IDLE, "absolute_timeout": ABSOLUTE},
        "ids": ids,
        "csrf": csrf_cases,
        "csrf_refusals": csrf_refusals,
        "cookies": cookies,
        "scenarios": scenarios,
    }
    OUT.write_text(json.dumps(doc, indent=2) + "\n")


if __name__ == "__main__":
    main()
