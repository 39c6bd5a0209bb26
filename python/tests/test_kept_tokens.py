"""Kept tokens: the shared vectors tests/vectors/stored_tokens.json, and a Python
``TokenStore`` against the real OAuth server (tests/oauth/mock-server.mjs): every rotation saved
with the new refresh token, a restore with a fresh token makes no request (counted by the
server), a restore with an expired token refreshes, ``invalid_grant`` clears the store, store
failures reach ``on_error``, and no secret appears in a repr or an error."""

from __future__ import annotations

import pickle
import time

import pytest
from conftest import code_of, load_vectors
from test_oauth import MockServer

from tokenward import (
    InvalidInputError,
    OAuthClient,
    StoredTokens,
    TokenSource,
    TokenSourceOptions,
    TokenStore,
)


def _input(case: dict) -> str:
    r = case.get("input_repeat")
    if r:
        return r["prefix"] + r["fill"] * r["count"] + r["suffix"]
    return case["json"]


def test_stored_tokens_vectors():
    v = load_vectors("stored_tokens.json")
    for case in v["valid"]:
        t = StoredTokens.from_json(case["json"])
        e = case["expect"]
        got = {
            "access_token": t.access_token.expose(),
            "token_type": t.token_type,
            "expires_at": t.expires_at,
            "refresh_token": t.refresh_token.expose() if t.refresh_token else None,
            "scopes": t.scopes,
            "id_token": t.id_token.expose() if t.id_token else None,
        }
        assert got == e, case["name"]
        assert StoredTokens.from_json(t.to_json()).to_json() == t.to_json()
        assert e["access_token"] not in repr(t) + str(t)
    for case in v["invalid"]:
        doc = _input(case)
        assert code_of(lambda doc=doc: StoredTokens.from_json(doc)) == case["code"], case["name"]


def test_stored_tokens_are_redacted_and_not_picklable():
    t = StoredTokens("AT-secret", "Bearer", 5, refresh_token="RT-secret", id_token="ID-secret")
    printed = repr(t) + str(t)
    assert "StoredTokens(" in printed
    for s in ("AT-secret", "RT-secret", "ID-secret"):
        assert s not in printed
    with pytest.raises(TypeError):
        pickle.dumps(t)
    assert code_of(lambda: StoredTokens("AT", "", 5)) == "invalid_input"
    assert code_of(lambda: StoredTokens("AT", "Bearer", -1)) == "invalid_input"


class Kept:
    """A store keeping the JSON form, as an application's would."""

    def __init__(self) -> None:
        self.json: str | None = None
        self.log: list[str] = []
        self.fail = False

    def save(self, tokens: StoredTokens) -> None:
        self.log.append("save")
        if self.fail:
            raise OSError("disk full")
        self.json = tokens.to_json()

    def load(self) -> StoredTokens | None:
        self.log.append("load")
        return StoredTokens.from_json(self.json) if self.json else None

    def clear(self) -> None:
        self.log.append("clear")
        self.json = None


@pytest.fixture
def mock():
    server = MockServer()
    yield server
    server.stop()


def _options() -> TokenSourceOptions:
    return TokenSourceOptions(background=False)


def test_kept_tokens_against_the_real_server(mock):
    client = OAuthClient.discover(mock.issuer, "py-client", "py-secret")
    store = Kept()
    assert isinstance(store, TokenStore)

    # Every rotation is saved, after the new token is in use, with the new refresh token.
    src = TokenSource.from_refresh_token(client, "initial-refresh", options=_options())
    src.keep_tokens(store)
    at = src.token()
    first = StoredTokens.from_json(store.json)
    assert first.access_token.expose() == at.expose()
    assert first.refresh_token is not None and first.refresh_token.expose() != "initial-refresh"
    src.force_refresh()
    second = StoredTokens.from_json(store.json)
    assert second.refresh_token.expose() != first.refresh_token.expose()
    assert store.log == ["save", "save"]
    src.close()

    # A fresh kept token: restore makes no request at all.
    mock.control("/__reset")
    restored = TokenSource.restore(client, store, options=_options())
    assert restored.token().expose() == second.access_token.expose()
    assert mock.count("token") == 0
    restored.close()

    # An expired kept token: the first token() refreshes with the kept refresh token.
    store.json = StoredTokens(
        second.access_token, "Bearer", int(time.time()) - 60, refresh_token=second.refresh_token
    ).to_json()
    restored = TokenSource.restore(client, store, options=_options())
    assert mock.count("token") == 0
    fresh = restored.token()
    assert fresh.expose() != second.access_token.expose()
    assert mock.count("token") == 1
    assert StoredTokens.from_json(store.json).access_token.expose() == fresh.expose()

    # A failing save is reported to on_error with code storage; token() still succeeds.
    errors: list[tuple[str, str]] = []
    restored.on_error(lambda code, message: errors.append((code, message)))
    store.fail = True
    assert restored.force_refresh().expose() != fresh.expose()
    assert [c for c, _ in errors] == ["storage"]
    assert "disk full" not in errors[0][1]  # the exception type only, never its message
    store.fail = False

    # invalid_grant clears the store: the dead refresh token is not restored.
    mock.control("/__next_error?error=invalid_grant")
    assert code_of(restored.force_refresh) == "invalid_grant"
    assert store.log[-1] == "clear" and store.json is None
    with pytest.raises(InvalidInputError) as err:
        TokenSource.restore(client, store)
    assert err.value.code == "invalid_input"
    assert fresh.expose() not in str(err.value) + repr(restored)


def test_a_store_without_the_methods_is_refused(mock):
    client = OAuthClient.discover(mock.issuer, "py-client", "py-secret")
    assert code_of(lambda: TokenSource.restore(client, object())) == "invalid_input"
