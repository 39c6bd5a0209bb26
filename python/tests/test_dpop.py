"""DPoP (RFC 9449): the shared vectors tests/vectors/dpop.json, keys and proofs, the gateway
with `Authorization: DPoP`, and interop with PyJWT + cryptography in both directions."""

from __future__ import annotations

import base64
import hashlib
import json
import uuid

import jwt as pyjwt
import pytest
from conftest import code_of, load_vectors
from cryptography.hazmat.primitives.asymmetric import ec

from tokenward import (
    Authenticator,
    DpopKey,
    DpopVerifier,
    InvalidInputError,
    JwtIssuer,
    JwtKey,
    JwtVerifier,
    ManualClock,
)

URL = "https://api.example/orders"


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def test_vectors() -> None:
    v = load_vectors("dpop.json")
    conf = v["verifier"]
    assert len(v["cases"]) >= 40
    for case in v["cases"]:
        verifier = DpopVerifier(
            algorithms=conf["algorithms"],
            max_age=conf["max_age"],
            leeway=conf["leeway"],
            clock=ManualClock(v["now"]),
        )

        def run(verifier: DpopVerifier = verifier, case: dict = case) -> object:
            return verifier.verify(
                case["proof"],
                case["method"],
                case["url"],
                access_token=case.get("access_token"),
                jkt=case.get("jkt"),
            )

        assert (code_of(run) or "ok") == case["expect"], case["name"]
        if "expect_again" in case:
            assert (code_of(run) or "ok") == case["expect_again"], case["name"]


def test_vector_keys_import_with_their_thumbprints() -> None:
    for k in load_vectors("dpop.json")["keys"]:
        key = DpopKey.from_private_key(k["private_key"])
        assert key.thumbprint == k["jkt"]
        assert key.algorithm == k["algorithm"]
        assert key.public_jwk() == k["jwk"]


@pytest.mark.parametrize("alg", ["ES256", "EdDSA"])
def test_keys_round_trip_and_never_print_the_private_key(alg: str) -> None:
    key = DpopKey.generate(alg)
    pem = key.export_private_key()
    body = "".join(line for line in pem.expose().splitlines() if not line.startswith("-----"))
    back = DpopKey.from_private_key(pem)
    assert back.thumbprint == key.thumbprint
    printed = f"{key!r} {key} {pem!r} {pem} {key.public_jwk()}"
    assert key.thumbprint in printed
    for i in range(0, len(body) - 12, 6):
        assert body[i : i + 12] not in printed
    with pytest.raises(Exception) as err:
        DpopKey.from_private_key(pem.expose().replace("A", "*"))
    assert body[10:22] not in str(err.value) and body[10:22] not in repr(err.value)


def test_bad_arguments_are_invalid_input() -> None:
    assert code_of(lambda: DpopKey.generate("RS256")) == "invalid_input"
    key = DpopKey.generate()
    assert code_of(lambda: key.proof("GET", "/relative")) == "invalid_input"
    with pytest.raises(InvalidInputError):
        DpopVerifier(algorithms=["HS256"])


def test_proofs_verify_once_and_follow_the_clock() -> None:
    clock = ManualClock(1_700_000_000)
    verifier = DpopVerifier(clock=clock)
    key = DpopKey.generate()
    proof = key.proof("POST", URL + "?x=1", access_token="at", clock=clock)
    got = verifier.verify(proof, "POST", URL, access_token="at", jkt=key.thumbprint)
    assert got["jkt"] == key.thumbprint and got["iat"] == 1_700_000_000
    assert code_of(lambda: verifier.verify(proof, "POST", URL, access_token="at")) == "invalid_dpop_proof"
    later = key.proof("POST", URL, clock=clock)
    clock.advance(66)
    assert code_of(lambda: verifier.verify(later, "POST", URL)) == "invalid_dpop_proof"
    assert verifier.replay_cache_len == 1


def test_nonce_challenge() -> None:
    clock = ManualClock(1_700_000_000)
    verifier = DpopVerifier(nonce_lifetime=60, clock=clock)
    key = DpopKey.generate("EdDSA")
    assert (
        code_of(lambda: verifier.verify(key.proof("GET", URL, clock=clock), "GET", URL)) == "use_dpop_nonce"
    )
    nonce = verifier.nonce()
    assert nonce
    verifier.verify(key.proof("GET", URL, nonce=nonce, clock=clock), "GET", URL)


