"""Remote JWKS and OIDC discovery from Python against a real HTTP server on localhost."""

from __future__ import annotations

import asyncio
import json
import threading
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tokenward import JwtIssuer, JwtKey, KeySet, RemoteJwtVerifier, RemoteKeySet, TokenwardError


class JwksServer:
    def __init__(self):
        self.jwks = {"keys": []}
        self.hits = 0
        self.status = 200
        self.lock = threading.Lock()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                with outer.lock:
                    outer.hits += 1
                base = f"http://127.0.0.1:{outer.port}"
                if self.path == "/.well-known/openid-configuration":
                    body = json.dumps({"issuer": base, "jwks_uri": base + "/jwks.json"})
                else:
                    body = json.dumps(outer.jwks)
                self.send_response(outer.status)
                self.send_header("content-type", "application/json")
                self.end_headers()
                self.wfile.write(body.encode())

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}/jwks.json"
        threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()


@pytest.fixture
def server():
    s = JwksServer()
    yield s
    s.httpd.shutdown()


def signer(kid: str):
    key = JwtKey.generate("ES256").with_kid(kid)
    return JwtIssuer(key), KeySet([key]).to_jwks()


def test_remote_verify_blocking_and_async(server):
    issuer, jwks = signer("a")
    server.jwks = jwks
    verifier = RemoteJwtVerifier(RemoteKeySet(server.url), algorithms=["ES256"])
    assert verifier.verify(issuer.issue({"n": 1}))["n"] == 1

    async def main():
        return await asyncio.gather(*(verifier.verify_async(issuer.issue({"n": i})) for i in range(20)))

    results = asyncio.run(main())
    assert [r["n"] for r in results] == list(range(20))
    assert server.hits == 1  # cached


def test_single_flight_from_many_threads(server):
    issuer, jwks = signer("a")
    server.jwks = jwks
    remote = RemoteKeySet(server.url)
    verifier = RemoteJwtVerifier(remote, algorithms=["ES256"])
    token = issuer.issue()
    with ThreadPoolExecutor(32) as pool:
        results = list(pool.map(lambda _: verifier.verify(token), range(200)))
    assert len(results) == 200 and server.hits == 1 and remote.fetch_count == 1


def test_rotation_refetches_on_unknown_kid(server):
    a, jwks_a = signer("a")
    b, jwks_b = signer("b")
    server.jwks = jwks_a
    verifier = RemoteJwtVerifier(RemoteKeySet(server.url, cooldown=0), algorithms=["ES256"])
    verifier.verify(a.issue())
    server.jwks = {"keys": jwks_a["keys"] + jwks_b["keys"]}
    verifier.verify(b.issue())
    assert server.hits == 2


def test_server_errors_have_codes(server):
    server.status = 500
    verifier = RemoteJwtVerifier(RemoteKeySet(server.url), algorithms=["ES256"])
    with pytest.raises(TokenwardError) as info:
        verifier.verify(signer("a")[0].issue())
    assert info.value.code == "server_error"


def test_discovery(server):
    key = JwtKey.generate("EdDSA").with_kid("d")
    server.jwks = KeySet([key]).to_jwks()
    remote = RemoteKeySet.discover(f"http://127.0.0.1:{server.port}")
    assert remote.issuer == f"http://127.0.0.1:{server.port}"
    token = JwtIssuer(key, issuer=remote.issuer).issue()
    claims = RemoteJwtVerifier(remote, algorithms=["EdDSA"], issuers=remote.issuer).verify(token)
    assert claims["iss"] == remote.issuer


def test_plain_http_to_other_hosts_is_refused():
    with pytest.raises(TokenwardError) as info:
        RemoteKeySet("http://keys.example.com/jwks.json")
    assert info.value.code == "invalid_input"
