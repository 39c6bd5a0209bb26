"""Shared token-endpoint vectors (tests/vectors/oauth.json) replayed through the Python client.

Each vector is served by a local ``http.server`` at ``POST /token``; the client-credentials grant
must give the vector's code or the vector's token fields, exactly as in the Rust runner.
"""

from __future__ import annotations

import datetime
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from conftest import load_vectors

from tokenward import OAuthClient, TokenwardError

DOC = load_vectors("oauth.json")


class _Server:
    """Answers every request with the current vector."""

    def __init__(self) -> None:
        self.vector: dict[str, Any] = {}
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
                self.rfile.read(int(self.headers.get("content-length", 0)))
                v = server.vector
                body = (v["body"] + " " * v.get("pad", 0)).encode()
                self.send_response(v["status"])
                headers = {"content-type": "application/json", **v.get("headers", {})}
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *_args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/token"
        threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()


@pytest.fixture(scope="module")
def server() -> Iterator[_Server]:
    s = _Server()
    yield s
    s.httpd.shutdown()


@pytest.mark.parametrize("vector", DOC["vectors"], ids=lambda v: v["name"])
def test_token_endpoint_vector(server: _Server, vector: dict[str, Any]) -> None:
    server.vector = vector
    client = OAuthClient(server.url, "vector-client", "vector-secret")
    expect = vector["expect"]
    if "code" in expect:
        with pytest.raises(TokenwardError) as info:
            client.client_credentials(DOC["request_scopes"])
        assert info.value.code == expect["code"]
        if "message_excludes" in expect:
            assert expect["message_excludes"] not in str(info.value)
        return
    response = client.client_credentials(DOC["request_scopes"])
    assert response.access_token.expose()
    if "expires_in" in expect:
        seconds = expect["expires_in"]
        assert response.expires_in == (None if seconds is None else datetime.timedelta(seconds=seconds))
    if "scopes" in expect:
        assert response.access_token.scopes == expect["scopes"]
    if "refresh_token" in expect:
        assert (response.refresh_token is not None) == expect["refresh_token"]


def test_the_vectors_cover_every_token_endpoint_error() -> None:
    codes = {v["expect"].get("code") for v in DOC["vectors"]}
    assert {
        "invalid_grant",
        "invalid_client",
        "invalid_scope",
        "unauthorized_client",
        "unsupported_grant_type",
        "server_error",
        "invalid_response",
    } <= codes
