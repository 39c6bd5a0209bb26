"""The DPoP client (RFC 9449) against the real oauth2-mock-server, whose token endpoint and
protected resource ``/__dpop_api`` verify proofs with ``jose`` (tests/oauth/dpop.mjs): proofs on
token requests, the nonce challenge answered once and not twice, DPoP-bound tokens sent by the
HTTP hooks (``httpx`` sync/async, ``requests``), bearer tokens unchanged, refusal codes."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import urllib.parse
import urllib.request
from collections.abc import Iterator

import httpx
import pytest
import requests
from conftest import code_of
from test_oauth import MockServer

from tokenward import AccessToken, AuthorizationFlow, DpopKey, OAuthClient, TokenSource, retry_action
from tokenward.httpx import TokenSourceAuth as HttpxAuth
from tokenward.requests import TokenSourceAuth as RequestsAuth


@pytest.fixture
def mock() -> Iterator[MockServer]:
    server = MockServer()
    yield server
    server.stop()


def dpop_client(mock: MockServer, key: DpopKey) -> OAuthClient:
    return OAuthClient.discover(mock.issuer, "py-client", "py-secret", dpop_key=key)


def claims(jwt: str) -> dict:
    part = jwt.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


@pytest.mark.parametrize("alg", ["ES256", "EdDSA"])
def test_token_requests_carry_proofs_and_dpop_tokens_are_bound(mock: MockServer, alg: str):
    key = DpopKey.generate(alg)
    client = dpop_client(mock, key)
    token = client.client_credentials(["read"]).access_token
    assert token.is_dpop and token.token_type == "DPoP"
    assert claims(token.expose())["cnf"] == {"jkt": key.thumbprint}
    last = mock.control("/__dpop_last")["token"]
    assert last["htm"] == "POST" and last["htu"] == mock.issuer + "/token" and last["ath"] is None

    headers = token.request_headers("GET", "https://api.example/x?q=1")
    assert headers["Authorization"] == "DPoP " + token.expose()
    proof = claims(headers["DPoP"])
    assert proof["htm"] == "GET" and proof["htu"] == "https://api.example/x"
    digest = hashlib.sha256(token.expose().encode()).digest()
    assert proof["ath"] == base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
    assert token.expose() not in repr(token)

    # Refresh carries a proof too.
    assert client.refresh("some-refresh").access_token.is_dpop


def test_nonce_challenge_is_answered_once_and_not_twice(mock: MockServer):
    client = dpop_client(mock, DpopKey.generate())
    mock.control("/__dpop_nonce?token=require")
    assert client.client_credentials().access_token.is_dpop
    assert mock.count("token") == 2
    assert mock.control("/__dpop_last")["token"]["nonce"]
    # Remembered for the origin: no second challenge.
    client.client_credentials()
    assert mock.count("token") == 3
    mock.control("/__dpop_nonce?token=always")
    assert code_of(lambda: client.client_credentials()) == "use_dpop_nonce"
    assert mock.count("token") == 5


def test_retry_action_is_the_core_rule():
    nonce = 'DPoP error="use_dpop_nonce"'
    action = retry_action(401, nonce, "n-1")
    assert action.kind == "retry_with_nonce" and action.nonce == "n-1"
    assert retry_action(401, nonce).kind == "no_retry"
    assert retry_action(401).kind == "refresh_and_retry"
    assert retry_action(401, 'DPoP error="invalid_token"', "n").kind == "refresh_and_retry"
    assert retry_action(200, nonce, "n").kind == "no_retry" and retry_action(-1).nonce is None


@pytest.mark.parametrize("client_kind", ["httpx", "requests"])
def test_sync_hooks_send_dpop_tokens_and_answer_the_nonce_challenge(mock: MockServer, client_kind: str):
    source = TokenSource.client_credentials(dpop_client(mock, DpopKey.generate()), ["read"])
    url = mock.issuer + "/__dpop_api?page=2"
    if client_kind == "httpx":
        session: httpx.Client | requests.Session = httpx.Client(auth=HttpxAuth(source))
    else:
        session = requests.Session()
        session.auth = RequestsAuth(source)
    with session:
        first = session.get(url)
        assert first.status_code == 200, first.text
        assert mock.count("__dpop_api") == 1
        # The resource server asks for a nonce: one retry with it, then it is remembered.
        mock.control("/__dpop_nonce?api=require")
        second = session.post(url, content=b"x") if client_kind == "httpx" else session.post(url, data=b"x")
        assert second.status_code == 200 and second.json()["body"] == "x"
        assert mock.count("__dpop_api") == 3
        assert session.get(url).status_code == 200
        assert mock.count("__dpop_api") == 4
        # A server that challenges every time: one retry, then the 401 comes back.
        mock.control("/__dpop_nonce?api=always")
        third = session.get(url)
        assert third.status_code == 401 and 'use_dpop_nonce' in third.headers["www-authenticate"]
        assert mock.count("__dpop_api") == 6
        assert mock.count("token") == 1


def test_async_httpx_hook_sends_dpop_tokens(mock: MockServer):
    source = TokenSource.client_credentials(dpop_client(mock, DpopKey.generate("EdDSA")))

    async def main() -> tuple[int, int]:
        async with httpx.AsyncClient(auth=HttpxAuth(source)) as client:
            url = mock.issuer + "/__dpop_api"
            first = (await client.get(url)).status_code
            mock.control("/__dpop_nonce?api=require")
            second = (await client.delete(url)).status_code
            return first, second

    assert asyncio.run(main()) == (200, 200)
    assert mock.count("__dpop_api") == 3


def test_bearer_stays_bearer_and_refusals_have_codes(mock: MockServer):
    plain = OAuthClient.discover(mock.issuer, "py-client", "py-secret")
    token = plain.client_credentials().access_token
    assert not token.is_dpop
    assert token.request_headers("GET", "https://api.example/") == {"Authorization": "Bearer " + token.expose()}
    # The bearer hook still works on the bearer resource.
    with httpx.Client(auth=HttpxAuth(TokenSource.client_credentials(plain))) as session:
        assert session.get(mock.issuer + "/__api").status_code == 200

    # A DPoP answer to a client without a key.
    mock.control("/__dpop_token_type")
    assert code_of(lambda: plain.client_credentials()) == "invalid_response"

    client = dpop_client(mock, DpopKey.generate())
    for error in ["invalid_dpop_proof", "use_dpop_nonce"]:
        mock.control(f"/__next_error?error={error}&status=400")
        assert code_of(lambda: client.client_credentials()) == error
    token = client.client_credentials().access_token
    assert code_of(lambda: token.request_headers("GET", "/relative")) == "invalid_input"
    assert code_of(lambda: token.request_headers("G T", "https://api.example/")) == "invalid_input"
    assert isinstance(token, AccessToken)


def test_authorization_flow_sends_dpop_jkt(mock: MockServer):
    key = DpopKey.generate()
    client = OAuthClient.discover(mock.issuer, "app", auth_method="none", dpop_key=key)
    flow = AuthorizationFlow(client, "http://127.0.0.1:9/cb", scopes=["profile"])
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(flow.authorization_url).query)
    assert query["dpop_jkt"] == [key.thumbprint]

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
            return None

    opener = urllib.request.build_opener(NoRedirect)
    try:
        opener.open(flow.authorization_url)
        raise AssertionError("expected a redirect")
    except urllib.error.HTTPError as redirect:
        location = redirect.headers["location"]
    assert flow.complete(location).access_token.is_dpop

    plain = OAuthClient.discover(mock.issuer, "app", auth_method="none")
    assert "dpop_jkt" not in AuthorizationFlow(plain, "http://127.0.0.1:9/cb").authorization_url


@pytest.mark.parametrize("client_kind", ["httpx", "requests"])
def test_nonces_sent_on_successful_answers_are_used_next(mock: MockServer, client_kind: str):
    # RFC 9449 section 8.2: a DPoP-Nonce on a 200 (token endpoint or resource) goes into the
    # next proof to that origin.
    client = dpop_client(mock, DpopKey.generate())
    mock.control("/__dpop_nonce?token=advertise&api=advertise")
    client.client_credentials()
    sent = mock.control("/__dpop_last")["advertised"]["token"]
    client.client_credentials()
    assert mock.control("/__dpop_last")["token"]["nonce"] == sent
    source = TokenSource.client_credentials(client)
    url = mock.issuer + "/__dpop_api"
    if client_kind == "httpx":
        session: httpx.Client | requests.Session = httpx.Client(auth=HttpxAuth(source))
    else:
        session = requests.Session()
        session.auth = RequestsAuth(source)
    with session:
        assert session.get(url).status_code == 200
        sent = mock.control("/__dpop_last")["advertised"]["api"]
        assert session.get(url).status_code == 200
        assert mock.control("/__dpop_last")["api"]["nonce"] == sent
    assert mock.count("__dpop_api") == 2
