"""The verified-token cache (``JwtVerifier(cache_size=...)``): expiry on the verifier's clock,
key-set rotation through a remote JWKS, revocation at the Authenticator, the memory bound."""

from __future__ import annotations

import pytest
from conftest import code_of
from test_jwt_remote import (
    JwksServer,  # noqa: F401  (the server fixture's class)
    server,  # noqa: F401  (pytest fixture)
)

from tokenward import (
    Authenticator,
    JwtIssuer,
    JwtKey,
    JwtVerifier,
    KeySet,
    ManualClock,
    RemoteJwtVerifier,
    RemoteKeySet,
    RevocationList,
)

NOW = 1_900_000_000


@pytest.mark.parametrize("alg", ["ES256", "EdDSA", "RS256", "HS256"])
def test_a_cached_token_is_refused_after_exp_with_the_same_leeway(alg: str) -> None:
    clock = ManualClock(NOW)
    key = JwtKey.hmac("cache-python-secret-0123456789abcdef", alg) if alg == "HS256" else JwtKey.generate(alg)
    token = JwtIssuer(key, ttl=60, clock=clock).issue({"n": 1}, subject="u1")
    cached = JwtVerifier(key, algorithms=[alg], leeway=5, clock=clock, cache_size=8)
    uncached = JwtVerifier(key, algorithms=[alg], leeway=5, clock=clock)
    assert cached.verify(token) == uncached.verify(token)
    assert cached.verify(token)["n"] == 1
    assert (cached.cache_len(), uncached.cache_len()) == (1, 0)
    clock.advance(64)
    assert cached.verify(token)["sub"] == "u1"
    clock.advance(1)
    assert code_of(lambda: cached.verify(token)) == "expired"
    assert code_of(lambda: uncached.verify(token)) == "expired"
    assert cached.cache_len() == 0


def test_failures_are_never_cached() -> None:
    clock = ManualClock(NOW)
    key = JwtKey.generate("ES256")
    token = JwtIssuer(key, clock=clock).issue()
    verifier = JwtVerifier(key, algorithms=["ES256"], clock=clock, cache_size=8)
    tampered = token[:-10] + ("A" if token[-10] != "A" else "B") + token[-9:]
    for _ in range(2):
        assert code_of(lambda: verifier.verify(tampered)) == "invalid_signature"
    assert verifier.cache_len() == 0


def test_the_entry_count_never_exceeds_the_bound() -> None:
    clock = ManualClock(NOW)
    key = JwtKey.hmac("cache-python-secret-0123456789abcdef", "HS256")
    issuer = JwtIssuer(key, clock=clock)
    verifier = JwtVerifier(key, algorithms=["HS256"], clock=clock, cache_size=5)
    for i in range(50):
        token = issuer.issue({"n": i})
        assert verifier.verify(token)["n"] == i
        assert verifier.verify(token)["n"] == i
        assert verifier.cache_len() <= 5
    assert verifier.cache_len() == 5


def test_a_jwks_rotation_drops_cached_tokens(server) -> None:  # noqa: F811
    a = JwtKey.generate("ES256").with_kid("a")
    b = JwtKey.generate("ES256").with_kid("b")
    server.jwks = KeySet([a]).to_jwks()
    verifier = RemoteJwtVerifier(RemoteKeySet(server.url, cooldown=0), algorithms=["ES256"], cache_size=8)
    token_a = JwtIssuer(a).issue()
    verifier.verify(token_a)
    verifier.verify(token_a)
    # The JWKS rotates to b: a token of b refetches the set, which drops a's cached token.
    server.jwks = KeySet([b]).to_jwks()
    verifier.verify(JwtIssuer(b).issue())
    assert server.hits == 2
    assert code_of(lambda: verifier.verify(token_a)) == "key_not_found"


def test_revocation_and_scopes_run_for_a_cached_token_at_the_authenticator() -> None:
    clock = ManualClock(NOW)
    key = JwtKey.generate("EdDSA")
    token = JwtIssuer(key, clock=clock).issue({"jti": "tok-1", "scope": "read"}, subject="alice")
    verifier = JwtVerifier(key, algorithms=["EdDSA"], clock=clock, cache_size=16)
    revocations = RevocationList(clock=clock)
    auth = Authenticator(jwt=verifier, revocations=revocations, clock=clock)
    h = {"Authorization": f"Bearer {token}"}
    assert auth.authenticate("GET", "/", h, None, ["read"])
    assert verifier.cache_len() == 1
    assert auth.authenticate("GET", "/", h, None, ["write"]).code == "insufficient_scope"  # type: ignore[union-attr]
    revocations.revoke("jti", "tok-1", NOW + 600)
    r = auth.authenticate("GET", "/", h, None, ["read"])
    assert not r and (r.status, r.code) == (401, "revoked")  # type: ignore[union-attr]
    assert verifier.cache_len() == 1
    revocations.unrevoke("jti", "tok-1")
    assert auth.authenticate("GET", "/", h, None, ["read"])
    clock.advance(3600)
    assert auth.authenticate("GET", "/", h).code == "expired"  # type: ignore[union-attr]
