"""The app login flow (AuthorizationFlow) against the real oauth2-mock-server: its /authorize
signs the user in at once and redirects with a code (and RFC 9207 `iss`); the test follows the
authorization URL with urllib, as the browser would, and hands the redirect to the flow."""

from __future__ import annotations

import asyncio
import base64
import json
import urllib.error
import urllib.parse
import urllib.request

import pytest
from test_oauth import MockServer

from tokenward import AuthorizationFlow, InvalidInputError, OAuthClient, TokenResponse, TokenwardError

REDIRECT = "http://127.0.0.1:9/callback"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # noqa: ANN002, ANN003
        return None


def follow(url: str) -> str:
    """GETs the authorization URL without following its redirect; returns the Location."""
    opener = urllib.request.build_opener(_NoRedirect)
    with pytest.raises(urllib.error.HTTPError) as answer:
        opener.open(url)
    assert answer.value.code == 302
    return answer.value.headers["Location"]


def claims_of(jwt: str) -> dict:
    payload = jwt.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


@pytest.fixture
def mock():
    server = MockServer()
    yield server
    server.stop()


@pytest.fixture
def client(mock):
    return OAuthClient.discover(mock.issuer, "py-app", auth_method="none")


def new_flow(client: OAuthClient) -> AuthorizationFlow:
    return AuthorizationFlow(client, REDIRECT, scopes=["openid", "profile"])


def test_login_flow_gets_tokens(mock, client):
    flow = new_flow(client)
    query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(flow.authorization_url).query))
    assert query["state"] == flow.state and query["nonce"] == flow.nonce
    assert query["code_challenge_method"] == "S256" and query["scope"] == "openid profile"
    location = follow(flow.authorization_url)
    assert "iss=" in location
    tokens = flow.complete(location)
    assert isinstance(tokens, TokenResponse)
    assert tokens.refresh_token is not None
    assert claims_of(tokens.id_token.expose())["nonce"] == flow.nonce
    assert mock.count("token") == 1
    assert flow.state not in repr(flow)


def test_login_flow_async(mock, client):
    flow = new_flow(client)
    location = follow(flow.authorization_url)
    tokens = asyncio.run(_complete(flow, location))
    assert tokens.access_token.expose()


async def _complete(flow: AuthorizationFlow, location: str) -> TokenResponse:
    return await flow.complete_async(location)


def test_refusals_have_codes(mock, client):
    # Another attempt's redirect: its state is not this flow's.
    first, second = new_flow(client), new_flow(client)
    with pytest.raises(TokenwardError) as e:
        first.complete(follow(second.authorization_url))
    assert e.value.code == "invalid_state"

    mock.control("/__authorize_error?error=access_denied")
    denied = new_flow(client)
    with pytest.raises(TokenwardError) as e:
        denied.complete(follow(denied.authorization_url))
    assert e.value.code == "access_denied"

    mock.control("/__authorize_iss?value=https%3A%2F%2Fevil.example")
    mixed = new_flow(client)
    with pytest.raises(TokenwardError) as e:
        mixed.complete(follow(mixed.authorization_url))
    assert e.value.code == "invalid_issuer"

    with pytest.raises(InvalidInputError):
        first.complete("http://127.0.0.1:10/elsewhere?code=x&state=" + first.state)
    assert mock.count("token") == 0


def test_needs_an_authorization_endpoint():
    bare = OAuthClient("https://as.example/token", "app", auth_method="none")
    with pytest.raises(InvalidInputError):
        AuthorizationFlow(bare, REDIRECT)
