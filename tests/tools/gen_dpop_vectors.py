"""Generates tests/vectors/dpop.json: DPoP proof (RFC 9449) verification vectors.

Run: python3 tests/tools/gen_dpop_vectors.py  (needs `cryptography`). The keys are the fixed
test keys of tests/vectors/jwt_keys.json (generated for this repository, test fixtures only; see
gen_jwt_vectors.py); the proofs are built by hand, not with tokenward. Every case is verified at
the fixed time `now` (a ManualClock in every language) by a fresh verifier with the options of
`verifier`; `expect_again`, when present, is the answer to the same proof a second time.
"""
from __future__ import annotations

import base64, hashlib, json, sys
from pathlib import Path

from cryptography.hazmat.primitives import serialization

sys.path.insert(0, str(Path(__file__).resolve().parent))
from gen_jwt_vectors import OUT, b64, compact, load_private, public  # noqa: E402

NOW = 1_700_000_000
URL = "https://api.example/orders"
ACCESS_TOKEN = "Kz~8qA.dpop-bound-access-token_0123456789"
BAD = "invalid_dpop_proof"


def jkt(jwk) -> str:
    names = {"EC": ("crv", "kty", "x", "y"), "OKP": ("crv", "kty", "x"), "RSA": ("e", "kty", "n")}[jwk["kty"]]
    canon = json.dumps({n: jwk[n] for n in names}, separators=(",", ":"), sort_keys=True)
    return b64(hashlib.sha256(canon.encode()).digest())


def ath(token: str) -> str:
    return b64(hashlib.sha256(token.encode()).digest())


def bare(jwk):
    """The public JWK as a DPoP header carries it (no kid, alg or use)."""
    return {k: v for k, v in public(jwk).items() if k in ("kty", "crv", "x", "y", "n", "e")}


def other_p256():
    """A second P-256 public key, fixed: the point of the scalar 2^200 + 7."""
    from cryptography.hazmat.primitives.asymmetric import ec as curves
    pub = curves.derive_private_key(2**200 + 7, curves.SECP256R1()).public_key().public_numbers()
    return {"kty": "EC", "crv": "P-256", "x": b64(pub.x.to_bytes(32, "big")), "y": b64(pub.y.to_bytes(32, "big"))}


