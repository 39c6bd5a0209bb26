"""TokenSourceOptions and TokenSource.from_token_response against the real mock server
(oauth2-mock-server, started as in test_oauth.py)."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from test_oauth import MockServer

from tokenward import InvalidInputError, OAuthClient, TokenSource, TokenSourceOptions


@pytest.fixture
def mock():
    server = MockServer()
    yield server
    server.stop()


@pytest.fixture
def client(mock):
    return OAuthClient.discover(mock.issuer, "py-client", "py-secret")


def test_refresh_options_defaults_and_validation() -> None:
    o = TokenSourceOptions()
    # The core's defaults, as timedelta.
    td = dt.timedelta
    assert (o.refresh_ahead, o.refresh_ahead_fraction, o.jitter) == (td(minutes=5), 0.5, 0.1)
    assert (o.expiry_margin, o.default_lifetime) == (td(seconds=5), td(hours=1))
    assert (o.backoff_initial, o.backoff_max, o.background) == (td(seconds=1), td(seconds=60), True)
    o = TokenSourceOptions(
        refresh_ahead=dt.timedelta(minutes=2),
        jitter=0,
        backoff_initial=0.25,
        backoff_max=dt.timedelta(seconds=10),
        background=False,
    )
    assert (o.refresh_ahead, o.jitter, o.backoff_initial, o.backoff_max, o.background) == (
        td(seconds=120),
        0.0,
        td(milliseconds=250),
        td(seconds=10),
        False,
    )
    assert all(isinstance(d, dt.timedelta) for d in (o.refresh_ahead, o.expiry_margin, o.default_lifetime))
    assert "refresh_ahead=datetime.timedelta(seconds=120" in repr(o)
    with pytest.raises(ValueError):
        TokenSourceOptions(jitter=1.5)
    with pytest.raises(ValueError):
        TokenSourceOptions(refresh_ahead_fraction=-0.1)
    with pytest.raises(ValueError):
        TokenSourceOptions(backoff_initial=10, backoff_max=1)
    with pytest.raises(ValueError):
        TokenSourceOptions(default_lifetime=0)
    with pytest.raises(InvalidInputError):
        TokenSourceOptions(expiry_margin=-1)


def test_options_accepted_by_constructors(mock, client) -> None:
    opts = TokenSourceOptions(background=False)
    with TokenSource.client_credentials(client, ["read"], options=opts) as src:
        assert src.token().scopes == ["read"]
        assert src.request_count == 1
    with TokenSource.from_refresh_token(client, "rt-0", options=opts) as src:
        assert src.token().expose()
    # One way to say it: the options carry `background`, there is no separate argument.
    with pytest.raises(TypeError):
        TokenSource.client_credentials(client, ["read"], options=opts, background=True)  # type: ignore[call-arg]


def test_from_token_response_serves_the_seed_without_a_request(mock, client) -> None:
    seed = client.client_credentials(["read"])
    before = mock.count("token")
    with TokenSource.from_token_response(
        client, seed, ["read"], fallback="client_credentials", options=TokenSourceOptions(background=False)
    ) as src:
        tok = src.token()
        assert tok.fingerprint == seed.access_token.fingerprint
        assert mock.count("token") == before and src.request_count == 0
        # A forced refresh uses the fallback grant (the seed has no refresh token).
        assert src.force_refresh().expose()
        assert mock.count("token") == before + 1 and src.request_count == 1
    # Refused by the binding: InvalidInputError (code invalid_input), still a ValueError.
    for refused in (
        lambda: TokenSource.from_token_response(client, seed),
        lambda: TokenSource.from_token_response(client, seed, fallback="password"),  # type: ignore[arg-type]
    ):
        with pytest.raises(ValueError) as info:
            refused()
        assert type(info.value) is InvalidInputError and info.value.code == "invalid_input"


def test_from_token_response_refreshes_with_its_refresh_token(mock, client) -> None:
    seed = client.refresh("rt-initial")
    assert seed.refresh_token is not None
    rotated: list[str] = []
    # The refresh token wins even when a fallback is given.
    with TokenSource.from_token_response(
        client, seed, fallback="client_credentials", options=TokenSourceOptions(background=False)
    ) as src:
        src.on_refresh(lambda r: rotated.append(r.refresh_token.fingerprint))
        assert src.token().fingerprint == seed.access_token.fingerprint
        before = mock.count("token")
        src.force_refresh()
        assert rotated and rotated[0] != seed.refresh_token.fingerprint
        # A refresh-token grant rotated the refresh token; a client-credentials one would not.
        assert mock.count("token") == before + 1 and src.last_error_code is None


def test_refresh_ahead_knob_drives_the_background_refresh(mock, client) -> None:
    seed = client.client_credentials(["read"])
    before = mock.count("token")
    # A refresh-ahead window as long as the lifetime: the background task refreshes at once.
    opts = TokenSourceOptions(refresh_ahead=7200, refresh_ahead_fraction=1.0, jitter=0)
    with TokenSource.from_token_response(client, seed, ["read"], fallback="client_credentials", options=opts) as src:
        deadline = time.monotonic() + 20
        while mock.count("token") == before and time.monotonic() < deadline:
            time.sleep(0.05)
        assert mock.count("token") > before
        while src.request_count == 0 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert src.request_count >= 1 and src.token().expose()
