"""The loopback redirect of a CLI login (RFC 8252 section 7.3) against the real
oauth2-mock-server: the test plays the browser, following the authorization URL (the mock's
/authorize redirects with a code) to the loopback listener, which completes the flow."""

from __future__ import annotations

import asyncio
import threading
import urllib.error
import urllib.request

import pytest
from test_oauth_flow import follow

from tokenward import AuthorizationFlow, LoopbackRedirect, OAuthClient, TokenwardError


@pytest.fixture
def mock():
    from test_oauth import MockServer

    server = MockServer()
    yield server
    server.stop()


@pytest.fixture
def client(mock):
    return OAuthClient.discover(mock.issuer, "py-cli", auth_method="none")


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, ""


def browser(flow: AuthorizationFlow, redirect: LoopbackRedirect, seen: dict) -> None:
    """What the browser does: a stray request, then the authorization URL to its redirect."""
    seen["favicon"] = get(f"http://127.0.0.1:{redirect.port}/favicon.ico")[0]
    location = follow(flow.authorization_url)
    seen["location_is_loopback"] = location.startswith(redirect.redirect_uri + "?")
    seen["page"] = get(location)


def test_cli_login_through_the_loopback_listener(mock, client) -> None:
    redirect = LoopbackRedirect()
    assert redirect.redirect_uri == f"http://127.0.0.1:{redirect.port}/callback"
    flow = AuthorizationFlow(client, redirect.redirect_uri, scopes=["openid"])
    seen: dict = {}
    t = threading.Thread(target=browser, args=(flow, redirect, seen))
    t.start()
    tokens = redirect.complete(flow, timeout=10)
    t.join()
    assert tokens.access_token.expose() and tokens.id_token is not None
    assert seen["favicon"] == 404 and seen["location_is_loopback"]
    status, page = seen["page"]
    assert status == 200 and "close this window" in page
    assert flow.state not in repr(redirect)
    # The listener is closed: a second request is refused, a second wait too.
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(redirect.redirect_uri + "?code=again", timeout=2)
    with pytest.raises(TokenwardError) as e:
        redirect.complete(flow, timeout=0.1)
    assert e.value.code == "invalid_input"


def test_no_redirect_in_time_is_a_timeout(client) -> None:
    redirect = LoopbackRedirect()
    flow = AuthorizationFlow(client, redirect.redirect_uri)
    with pytest.raises(TokenwardError) as e:
        redirect.complete(flow, timeout=0.2)
    assert e.value.code == "timeout"


def test_cli_login_async(mock, client) -> None:
    redirect = LoopbackRedirect()
    flow = AuthorizationFlow(client, redirect.redirect_uri)
    seen: dict = {}

    async def main():
        waiting = redirect.complete_async(flow, timeout=10)
        await asyncio.to_thread(browser, flow, redirect, seen)
        return await waiting

    tokens = asyncio.run(main())
    assert tokens.access_token.expose() and seen["page"][0] == 200
    assert mock.count("token") == 1
