"""Issue 14 hardening, seen from Python: out-of-range durations and times are
InvalidInputError (never a PanicException), redirects never change scheme or port, symmetric
keys in a fetched JWKS are never used, and unknown OAuth error strings are not echoed."""

from __future__ import annotations

import asyncio
import base64
import json
import math
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tokenward import (
    InvalidInputError,
    JwtIssuer,
    JwtKey,
    JwtVerifier,
    KeySet,
    ManualClock,
    OAuthClient,
    RemoteJwtVerifier,
    RemoteKeySet,
    TokenwardError,
)

BAD_SECONDS = [1e20, 1e19, math.nan, math.inf, -math.inf, -1.0]


class Server:
    """A local HTTP server whose answer (status, headers, body) the test sets."""

    def __init__(self, status=200, headers=None, body=b""):
        self.status, self.headers, self.body = status, headers or {}, body
        self.hits = 0
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self):
                outer.hits += 1
                length = int(self.headers.get("content-length") or 0)
                self.rfile.read(length)
                self.send_response(outer.status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(outer.body)))
                for k, v in outer.headers.items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(outer.body)

            do_GET = do_POST = _answer

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    def stop(self):
        self.httpd.shutdown()


@pytest.fixture
def servers():
    started = []

    def start(**kw):
        s = Server(**kw)
        started.append(s)
        return s

    yield start
    for s in started:
        s.stop()


@pytest.mark.parametrize("bad", BAD_SECONDS)
def test_oauth_timeout_out_of_range_is_invalid_input(bad):
    with pytest.raises(InvalidInputError) as e:
        OAuthClient("http://127.0.0.1:9/token", "c", "s", timeout=bad)
    assert e.value.code == "invalid_input"


@pytest.mark.parametrize("bad", BAD_SECONDS)
def test_remote_jwks_timeout_out_of_range_is_invalid_input(bad):
    with pytest.raises(InvalidInputError):
        RemoteKeySet("http://127.0.0.1:9/jwks.json", timeout=bad)


def test_remote_jwks_huge_ttl_is_invalid_input():
    for kw in ({"ttl": 2**64 - 1}, {"max_stale": 2**64 - 1}, {"cooldown": 2**64 - 1}):
        with pytest.raises(InvalidInputError):
            RemoteKeySet("http://127.0.0.1:9/jwks.json", **kw)


@pytest.mark.parametrize("bad", [1e19, 1e20, math.nan, math.inf, -1.0])
def test_manual_clock_out_of_range_is_invalid_input(bad):
    with pytest.raises(InvalidInputError):
        ManualClock(bad)
    clock = ManualClock(0)
    with pytest.raises(InvalidInputError):
        clock.set(bad)
    with pytest.raises(InvalidInputError):
        clock.advance(1e20 if bad != -1.0 else bad)


def test_verifier_leeway_and_max_age_are_bounded():
    key = JwtKey.hmac(b"k" * 32, "HS256")
    for kw in ({"leeway": 2**63}, {"leeway": 2**62, "max_age": 2**62}):
        with pytest.raises(InvalidInputError):
            JwtVerifier(key, algorithms=["HS256"], **kw)


def test_token_request_is_not_redirected_to_another_port(servers):
    other = servers(body=json.dumps({"access_token": "AT", "expires_in": 60}).encode())
    front = servers(status=307, headers={"location": other.base + "/token"})
    client = OAuthClient(front.base + "/token", "c", "client-secret-value")
    with pytest.raises(TokenwardError) as e:
        client.client_credentials()
    assert e.value.code == "invalid_response"
    assert other.hits == 0, "the client secret followed the redirect to another port"


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def test_symmetric_keys_in_a_fetched_jwks_are_never_used(servers):
    secret = b"0123456789abcdef0123456789abcdef"
    es = JwtKey.generate("ES256").with_kid("es")
    jwks = KeySet([es]).to_jwks()
    jwks["keys"].append({"kty": "oct", "kid": "hs", "alg": "HS256", "k": _b64(secret)})
    server = servers(body=json.dumps(jwks).encode())
    remote = RemoteKeySet(server.base + "/jwks.json")
    assert len(remote.keys()) == 1
    forged = JwtIssuer(JwtKey.hmac(secret, "HS256").with_kid("hs")).issue({"sub": "admin"})
    verifier = RemoteJwtVerifier(remote, algorithms=["HS256", "ES256"])
    with pytest.raises(TokenwardError) as e:
        verifier.verify(forged)
    assert e.value.code == "key_not_found"

    async def verify_async():
        return await verifier.verify_async(forged)

    with pytest.raises(TokenwardError) as e:
        asyncio.run(verify_async())
    assert e.value.code == "key_not_found"


def test_unknown_oauth_error_strings_are_not_echoed(servers):
    hostile = "sk_live_51HqLyjWDarjtT1zdp7dcXYZ"
    server = servers(status=400, body=json.dumps({"error": hostile}).encode())
    client = OAuthClient(server.base + "/token", "c", "client-secret-value")
    with pytest.raises(TokenwardError) as e:
        client.client_credentials()
    assert e.value.code == "invalid_response"
    text = f"{e.value} {e.value!r}"
    assert "sk_live" not in text
    assert "unrecognized" in text
