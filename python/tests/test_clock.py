"""ManualClock speaks Python's instant type: aware datetimes in, aware UTC datetimes out."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from tokenward import InvalidInputError, JwtIssuer, JwtKey, JwtVerifier, ManualClock, TokenwardError

START = datetime(2030, 1, 2, 3, 4, 5, tzinfo=timezone.utc)


def test_now_is_the_aware_datetime_it_was_given():
    clock = ManualClock(START)
    now = clock.now()
    assert now == START
    assert now.utcoffset() == timedelta(0)


def test_other_time_zones_name_the_same_instant():
    paris = timezone(timedelta(hours=1))
    assert ManualClock(START.astimezone(paris)).now() == START


def test_unix_seconds_are_still_accepted_as_input():
    assert ManualClock(START.timestamp()).now() == START


def test_advance_and_set():
    clock = ManualClock(START)
    clock.advance(timedelta(minutes=5))
    assert clock.now() == START + timedelta(minutes=5)
    clock.set(START + timedelta(days=1))
    assert clock.now() == START + timedelta(days=1)


def test_a_naive_datetime_is_refused():
    with pytest.raises(InvalidInputError, match="aware datetime"):
        ManualClock(datetime(2030, 1, 2))
    clock = ManualClock(START)
    with pytest.raises(InvalidInputError, match="aware datetime"):
        clock.set(datetime(2030, 1, 2))
    assert clock.now() == START


def test_repr_shows_the_instant():
    assert "2030" in repr(ManualClock(START))


def test_verifiers_use_it_for_expiry():
    clock = ManualClock(START)
    key = JwtKey.hmac(b"k" * 32, "HS256")
    token = JwtIssuer(key, issuer="me", clock=clock).issue(ttl=timedelta(minutes=1))
    verifier = JwtVerifier(key, algorithms=["HS256"], issuers="me", leeway=0, clock=clock)
    verifier.verify(token)
    clock.advance(timedelta(minutes=10))
    with pytest.raises(TokenwardError) as err:
        verifier.verify(token)
    assert err.value.code == "expired"
