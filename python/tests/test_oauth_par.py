"""Pushed authorization requests (RFC 9126) against the real oauth2-mock-server, whose PAR
endpoint comes from tests/oauth/par.mjs: AuthorizationFlow.start pushes the parameters with
client authentication, the authorization URL carries client_id and request_uri only, the whole
login goes through it, and refusals carry their codes."""

from __future__ import annotations

import asyncio
import urllib.error
import urllib.parse
import urllib.request

import pytest
from test_oauth import MockServer
from test_oauth_flow import REDIRECT, claims_of, follow

from tokenward import AuthorizationFlow, DpopKey, InvalidInputError, JwtKey, OAuthClient, TokenwardError


@pytest.fixture
def mock():
    server = MockServer()
    yield server
    server.stop()


def test_pushed_login_with_client_authentication_and_dpop_jkt(mock):
    key = DpopKey.generate("ES256")
    client = OAuthClient.discover(mock.issuer, "py-app", "py-secret", dpop_key=key)
    flow = AuthorizationFlow.start(client, REDIRECT, scopes=["openid", "profile"])
    assert flow.request_uri is not None
    assert flow.request_uri.startswith("urn:ietf:params:oauth:request_uri:")
    query = urllib.parse.parse_qsl(urllib.parse.urlsplit(flow.authorization_url).query)
    assert [k for k, _ in query] == ["client_id", "request_uri"]
    last = mock.control("/__par_last")
    assert last["auth"] == "basic"
    params = last["params"]
    assert params["client_id"] == "py-app"
    assert params["state"] == flow.state and params["nonce"] == flow.nonce
    assert params["code_challenge_method"] == "S256"
    assert params["dpop_jkt"] == key.thumbprint
    tokens = flow.complete(follow(flow.authorization_url))
    assert tokens.access_token.is_dpop
    assert claims_of(tokens.id_token.expose())["nonce"] == flow.nonce


def test_start_async_and_a_public_client(mock):
    client = OAuthClient.discover(mock.issuer, "py-mobile", auth_method="none")

    async def run() -> AuthorizationFlow:
        return await AuthorizationFlow.start_async(client, REDIRECT, scopes=["profile"])

    flow = asyncio.run(run())
    assert flow.request_uri is not None
    assert mock.control("/__par_last")["auth"] == "none"
    assert flow.complete(follow(flow.authorization_url)).refresh_token is not None


def test_required_pushing(mock):
    mock.control("/__par?mode=require")
    client = OAuthClient.discover(mock.issuer, "py-app", "py-secret")
    # The plain constructor makes no request, so it cannot honour the server's requirement.
    with pytest.raises(InvalidInputError):
        AuthorizationFlow(client, REDIRECT)
    flow = AuthorizationFlow.start(client, REDIRECT)
    assert flow.complete(follow(flow.authorization_url)).access_token.expose()
    # A client without a known PAR endpoint, asked to require it: invalid_input, no request.
    plain = OAuthClient(
        mock.issuer + "/token", "py-app", "py-secret", authorization_url=mock.issuer + "/authorize"
    )
    before = mock.count("par")
    with pytest.raises(InvalidInputError):
        AuthorizationFlow.start(plain, REDIRECT, require_pushed_authorization=True)
    assert mock.count("par") == before
    pushed = AuthorizationFlow.start(plain, REDIRECT, pushed_authorization_url=mock.issuer + "/par")
    assert pushed.request_uri is not None
    assert AuthorizationFlow.start(plain, REDIRECT).request_uri is None


def test_refusals_carry_codes(mock):
    client = OAuthClient.discover(mock.issuer, "py-app", "py-secret")
    mock.control("/__par?mode=error")
    with pytest.raises(InvalidInputError) as err:
        AuthorizationFlow.start(client, REDIRECT)
    assert err.value.code == "invalid_input"
    assert "tok_SECRET" not in str(err.value)
    mock.control("/__par?mode=no_request_uri")
    with pytest.raises(TokenwardError) as err:
        AuthorizationFlow.start(client, REDIRECT)
    assert err.value.code == "invalid_response"
    mock.control("/__par?mode=ok")
    with pytest.raises(InvalidInputError):
        AuthorizationFlow.start(client, REDIRECT, pushed_authorization_url="http://as.example/par")
    with pytest.raises(InvalidInputError):
        AuthorizationFlow(client, REDIRECT, pushed_authorization_url=mock.issuer + "/par")
    assert mock.count("token") == 0


def test_private_key_jwt_assertions_name_the_issuer(mock):
    # FAPI 2.0 / RFC 7523bis: with a discovered (or configured) issuer it is the sole audience.
    key = JwtKey.generate("ES256")
    client = OAuthClient.discover(mock.issuer, "py-app", private_key=key)
    assert client.auth_method == "private_key_jwt" and client.issuer == mock.issuer
    AuthorizationFlow.start(client, REDIRECT)
    assert mock.control("/__par_last")["assertion_aud"] == mock.issuer
    par = mock.issuer + "/par"
    configured = OAuthClient(mock.issuer + "/token", "py-app", private_key=key,
                             authorization_url=mock.issuer + "/authorize", issuer="https://as.example")
    assert configured.issuer == "https://as.example"
    AuthorizationFlow.start(configured, REDIRECT, pushed_authorization_url=par)
    assert mock.control("/__par_last")["assertion_aud"] == "https://as.example"
    # No issuer known: the token endpoint (RFC 7523).
    plain = OAuthClient(mock.issuer + "/token", "py-app", private_key=key,
                        authorization_url=mock.issuer + "/authorize")
    assert plain.issuer is None
    AuthorizationFlow.start(plain, REDIRECT, pushed_authorization_url=par)
    assert mock.control("/__par_last")["assertion_aud"] == mock.issuer + "/token"
