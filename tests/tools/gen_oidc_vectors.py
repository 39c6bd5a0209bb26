"""Generates tests/vectors/oidc.json: OpenID Connect ID-token verification vectors.

Run: python3 tests/tools/gen_oidc_vectors.py  (needs `cryptography`). The signing keys are the
fixed test keys of tests/vectors/jwt_keys.json (generated for this repository, test fixtures
only, no third-party material; see gen_jwt_vectors.py); the tokens are built by hand, not with
tokenward. Times are fixed dates far in the past or future, so the vectors hold with the real
clock in every language (until 2069 for the max_age case that passes).
"""
from __future__ import annotations

import base64, hashlib, json, sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from gen_jwt_vectors import FAR, FUTURE, OUT, PAST, b64, compact, public  # noqa: E402

ISS, CLIENT = "https://id.example", "app-1"
NONCE = "n-0S6_WzA2Mj"
ACCESS_TOKEN = "jHkWEdUXMU1BwAsC4vtUsZwnNvTIxEl0z9K3vx5KF0Y"
CODE = "Qcb0Orv1zh30vL1MPRsbm-diHiMwcLyZvn1arpZv-Jxf_11jnpEX3Tgfvk"
MAX_AGE_LONG = 2**31  # seconds: auth_time in 2001 stays within it until 2069


def half_hash(alg: str, value: str) -> str:
    h = {"256": hashlib.sha256, "384": hashlib.sha384, "512": hashlib.sha512}[
        "512" if alg == "EdDSA" else alg[2:]](value.encode()).digest()
    return b64(h[: len(h) // 2])


def main() -> None:
    keys = json.loads((OUT / "jwt_keys.json").read_text())["private"]
    names = {"RS256": "rsa", "PS256": "rsa_ps", "ES256": "ec256", "ES384": "ec384", "EdDSA": "ed"}
    jwks = {"keys": [public(keys[n]) for n in ("rsa", "rsa_ps", "ec256", "ec384", "ed")]}
    good = {"iss": ISS, "aud": CLIENT, "sub": "user-1", "iat": PAST, "exp": FAR, "nonce": NONCE}
    cases = []

    def tok(alg="RS256", claims=None, drop=(), keyname=None, kid=None, **extra):
        c = dict(good if claims is None else claims)
        c.update(extra)
        for name in drop:
            c.pop(name, None)
        k = keys[keyname or names[alg]]
        return compact({"alg": alg, "typ": "JWT", "kid": kid or k["kid"]}, c, alg, k)

    def case(name, token, expect, checks=None, **options):
        entry = {"name": name, "token": token, "expect": expect}
        if checks:
            entry["checks"] = checks
        if options:
            entry["options"] = options
        cases.append(entry)

    nonce = {"nonce": NONCE}
    for alg in ("RS256", "PS256", "ES256", "ES384", "EdDSA"):
        case(f"valid {alg} with the login's nonce", tok(alg), "ok", nonce)
    case("no checks asked: the nonce is not compared", tok(), "ok")
    case("another nonce", tok(), "invalid_nonce", {"nonce": "n-other"})
    case("nonce expected but absent", tok(drop=("nonce",)), "invalid_nonce", nonce)
    case("nonce of another type", tok(nonce=12), "invalid_nonce", nonce)
    case("ID token for another audience", tok(aud="app-2"), "invalid_audience", nonce)
    case("several audiences without azp", tok(aud=[CLIENT, "app-2"]), "invalid_audience", nonce)
    case("several audiences, azp is the client", tok(aud=[CLIENT, "app-2"], azp=CLIENT), "ok", nonce)
    case("azp is another client", tok(aud=[CLIENT, "app-2"], azp="app-2"), "invalid_audience", nonce)
    case("another client's verifier", tok(), "invalid_audience", nonce, client_id="app-2")
    case("expired ID token", tok(exp=PAST + 3600), "expired", nonce)
    case("issued in the future", tok(iat=FUTURE), "not_yet_valid", nonce)
    case("another issuer", tok(iss="https://evil.example"), "invalid_issuer", nonce)
    case("no sub", tok(drop=("sub",)), "missing_claim", nonce)
    case("no iat", tok(drop=("iat",)), "missing_claim", nonce)
    case("no exp", tok(drop=("exp",)), "missing_claim", nonce)
    case("HMAC-signed ID token: never accepted", tok("HS256", keyname="hs256"), "algorithm_not_allowed", nonce)
    case("HMAC asked for is still refused", tok("HS256", keyname="hs256"), "algorithm_not_allowed", nonce,
         algorithms=["HS256", "RS256"])
    case("outside the caller's algorithms", tok("ES256"), "algorithm_not_allowed", nonce, algorithms=["RS256"])
    case("unknown key id", tok(kid="rotated-away"), "key_not_found", nonce)
    bad = tok()
    case("tampered signature", bad[:-4] + ("AAAA" if not bad.endswith("AAAA") else "BBBB"), "invalid_signature", nonce)
    # auth_time and max_age
    case("auth_time within max_age", tok(auth_time=PAST), "ok", {"nonce": NONCE, "max_age": MAX_AGE_LONG})
    case("auth_time older than max_age", tok(auth_time=PAST), "invalid_claim", {"nonce": NONCE, "max_age": 600})
    case("max_age asked, no auth_time", tok(), "missing_claim", {"nonce": NONCE, "max_age": 600})
    # at_hash and c_hash
    for alg in ("RS256", "ES384", "EdDSA"):
        case(f"at_hash and c_hash match ({alg})",
             tok(alg, at_hash=half_hash(alg, ACCESS_TOKEN), c_hash=half_hash(alg, CODE)), "ok",
             {"nonce": NONCE, "access_token": ACCESS_TOKEN, "code": CODE})
    case("at_hash of another access token", tok(at_hash=half_hash("RS256", "other-token")), "invalid_claim",
         {"access_token": ACCESS_TOKEN})
    case("at_hash with the wrong hash size", tok("ES384", at_hash=half_hash("ES256", ACCESS_TOKEN)), "invalid_claim",
         {"access_token": ACCESS_TOKEN})
    case("c_hash of another code", tok(c_hash=half_hash("RS256", "other-code")), "invalid_claim", {"code": CODE})
    case("at_hash present, no access token to compare", tok(at_hash="not-checked"), "ok", nonce)

    (OUT / "oidc.json").write_text(json.dumps({
        "description": (
            "OpenID Connect ID-token verification vectors. Build an ID token verifier for `issuer` and "
            "`client_id` (a case's options may override client_id and give algorithms) with the local "
            "key set `jwks`; verify the token with the case's checks (nonce, max_age in seconds, "
            "access_token, code); expect 'ok' or the error code. Keys: the fixed test keys of "
            "jwt_keys.json (generated for this repository; test fixtures only). Generator: "
            "tests/tools/gen_oidc_vectors.py."),
        "issuer": ISS, "client_id": CLIENT, "jwks": jwks, "cases": cases}, indent=2) + "\n")
    print(f"{len(cases)} cases")


if __name__ == "__main__":
    main()
