"""OpenID Connect ID tokens: the shared vectors tests/vectors/oidc.json (local keys), and ID
tokens minted by the real oauth2-mock-server, verified through the login flow and with the
provider's discovered keys."""

from __future__ import annotations

import pytest
from conftest import code_of, load_vectors
from test_oauth import MockServer
from test_oauth_flow import REDIRECT, follow

from tokenward import AuthorizationFlow, IdTokenVerifier, InvalidInputError, KeySet, OAuthClient


def test_vectors() -> None:
    v = load_vectors("oidc.json")
    jwks = KeySet.from_jwks(v["jwks"])
    assert len(v["cases"]) >= 30
    for case in v["cases"]:
        opts = case.get("options", {})
        algorithms = opts.get("algorithms")
        verifier = IdTokenVerifier(v["issuer"], opts.get("client_id", v["client_id"]), jwks, algorithms=algorithms)
        checks = case.get("checks", {})
        got = code_of(lambda v=verifier, t=case["token"], c=checks: v.verify(t, **c)) or "ok"
        assert got == case["expect"], case["name"]


def test_hmac_is_never_an_id_token_algorithm() -> None:
    with pytest.raises(InvalidInputError):
        IdTokenVerifier("https://id.example", "app", KeySet(), algorithms=["HS256"])


@pytest.fixture
def mock():
    server = MockServer()
    yield server
    server.stop()


def test_real_id_tokens_verify(mock) -> None:
    client = OAuthClient.discover(mock.issuer, "py-app", auth_method="none")
    verifier = IdTokenVerifier.for_client(client)
    assert verifier.algorithms == ["RS256"] and verifier.issuer == mock.issuer
    flow = AuthorizationFlow(client, REDIRECT, scopes=["openid"])
    tokens = flow.complete(follow(flow.authorization_url))
    claims = tokens.id_token_claims
    assert claims["sub"] == "johndoe" and claims["nonce"] == flow.nonce and claims["aud"] == "py-app"

    id_token = tokens.id_token
    assert verifier.verify(id_token, nonce=flow.nonce)["sub"] == "johndoe"
    assert code_of(lambda: verifier.verify(id_token, nonce="not-the-nonce")) == "invalid_nonce"
    other = IdTokenVerifier.for_client(OAuthClient.discover(mock.issuer, "other-app", auth_method="none"))
    assert code_of(lambda: other.verify(id_token)) == "invalid_audience"

    mock.control("/__id_token_ttl?seconds=-600")
    late = AuthorizationFlow(client, REDIRECT, scopes=["openid"])
    location = follow(late.authorization_url)
    assert code_of(lambda: late.complete(location)) == "expired"
