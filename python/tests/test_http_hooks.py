"""The HTTP client hooks (tokenward.httpx, tokenward.requests) with the real clients, against the
real oauth2-mock-server and its protected resource ``/__api``, which accepts only the access
tokens issued since the last ``/__api_revoke`` (tests/oauth/mock-server.mjs)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator

import httpx
import pytest
import requests
from test_oauth import MockServer

from tokenward import OAuthClient, TokenSource, token_rejected
from tokenward.httpx import TokenSourceAuth as HttpxAuth
from tokenward.requests import TokenSourceAuth as RequestsAuth


@pytest.fixture
def mock() -> Iterator[MockServer]:
    server = MockServer()
    yield server
    server.stop()


@pytest.fixture
def source(mock: MockServer) -> TokenSource:
    client = OAuthClient.discover(mock.issuer, "py-client", "py-secret")
    return TokenSource.client_credentials(client, ["read"])


def test_token_rejected_is_the_core_rule():
    assert token_rejected(401, 'Bearer realm="api", error="invalid_token"')
    assert token_rejected(401)
    assert not token_rejected(401, 'Bearer error="insufficient_scope"')
    assert not token_rejected(401, 'Basic realm="x"')
    assert not token_rejected(403, 'Bearer error="invalid_token"')
    assert not token_rejected(70000) and not token_rejected(-1)


def test_authorization_header_carries_the_token_type(source: TokenSource):
    token = source.token()
    assert token.authorization_header() == f"Bearer {token.expose()}"


@pytest.mark.parametrize("client_kind", ["httpx", "requests"])
def test_sync_hooks_authorize_and_retry_once_after_a_rejection(
    mock: MockServer, source: TokenSource, client_kind: str, caplog: pytest.LogCaptureFixture
):
    caplog.set_level(logging.DEBUG)
    url = mock.issuer + "/__api"
    if client_kind == "httpx":
        session: httpx.Client | requests.Session = httpx.Client(auth=HttpxAuth(source))
    else:
        session = requests.Session()
        session.auth = RequestsAuth(source)
    with session:
        first = session.post(url, content=b"payload") if client_kind == "httpx" else session.post(url, data=b"payload")
        assert first.status_code == 200 and first.json() == {"ok": True, "method": "POST", "body": "payload"}
        used = source.token()
        assert mock.count("token") == 1

        # The server stops accepting the token: one refresh, one retry with the body again.
        mock.control("/__api_revoke")
        second = session.post(url, content=b"again") if client_kind == "httpx" else session.post(url, data=b"again")
        assert second.status_code == 200 and second.json()["body"] == "again"
        assert mock.count("token") == 2
        assert mock.count("__api") == 3
        assert source.token().fingerprint != used.fingerprint

        # Rejected again after the refresh: the 401 comes back, with no loop.
        mock.control("/__api_error?all=1")
        third = session.get(url)
        assert third.status_code == 401
        assert mock.count("token") == 3 and mock.count("__api") == 5

        # What a new token cannot fix is not retried.
        mock.control("/__api_error?error=insufficient_scope&all=1")
        assert session.get(url).status_code == 401
        mock.control("/__api_error?error=basic&all=1")
        assert session.get(url).status_code == 401
        assert mock.count("token") == 3 and mock.count("__api") == 7

    assert caplog.records, "the HTTP clients logged nothing: the secret check below would prove nothing"
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert source.token().expose() not in logged and used.expose() not in logged
    assert used.expose() not in repr(session.auth) and used.expose() not in repr(HttpxAuth(source))


def test_async_httpx_hook(mock: MockServer, source: TokenSource):
    async def main() -> tuple[int, int, int]:
        async with httpx.AsyncClient(auth=HttpxAuth(source)) as client:
            url = mock.issuer + "/__api"
            first = (await client.get(url)).status_code
            mock.control("/__api_revoke")
            second = (await client.put(url, content=b"x")).status_code
            mock.control("/__api_error?all=1")
            third = (await client.get(url)).status_code
            return first, second, third

    assert asyncio.run(main()) == (200, 200, 401)
    assert mock.count("token") == 3
    assert mock.count("__api") == 5


def test_token_async_answers_a_usable_token_without_a_thread_hop(source: TokenSource):
    async def main() -> tuple[str, str]:
        first = await source.token_async()
        # A usable token is answered by an awaitable that is already done: its first step
        # finishes (StopIteration), without the event loop.
        step = source.token_async().__await__()
        try:
            next(step)
            raise AssertionError("the awaitable suspended")
        except StopIteration as done:
            assert done.value.fingerprint == first.fingerprint
        refreshed = await source.force_refresh_async()
        return first.fingerprint, refreshed.fingerprint

    first, refreshed = asyncio.run(main())
    assert first != refreshed
