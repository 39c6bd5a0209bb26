"""The gateway on rotating keys: Authenticator(remote_jwt=RemoteJwtVerifier) against the real
oauth2-mock-server (discovery, JWKS, key rotation), started as in test_oauth.py."""

from __future__ import annotations

import asyncio
import json
from base64 import urlsafe_b64decode

import pytest
from test_oauth import MockServer

from tokenward import (
    Authenticator,
    InvalidInputError,
    OAuthClient,
    Principal,
    RemoteJwtVerifier,
    RemoteKeySet,
)


@pytest.fixture
def mock():
    server = MockServer()
    yield server
    server.stop()


def kid(token: str) -> str:
    head = token.split(".")[0]
    return json.loads(urlsafe_b64decode(head + "=" * (-len(head) % 4)))["kid"]


def outcome(decision: object) -> str | tuple[str, int]:
    if isinstance(decision, Principal):
        assert decision.kind == "jwt"
        return "ok"
    return (decision.code, decision.status)  # type: ignore[attr-defined]


def test_rotated_keys_are_picked_up_through_the_async_path(mock) -> None:
    client = OAuthClient.discover(mock.issuer, "py-client", "py-secret")
    keys = RemoteKeySet.discover(mock.issuer, cooldown=0)
    assert keys.issuer == mock.issuer
    # No issuer named: the discovered one is enforced.
    auth = Authenticator(remote_jwt=RemoteJwtVerifier(keys, algorithms=["RS256"]))
    assert auth.has_remote_jwt and not auth.has_introspection

    def sync(token: str) -> str | tuple[str, int]:
        return outcome(auth.authenticate("GET", "/", {"Authorization": f"Bearer {token}"}))

    def run_async(token: str) -> str | tuple[str, int]:
        async def decide() -> object:
            return await auth.authenticate_async("GET", "/", {"Authorization": f"Bearer {token}"})

        return outcome(asyncio.run(decide()))

    first = client.client_credentials(["read"]).access_token.expose()
    # The synchronous path never fetches: nothing is cached yet.
    assert sync(first) == ("invalid_input", 500)
    assert keys.fetch_count == 0
    assert run_async(first) == "ok"
    assert keys.fetch_count == 1
    assert sync(first) == "ok"

    mock.control("/__rotate_keys")
    second = client.client_credentials(["read"]).access_token.expose()
    assert kid(second) != kid(first)
    assert sync(second) == ("invalid_input", 500)
    assert keys.fetch_count == 1  # no request from the synchronous path
    assert run_async(second) == "ok"
    assert keys.fetch_count == 2
    assert sync(second) == "ok" and sync(first) == "ok"

    mock.control("/__token_iss?value=https://other.example")
    foreign = client.client_credentials(["read"]).access_token.expose()
    assert run_async(foreign) == ("invalid_issuer", 401)


def test_a_verifier_naming_another_issuer_than_discovery_is_refused(mock) -> None:
    keys = RemoteKeySet.discover(mock.issuer)
    with pytest.raises(InvalidInputError) as e:
        RemoteJwtVerifier(keys, algorithms=["RS256"], issuers=["https://other.example"])
    assert e.value.code == "invalid_input" and "discovered" in str(e.value)
    RemoteJwtVerifier(keys, algorithms=["RS256"], issuers=[mock.issuer])
