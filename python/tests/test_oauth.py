"""OAuth 2.0 client and TokenSource from Python against a real server: the npm package
oauth2-mock-server started from tests/oauth/mock-server.mjs (node is required: a missing
node fails these tests rather than skipping them)."""

from __future__ import annotations

import asyncio
import atexit
import datetime
import json
import pickle
import subprocess
import threading
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tokenward import (
    AccessToken,
    Introspection,
    InvalidInputError,
    InvalidInputTypeError,
    OAuthClient,
    Pkce,
    RemoteJwtVerifier,
    RemoteKeySet,
    Secret,
    TokenSource,
    TokenwardError,
)

ROOT = Path(__file__).resolve().parents[2]


def _start_mock_process() -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        ["node", "tests/oauth/mock-server.mjs"],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
    )


class MockServer:
    """A fresh mock server process per instance. Node takes about half a second to load the mock
    and make its key, so the next instance's process is started as soon as one is taken: it gets
    ready while the test runs."""

    _spare: subprocess.Popen[bytes] | None = None

    def __init__(self) -> None:
        self.proc = MockServer._spare or _start_mock_process()
        MockServer._spare = _start_mock_process()
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        info = json.loads(line)
        self.issuer: str = info["issuer"]

    def control(self, path: str) -> dict:
        req = urllib.request.Request(self.issuer + path, method="POST")
        with urllib.request.urlopen(req) as r:
            return json.loads(r.read())

    def count(self, endpoint: str) -> int:
        return self.control("/__stats").get(endpoint, 0)

    def stop(self) -> None:
        self.proc.kill()
        self.proc.wait()

    @classmethod
    def stop_spare(cls) -> None:
        if cls._spare is not None:
            cls._spare.kill()
            cls._spare.wait()
            cls._spare = None


atexit.register(MockServer.stop_spare)


@pytest.fixture
def mock():
    server = MockServer()
    yield server
    server.stop()


@pytest.fixture
def client(mock):
    return OAuthClient.discover(mock.issuer, "py-client", "py-secret")


def test_client_credentials_refresh_introspect_revoke(mock, client):
    r = client.client_credentials(["read", "write"])
    tok = r.access_token
    assert isinstance(tok, AccessToken)
    assert tok.scopes == ["read", "write"]
    assert tok.token_type == "Bearer"
    assert r.expires_in == datetime.timedelta(seconds=3600)
    assert tok.expires_at is not None and tok.expires_at.tzinfo is not None
    assert tok.expires_at - datetime.datetime.now(datetime.timezone.utc) > datetime.timedelta(seconds=3500)
    assert tok.expose() not in repr(tok) and tok.expose() not in str(tok)
    assert tok.expose().count(".") == 2
    # Pickling is refused like Secret's: InvalidInputTypeError, still a TypeError.
    with pytest.raises(TypeError) as refused:
        pickle.dumps(tok)
    assert type(refused.value) is InvalidInputTypeError and refused.value.code == "invalid_input"
    assert tok.expose() not in repr(r)

    first = client.refresh("rt-initial")
    assert first.refresh_token is not None
    second = client.refresh(first.refresh_token)
    assert second.refresh_token is not None
    assert second.refresh_token.expose() != first.refresh_token.expose()

    # A typed, frozen answer with the fields of Kotlin/Swift's Introspection record.
    info = client.introspect(tok.expose())
    assert isinstance(info, Introspection) and info and info.active is True
    assert (info.scopes, info.client_id, info.username, info.subject, info.expires_at) == (
        ["read", "write"],
        "mock-client",
        None,
        None,
        None,
    )
    assert info.claims == info.to_dict() == {"active": True, "scope": "read write", "client_id": "mock-client"}
    assert repr(info) == "Introspection(active=True, subject=None, client_id='mock-client', scopes=['read', 'write'])"
    with pytest.raises(AttributeError):
        info.active = False  # type: ignore[misc]
    client.revoke(Secret(tok.expose()), "access_token")
    gone = client.introspect(tok.expose(), "access_token")
    assert not gone and gone.active is False and gone.to_dict() == {"active": False}
    # The hint is a closed set parsed by the core: the error names the valid values.
    with pytest.raises(InvalidInputError) as info:
        client.revoke(tok.expose(), "id_token")  # type: ignore[arg-type]
    assert "access_token or refresh_token" in str(info.value)
    # What discovery found, as uniffi's OAuthClient has it.
    assert client.issuer == mock.issuer and client.jwks_uri is not None
    assert client.client_id == "py-client" and client.auth_method == "client_secret_basic"
    assert client.authorization_url is not None


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