def main() -> None:
    keys = json.loads((OUT / "jwt_keys.json").read_text())["private"]
    ec, ed, ec384, rsa = keys["ec256"], keys["ed"], keys["ec384"], keys["rsa"]
    cases = []
    counter = iter(range(1, 1000))

    def proof(alg="ES256", key=None, header=None, claims=None, drop=(), hdrop=(), **extra):
        key = key or (ed if alg == "EdDSA" else ec)
        h = {"typ": "dpop+jwt", "alg": alg, "jwk": bare(key)}
        h.update(header or {})
        for name in hdrop:
            h.pop(name, None)
        c = {"jti": f"jti-{next(counter):04d}-Zm9vYmFy", "htm": "GET", "htu": URL, "iat": NOW}
        c.update(claims or {})
        c.update(extra)
        for name in drop:
            c.pop(name, None)
        return compact(h, c, alg, key)

    def case(name, token, expect, method="GET", url=URL, access_token=None, bound=None, again=None):
        entry = {"name": name, "proof": token, "method": method, "url": url, "expect": expect}
        if access_token is not None:
            entry["access_token"] = access_token
        if bound is not None:
            entry["jkt"] = bound
        if again is not None:
            entry["expect_again"] = again
        cases.append(entry)

    case("valid ES256", proof(), "ok")
    case("valid EdDSA", proof("EdDSA"), "ok")
    case("valid with ath and cnf.jkt", proof(ath=ath(ACCESS_TOKEN)), "ok", access_token=ACCESS_TOKEN, bound=jkt(ec))
    case("the request's query and fragment are ignored", proof(), "ok", url=URL + "?page=2#top")
    case("htu normalised: case, default port, dot segments", proof(htu="HTTPS://API.Example:443/x/../orders"), "ok")
    case("the proof's own query is ignored", proof(htu=URL + "?a=b"), "ok")
    case("a replayed proof", proof(), "ok", again=BAD)
    case("iat at the end of the window (max_age + leeway)", proof(iat=NOW - 65), "ok")
    case("iat one second too old", proof(iat=NOW - 66), BAD)
    case("iat at the leeway in the future", proof(iat=NOW + 5), "ok")
    case("iat beyond the leeway in the future", proof(iat=NOW + 6), BAD)
    case("iat as a string", proof(iat=str(NOW)), BAD)
    case("another method", proof(htm="POST"), BAD)
    case("the method's case differs", proof(htm="get"), BAD)
    case("another path", proof(htu="https://api.example/orders/1"), BAD)
    case("a trailing slash", proof(htu=URL + "/"), BAD)
    case("http instead of https", proof(htu="http://api.example/orders"), BAD)
    case("another host", proof(htu="https://evil.example/orders"), BAD)
    case("another port", proof(htu="https://api.example:8443/orders"), BAD)
    case("htu not a URL", proof(htu="/orders"), BAD)
    for claim in ("jti", "htm", "htu", "iat"):
        case(f"no {claim}", proof(drop=(claim,)), BAD)
    case("empty jti", proof(jti=""), BAD)
    case("ath missing for a resource request", proof(), BAD, access_token=ACCESS_TOKEN)
    case("ath of another token", proof(ath=ath("another-token")), BAD, access_token=ACCESS_TOKEN)
    case("key other than the token's cnf.jkt", proof(), BAD, bound=jkt(ed))
    case("typ JWT", proof(header={"typ": "JWT"}), BAD)
    case("no typ", proof(hdrop=("typ",)), BAD)
    case("no jwk", proof(hdrop=("jwk",)), BAD)
    case("a private key in the jwk header", proof(header={"jwk": {**bare(ec), "d": ec["d"]}}), BAD)
    case("signed by another key than the jwk", proof(key=ec, header={"jwk": other_p256()}), BAD)
    case("jwk of another type than alg", proof(header={"jwk": bare(ed)}), BAD)
    case("RS256 is not in the allowlist", proof("RS256", key=rsa), BAD)
    case("ES384 is not in the allowlist", proof("ES384", key=ec384), BAD)
    case("alg none", compact({"typ": "dpop+jwt", "alg": "none", "jwk": bare(ec)},
                             {"jti": "jti-none", "htm": "GET", "htu": URL, "iat": NOW}, sig=b""), BAD)
    hs = keys["hs256"]
    case("HS256 with an oct jwk", compact({"typ": "dpop+jwt", "alg": "HS256", "jwk": {"kty": "oct", "k": hs["k"]}},
                                          {"jti": "jti-hs", "htm": "GET", "htu": URL, "iat": NOW}, "HS256", hs), BAD)
    case("a critical extension", proof(header={"crit": ["exp"], "exp": 1}), BAD)
    case("an ES256 signature in DER", compact({"typ": "dpop+jwt", "alg": "ES256", "jwk": bare(ec)},
                                              {"jti": "jti-der", "htm": "GET", "htu": URL, "iat": NOW}, "ES256", ec,
                                              der_ecdsa=True), BAD)
    tampered = proof().split(".")
    tampered[1] = b64(json.dumps({"jti": "jti-t", "htm": "GET", "htu": URL, "iat": NOW}, separators=(",", ":")).encode())
    case("a payload changed after signing", ".".join(tampered), BAD)
    case("not a JWS", "not-a-proof", BAD)
    case("two segments", ".".join(proof().split(".")[:2]), BAD)

    def pem(jwk) -> str:
        return load_private(jwk).private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                               serialization.NoEncryption()).decode()

    doc = {
        "description": __doc__.strip().splitlines()[0] + " Cases: method, url (the request as the server "
        "sees it), optional access_token (ath checked) and jkt (the token's cnf.jkt); expect is ok or an error code.",
        "now": NOW,
        "verifier": {"algorithms": ["ES256", "EdDSA"], "max_age": 60, "leeway": 5},
        "keys": [
            {"name": "ec256", "algorithm": "ES256", "private_key": pem(ec), "jwk": bare(ec), "jkt": jkt(ec)},
            {"name": "ed", "algorithm": "EdDSA", "private_key": pem(ed), "jwk": bare(ed), "jkt": jkt(ed)},
        ],
        "cases": cases,
    }
    (OUT / "dpop.json").write_text(json.dumps(doc, indent=2) + "\n")
    print(f"{len(cases)} cases")


if __name__ == "__main__":
    main()
