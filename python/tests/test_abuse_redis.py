"""Abuse counters on the shared Redis from Python (docs/abuse.md): two Authenticators on one
Redis share a lockout. The servers come
from scripts/servers.sh (TOKENWARD_TEST_REDIS_URL, TOKENWARD_TEST_POSTGRES_URL); under CI a
missing server is a failure, elsewhere the tests skip."""

from __future__ import annotations

import os
import uuid

import pytest

from tokenward import (
    AbuseDetection,
    ApiKeys,
    Authenticator,
    Lockout,
    Principal,
    Threshold,
)


def _url(name: str) -> str:
    url = os.environ.get(name, "")
    if not url:
        if os.environ.get("CI"):
            pytest.fail(f"{name} is not set: run the tests through scripts/servers.sh")
        pytest.skip(f"{name} is not set (scripts/servers.sh)")
    return url


def test_two_authenticators_on_one_redis_share_the_lockout() -> None:
    redis = _url("TOKENWARD_TEST_REDIS_URL")
    keys = ApiKeys("tw_ab")
    good = keys.create("acct").secret.expose()

    def instance() -> Authenticator:
        abuse = AbuseDetection(lockout=Lockout(Threshold(3, 60), 30), store=redis, store_fail_open=False)
        return Authenticator(api_keys=keys, abuse_detection=abuse)

    a, b = instance(), instance()
    # An address no earlier run used (the counters outlive a run in the shared Redis).
    n = uuid.uuid4().int
    ip = f"2001:db8:{n >> 112 & 0xFFFF:x}:{n >> 96 & 0xFFFF:x}:{n >> 80 & 0xFFFF:x}::1"
    for i, auth in enumerate([a, a, b]):
        r = auth.authenticate("GET", "/", [("x-api-key", f"bad-{i}-{n}")], ip)
        assert not isinstance(r, Principal) and r.status == 401
    # The third failure (on b) locked the address on a too; another address passes.
    r = a.authenticate("GET", "/", [("x-api-key", good)], ip)
    assert not isinstance(r, Principal)
    assert (r.status, r.code) == (429, "rate_limited")
    assert r.retry_after is not None and 29 <= r.retry_after.total_seconds() <= 30
    assert isinstance(b.authenticate("GET", "/", [("x-api-key", good)], "192.0.2.77"), Principal)