def test_gateway_accepts_bound_tokens_with_proofs_and_refuses_them_as_bearer() -> None:
    clock = ManualClock(1_700_000_000)
    hmac = JwtKey.hmac(b"gateway-dpop-python-secret-0123456789abcdef", "HS256")
    issuer = JwtIssuer(hmac)
    auth = Authenticator(
        jwt=JwtVerifier(hmac, algorithms=["HS256"]),
        dpop=DpopVerifier(nonce_lifetime=300, clock=clock),
        clock=clock,
    )
    key = DpopKey.generate()
    token = issuer.issue({"sub": "u1", "cnf": {"jkt": key.thumbprint}})
    assert {"dpop", "host", "authorization"} <= set(auth.header_names)
    headers = {"Authorization": f"DPoP {token}", "Host": "api.example"}
    first = auth.authenticate(
        "GET", "/orders", {**headers, "DPoP": key.proof("GET", URL, access_token=token, clock=clock)}
    )
    assert not first and first.code == "use_dpop_nonce"
    assert first.headers()["DPoP-Nonce"] == first.dpop_nonce == auth.dpop_nonce()
    assert first.www_authenticate.startswith('DPoP realm="api", error="use_dpop_nonce"')
    proof = key.proof("GET", URL, access_token=token, nonce=first.dpop_nonce, clock=clock)
    ok = auth.authenticate("GET", "/orders", {**headers, "DPoP": proof})
    assert ok and ok.subject == "u1"
    bearer = auth.authenticate("GET", "/orders", {"Authorization": f"Bearer {token}", "Host": "api.example"})
    assert not bearer and bearer.code == "invalid_dpop_proof" and bearer.error == "invalid_dpop_proof"


# --- interop with PyJWT + cryptography ------------------------------------------------------


def test_a_pyjwt_proof_is_verified_by_tokenward() -> None:
    private = ec.generate_private_key(ec.SECP256R1())
    numbers = private.public_key().public_numbers()
    jwk = {
        "kty": "EC",
        "crv": "P-256",
        "x": b64(numbers.x.to_bytes(32, "big")),
        "y": b64(numbers.y.to_bytes(32, "big")),
    }
    access_token = "interop-access-token"
    proof = pyjwt.encode(
        {
            "jti": str(uuid.uuid4()),
            "htm": "GET",
            "htu": URL,
            "iat": 1_700_000_000,
            "ath": b64(hashlib.sha256(access_token.encode()).digest()),
        },
        private,
        algorithm="ES256",
        headers={"typ": "dpop+jwt", "jwk": jwk},
    )
    canonical = json.dumps({k: jwk[k] for k in ("crv", "kty", "x", "y")}, separators=(",", ":"))
    jkt = b64(hashlib.sha256(canonical.encode()).digest())
    verifier = DpopVerifier(clock=ManualClock(1_700_000_030))
    got = verifier.verify(proof, "GET", URL + "?page=1", access_token=access_token, jkt=jkt)
    assert got["jkt"] == jkt
    # The same proof with a tampered claim is refused.
    forged = pyjwt.encode(
        {"htm": "POST"}, private, algorithm="ES256", headers={"typ": "dpop+jwt", "jwk": jwk}
    )
    assert code_of(lambda: verifier.verify(forged, "GET", URL)) == "invalid_dpop_proof"


@pytest.mark.parametrize("alg", ["ES256", "EdDSA"])
def test_a_tokenward_proof_is_verified_by_pyjwt(alg: str) -> None:
    key = DpopKey.generate(alg)
    proof = key.proof(
        "PUT", URL + "?q=1#f", access_token="at-1", nonce="n-1", clock=ManualClock(1_700_000_000)
    )
    header = pyjwt.get_unverified_header(proof)
    assert header["typ"] == "dpop+jwt" and header["alg"] == alg and "d" not in header["jwk"]
    public = pyjwt.PyJWK(header["jwk"], algorithm=alg)
    claims = pyjwt.decode(proof, public.key, algorithms=[alg], options={"require": ["jti", "iat"]})
    assert claims["htm"] == "PUT" and claims["htu"] == URL and claims["nonce"] == "n-1"
    assert claims["ath"] == b64(hashlib.sha256(b"at-1").digest())
    assert len(base64.urlsafe_b64decode(claims["jti"] + "==")) >= 16
    assert claims["iat"] == 1_700_000_000
    # The RFC 7638 thumbprint of the header's key, computed independently.
    canonical = json.dumps({k: v for k, v in sorted(header["jwk"].items())}, separators=(",", ":"))
    assert b64(hashlib.sha256(canonical.encode()).digest()) == key.thumbprint
