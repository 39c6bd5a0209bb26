"""JWT: shared attack vectors, round trips, and interop with PyJWT in both directions."""

from __future__ import annotations

import json
import time
from datetime import timedelta

import jwt as pyjwt
import pytest
from conftest import code_of, load_vectors
from cryptography.hazmat.primitives import serialization

import tokenward
from tokenward import JwtIssuer, JwtKey, JwtVerifier, KeySet

ALGS = ["HS256", "HS384", "HS512", "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "EdDSA"]
KEYS = load_vectors("jwt_keys.json")
ATTACKS = load_vectors("jwt_attacks.json")
VERIFY_SET = KeySet.from_jwks(KEYS["verification_jwks"])


def verifier_for(options: dict | None) -> JwtVerifier:
    o = dict(ATTACKS["defaults"], **(options or {}))
    return JwtVerifier(
        VERIFY_SET,
        algorithms=o["algorithms"],
        issuers=o.get("issuer"),
        audiences=o.get("audience"),
        leeway=o.get("leeway", 60),
        require_exp=o.get("require_exp", True),
        max_age=o.get("max_age"),
        required_claims=o.get("required_claims", []),
        typ=o.get("typ"),
        max_token_size=o.get("max_token_size", 16384),
    )


@pytest.mark.parametrize("case", ATTACKS["cases"], ids=lambda c: c["name"])
def test_attack_vectors(case):
    verifier = verifier_for(case.get("options"))
    got = code_of(lambda: verifier.verify(case["token"])) or "ok"
    assert got == case["expect"]


def test_errors_are_typed_and_never_echo_the_token():
    v = verifier_for(None)
    token = next(c["token"] for c in ATTACKS["cases"] if c["name"] == "tampered payload")
    with pytest.raises(tokenward.InvalidTokenError) as info:
        v.verify(token)
    assert info.value.code == "invalid_signature"
    assert token.split(".")[1] not in str(info.value) and token.split(".")[1] not in repr(info.value)


def key_pair(alg: str) -> tuple[JwtKey, JwtKey]:
    """A private tokenward key and the matching public one (through its JWK)."""
    private = JwtKey.generate(alg).with_kid("k-" + alg)
    if alg.startswith("HS"):
        return private, private
    return private, JwtKey.from_jwk(private.to_jwk())


@pytest.mark.parametrize("alg", ALGS)
def test_round_trip_every_algorithm(alg):
    private, public = key_pair(alg)
    issuer = JwtIssuer(private, issuer="https://iss", audience="api", ttl=60, algorithm=alg)
    token = issuer.issue({"role": "admin", "n": [1, 2.5, None, True]}, subject="u1")
    claims = JwtVerifier(KeySet([public]), algorithms=[alg], issuers="https://iss", audiences="api").verify(token)
    assert claims["sub"] == "u1" and claims["role"] == "admin" and claims["n"] == [1, 2.5, None, True]
    assert claims["exp"] - claims["iat"] == 60 and len(claims["jti"]) >= 16
    header, _ = tokenward.decode_unverified(token)
    assert header == {"alg": alg, "typ": "JWT", "kid": "k-" + alg}


def pem_private(key: JwtKey) -> str:
    return key.to_private_pem().expose()


@pytest.mark.parametrize("alg", ALGS)
def test_pyjwt_signs_tokenward_verifies(alg):
    private, public = key_pair(alg)
    if alg.startswith("HS"):
        secret = pyjwt.utils.base64url_decode(KEYS["private"][alg.lower()]["k"])
        private = public = JwtKey.hmac(secret, alg)
        signing_key = secret
    else:
        signing_key = serialization.load_pem_private_key(pem_private(private).encode(), None)
    now = int(time.time())
    token = pyjwt.encode({"sub": "u", "aud": "api", "exp": now + 60, "iat": now}, signing_key, algorithm=alg)
    claims = JwtVerifier(public, algorithms=[alg], audiences="api").verify(token)
    assert claims["sub"] == "u"


@pytest.mark.parametrize("alg", [a for a in ALGS if not a.startswith("HS")])
def test_tokenward_signs_pyjwt_verifies(alg):
    # HMAC keys are never exported; test_pyjwt_hmac_with_shared_secret covers HS*.
    private, public = key_pair(alg)
    token = JwtIssuer(private, audience="api", algorithm=alg).issue({"scope": "read"}, subject="u")
    verify_key = serialization.load_pem_public_key(private.to_public_pem().encode())
    claims = pyjwt.decode(token, verify_key, algorithms=[alg], audience="api")
    assert claims["sub"] == "u" and claims["scope"] == "read"


@pytest.mark.parametrize("alg", ["HS256", "HS384", "HS512"])
def test_pyjwt_hmac_with_shared_secret(alg):
    secret = pyjwt.utils.base64url_decode(KEYS["private"][alg.lower()]["k"])
    token = JwtIssuer(JwtKey.hmac(secret, alg)).issue({"x": 1})
    assert pyjwt.decode(token, secret, algorithms=[alg])["x"] == 1


def test_public_key_pem_and_jwk_import_from_cryptography():
    from cryptography.hazmat.primitives.asymmetric import ec, rsa

    for priv, alg in [(rsa.generate_private_key(65537, 2048), "RS256"), (ec.generate_private_key(ec.SECP256R1()), "ES256")]:
        pem = priv.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()
        key = JwtKey.from_pem(pem, alg)
        token = pyjwt.encode({"exp": int(time.time()) + 60}, priv, algorithm=alg)
        assert "exp" in JwtVerifier(key, algorithms=[alg]).verify(token)


@pytest.mark.parametrize(
    "jwk,why",
    [
        ({"kty": "oct", "alg": "HS256", "k": "c2hvcnQ"}, "HMAC secret shorter than the hash"),
        ({"kty": "oct", "alg": "HS256", "k": ""}, "empty secret"),
        ({"kty": "EC", "crv": "P-256", "x": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "y": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAE"}, "point not on curve"),
        ({"kty": "EC", "crv": "Ed25519", "x": "AAAA"}, "kty/crv mismatch"),
        (dict(KEYS["verification_jwks"]["keys"][5], alg="RS256"), "EC key with RSA alg"),
        (dict(KEYS["verification_jwks"]["keys"][3], alg="ES256"), "RSA key with EC alg"),
    ],
    ids=lambda x: x if isinstance(x, str) else "",
)
def test_invalid_keys_are_refused(jwk, why):
    assert code_of(lambda: JwtKey.from_jwk(jwk)) == "invalid_key", why


def test_small_rsa_keys_are_refused():
    from cryptography.hazmat.primitives.asymmetric import rsa

    small = rsa.generate_private_key(65537, 1024)
    pem = small.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    assert code_of(lambda: JwtKey.from_pem(pem)) == "invalid_key"


def test_printed_forms_hold_no_key_material():
    secret = b"k" * 32
    key = JwtKey.hmac(secret, "HS256")
    rsa_key = JwtKey.generate("RS256")
    for printed in (repr(key), repr(KeySet([key.with_kid("a")])), repr(JwtIssuer(key)), repr(rsa_key), str(rsa_key.to_private_pem())):
        assert "kkkk" not in printed and "PRIVATE" not in printed, printed


def test_jwks_export_round_trip():
    keys = [JwtKey.generate(a).with_kid(a) for a in ("RS256", "ES256", "ES384", "EdDSA")]
    jwks = KeySet(keys).to_jwks()
    assert [k["kid"] for k in jwks["keys"]] == ["RS256", "ES256", "ES384", "EdDSA"]
    assert all("d" not in k for k in jwks["keys"])
    again = KeySet.from_jwks(json.dumps(jwks))
    token = JwtIssuer(keys[1]).issue()
    assert JwtVerifier(again, algorithms=["ES256"]).verify(token)["exp"] > 0


def test_hs256_dict_matches_the_payload_json_for_every_json_type():
    """HMAC verifies build the dict during the verifier's own pass; it must equal json.loads."""
    key = JwtKey.hmac(b"k" * 32, "HS256")
    custom = {
        "nested": {"a": [1, -2, 3.5, {"b": None, "c": True, "d": False}], "e": {}},
        "empty": [],
        "unicode": "é ☃ 😀 \"quoted\" back\\slash \n tab\t",
        "big": 2**63 + 5,
        "negative": -(2**62),
        "float": 1.5e300,
        "tiny": -0.25e-3,
        # More custom names than the verifier keeps shared strings for.
        **{f"custom_{i}": f"value {i}" for i in range(40)},
    }
    token = JwtIssuer(key, issuer="https://idp", audience=["api", "other"]).issue(custom, subject="alice")
    verifier = JwtVerifier(key, algorithms=["HS256"], issuers="https://idp", audiences="api")
    expected = pyjwt.decode(token, options={"verify_signature": False})
    for _ in range(3):
        claims = verifier.verify(token)
        assert claims == expected
        assert list(claims) == list(expected), "members come back in the token's order"
        assert type(claims["big"]) is int and type(claims["float"]) is float


def test_success_audit_events_follow_logger_level_changes(caplog):
    """The logging sink answers "not wanted" from logging's own level cache; a level change
    must be seen by the very next verify."""
    import logging

    key = JwtKey.hmac(b"k" * 32, "HS256")
    token = JwtIssuer(key).issue(subject="alice")
    verifier = JwtVerifier(key, algorithms=["HS256"])
    logger = logging.getLogger("tokenward")
    with caplog.at_level(logging.WARNING, logger="tokenward"):
        verifier.verify(token)
        verifier.verify(token)
    assert not [r for r in caplog.records if r.name == "tokenward"]
    with caplog.at_level(logging.INFO, logger="tokenward"):
        assert logger.isEnabledFor(logging.INFO)
        verifier.verify(token)
    records = [r for r in caplog.records if r.name == "tokenward"]
    assert [r.tokenward_audit["subject"] for r in records] == ["alice"]  # type: ignore[attr-defined]
    assert all(token not in r.getMessage() for r in records)


def test_dicts_stay_exact_when_the_claim_shape_changes_between_tokens():
    """A verifier starts each dict from the last payload's member names; tokens whose names
    differ (fewer, more, reordered, nested) must still give exactly their own members."""
    key = JwtKey.hmac(b"k" * 32, "HS256")
    issuer = JwtIssuer(key, issuer="https://idp")
    verifier = JwtVerifier(key, algorithms=["HS256"], issuers="https://idp")
    shapes = [
        {"scope": "a", "tenant": "t"},
        {"scope": "a", "tenant": "t"},
        {"scope": "a"},
        {"tenant": "t", "scope": "a"},
        {"scope": "a", "tenant": "t", "extra": {"nested": {"deep": [1, 2]}}},
        {},
        {"scope": "a", "tenant": "t"},
        {"scope": None, "tenant": ["x"], "n": 1.5},
    ]
    for _ in range(2):
        for custom in shapes:
            token = issuer.issue(custom, subject="alice")
            expected = pyjwt.decode(token, options={"verify_signature": False})
            claims = verifier.verify(token)
            assert claims == expected
            assert list(claims) == list(expected)
    # A refused token after a shape change leaves the next verify intact.
    bad = issuer.issue({"exp": 1}, subject="alice")
    assert code_of(lambda: verifier.verify(bad)) == "expired"
    token = issuer.issue(shapes[0], subject="alice")
    assert verifier.verify(token) == pyjwt.decode(token, options={"verify_signature": False})


def test_durations_are_timedelta_or_seconds():
    key = JwtKey.hmac(b"k" * 32, "HS256")
    claims = JwtVerifier(key, algorithms=["HS256"]).verify(JwtIssuer(key, ttl=timedelta(minutes=2)).issue())
    assert claims["exp"] - claims["iat"] == 120
    claims = JwtVerifier(key, algorithms=["HS256"]).verify(JwtIssuer(key).issue(ttl=timedelta(seconds=30)))
    assert claims["exp"] - claims["iat"] == 30
    # The issuer's default lifetime is the core's (15 min).
    claims = JwtVerifier(key, algorithms=["HS256"]).verify(JwtIssuer(key).issue())
    assert claims["exp"] - claims["iat"] == 900
    # leeway as a timedelta: a token 30 s past its exp passes with 60 s, not with 10 s.
    clock = tokenward.ManualClock(1_000_000)
    token = JwtIssuer(key, ttl=10, clock=clock).issue()
    clock.advance(timedelta(seconds=40))
    assert JwtVerifier(key, algorithms=["HS256"], leeway=timedelta(seconds=60), clock=clock).verify(token)
    with pytest.raises(tokenward.InvalidTokenError) as e:
        JwtVerifier(key, algorithms=["HS256"], leeway=timedelta(seconds=10), clock=clock).verify(token)
    assert e.value.code == "expired"


def test_key_set_vocabulary():
    a, b = JwtKey.generate("ES256").with_kid("a"), JwtKey.generate("EdDSA").with_kid("b")
    keys = KeySet([a])
    keys.insert(b)
    assert len(keys) == 2 and keys.kids == ["a", "b"]
    assert code_of(lambda: keys.insert(a)) == "invalid_key"
    # A key read without an algorithm (here PEM) is pinned to one; a generated key already is.
    pinned = JwtKey.from_pem(JwtKey.generate("RS256").to_public_pem()).with_algorithm("PS256")
    assert pinned.algorithm == "PS256"
    assert code_of(lambda: JwtKey.generate("ES256").with_algorithm("none")) == "algorithm_not_allowed"


def test_remote_keys_go_to_remote_jwt_verifier_only():
    remote = tokenward.RemoteKeySet("http://127.0.0.1:9/jwks.json", ttl=timedelta(minutes=5))
    with pytest.raises(tokenward.InvalidInputTypeError):
        JwtVerifier(remote, algorithms=["ES256"])  # type: ignore[arg-type]
    verifier = tokenward.RemoteJwtVerifier(remote, algorithms=["ES256"], issuers="https://idp")
    assert "127.0.0.1:9" in repr(verifier)
    with pytest.raises(TypeError):
        tokenward.RemoteJwtVerifier(remote)  # type: ignore[call-arg]