def test_authorization_code_with_pkce(mock, client):
    rfc = Pkce.from_verifier("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")
    assert rfc.challenge == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM" and rfc.method == "S256"
    assert "dBjftJeZ" not in repr(rfc)
    with pytest.raises(InvalidInputError):
        Pkce.from_verifier("short")
    pkce = Pkce.generate()
    redirect = "http://127.0.0.1:9/callback"
    # Same argument order as Node, Kotlin and Swift: state, then the optional scopes.
    url = pkce.authorization_url(client.authorization_url, "app", redirect, "st-1", ["openid"])
    query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query))
    assert query["state"] == "st-1" and query["scope"] == "openid"
    assert query["code_challenge"] == pkce.challenge
    # Stand in for the browser: the mock signs the user in at once and redirects with a code.
    opener = urllib.request.build_opener(_NoRedirect)
    with pytest.raises(urllib.error.HTTPError) as redirected:
        opener.open(url)
    location = redirected.value.headers["Location"]
    back = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(location).query))
    assert back["state"] == "st-1"
    tokens = client.exchange_code(back["code"], redirect, pkce)
    assert tokens.refresh_token is not None and tokens.access_token.expose()


def test_tokens_verify_with_the_servers_jwks(mock, client):

    remote = RemoteKeySet.discover(mock.issuer)
    verifier = RemoteJwtVerifier(remote, algorithms=["RS256"], issuers=mock.issuer)
    tok = client.client_credentials(["read"]).access_token
    claims = verifier.verify(tok.expose())
    assert claims["scope"] == "read"


def test_thousand_threads_one_token_request(mock, client):
    mock.control("/__delay?ms=300")
    src = TokenSource.client_credentials(client, scopes=["read"])
    barrier = threading.Barrier(1000)

    def call() -> str:
        barrier.wait()
        return src.token().fingerprint

    with ThreadPoolExecutor(max_workers=1000) as pool:
        fps = set(pool.map(lambda _: call(), range(1000)))
    assert len(fps) == 1
    assert mock.count("token") == 1
    assert src.request_count == 1
    src.close()


def test_token_async_and_force_refresh(mock, client):
    src = TokenSource.client_credentials(client, scopes=["read"])

    async def main() -> list[AccessToken]:
        return list(await asyncio.gather(*(src.token_async() for _ in range(50))))

    toks = asyncio.run(main())
    assert len({t.fingerprint for t in toks}) == 1
    assert mock.count("token") == 1
    src.force_refresh()
    assert mock.count("token") == 2
    assert src.status == "ready"
    src.close()
    assert src.status == "closed"
    with pytest.raises(TokenwardError) as e:
        src.token()
    assert e.value.code == "invalid_input"


def test_refresh_token_source_rotation_and_terminal_invalid_grant(mock, client):
    rotated: list[str] = []
    errors: list[str] = []
    with TokenSource.from_refresh_token(client, Secret("rt-0")) as src:
        src.on_refresh(lambda resp: rotated.append(resp.refresh_token.fingerprint))
        src.on_error(lambda code, message: errors.append(code))
        src.token()
        t2 = src.force_refresh()
        assert len(rotated) == 2 and rotated[0] != rotated[1]
        mock.control("/__next_error?error=invalid_grant")
        with pytest.raises(TokenwardError) as e:
            src.force_refresh()
        assert e.value.code == "invalid_grant"
        assert src.status == "reauthentication_required"
        assert errors == ["invalid_grant"]
        before = mock.count("token")
        with pytest.raises(TokenwardError):
            src.force_refresh()
        assert mock.count("token") == before
        # The still-valid token keeps being served: exactly the last one refreshed.
        still = src.token()
        assert still.fingerprint == t2.fingerprint
        assert still.expires_at is not None
        assert still.expires_at > datetime.datetime.now(datetime.timezone.utc)
        assert src.last_error_code == "invalid_grant"


def test_errors_are_codes():
    c = OAuthClient("http://127.0.0.1:9/token", "id", "secret", timeout=0.5)
    with pytest.raises(TokenwardError) as e:
        c.client_credentials()
    assert e.value.code in ("network", "timeout")
    with pytest.raises(TokenwardError) as e:
        OAuthClient("https://as.example/token", "id", auth_method="client_secret_post")
    assert e.value.code == "invalid_input"
    with pytest.raises(TokenwardError):
        OAuthClient("https://as.example/token", "id", "s", auth_method="bogus")
    assert "s3cr3t-value" not in repr(OAuthClient("https://as.example/token", "id", "s3cr3t-value"))


def test_no_secret_in_tokenward_logs_during_refresh(mock, client, caplog):
    """Refresh operations (initial fetch, forced refresh, refresh-token grant) log nothing secret."""
    import logging

    import tokenward

    with caplog.at_level(logging.DEBUG):
        source = TokenSource.client_credentials(client, ["read"])
        first = source.token()
        second = source.force_refresh()
        rotated = client.refresh("rt-initial")
        source.close()
    secrets = [first.expose(), second.expose(), "py-secret", rotated.access_token.expose()]
    if rotated.refresh_token is not None:
        secrets.append(rotated.refresh_token.expose())
    text = caplog.text
    for s in secrets:
        assert s not in text
    for record in caplog.records:
        if record.name.startswith("tokenward"):
            assert tokenward.redact(record.getMessage()) == record.getMessage()
