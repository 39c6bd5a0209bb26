"""Generates tests/vectors/jwt_keys.json and tests/vectors/jwt_attacks.json.

Run: python3 tests/tools/gen_jwt_vectors.py  (needs `cryptography`). Keys are generated once and
kept; tokens are regenerated from them. The tokens are built by hand (not with tokenward) so a
bug in tokenward's encoder cannot hide a bug in its verifier. Expiring claims use fixed dates far
in the past or future, so the vectors hold with the real clock in every language.
"""
from __future__ import annotations

import base64, hashlib, hmac, json, os, sys
from pathlib import Path

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa, utils

OUT = Path(__file__).resolve().parents[1] / "vectors"
PAST, FUTURE, FAR = 1_000_000_000, 4_000_000_000, 4_100_000_000
ISS, AUD = "https://issuer.example", "api://tokenward-tests"


def b64(b: bytes) -> str:
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


def unb64(s: str) -> bytes:
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


def int_b64(n: int) -> str:
    return b64(n.to_bytes((n.bit_length() + 7) // 8, "big"))


def rsa_jwk(k, kid):
    pn = k.private_numbers(); pub = pn.public_numbers
    return {"kty": "RSA", "kid": kid, "n": int_b64(pub.n), "e": int_b64(pub.e), "d": int_b64(pn.d),
            "p": int_b64(pn.p), "q": int_b64(pn.q), "dp": int_b64(pn.dmp1), "dq": int_b64(pn.dmq1), "qi": int_b64(pn.iqmp)}


def ec_jwk(k, kid, crv, size):
    pn = k.private_numbers(); pub = pn.public_numbers
    f = lambda n: b64(n.to_bytes(size, "big"))
    return {"kty": "EC", "kid": kid, "crv": crv, "x": f(pub.x), "y": f(pub.y), "d": f(pn.private_value)}


def make_keys():
    ed = ed25519.Ed25519PrivateKey.generate()
    raw = lambda k: k.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption())
    pub = ed.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return {
        "hs256": {"kty": "oct", "kid": "hs256", "alg": "HS256", "k": b64(os.urandom(32))},
        "hs384": {"kty": "oct", "kid": "hs384", "alg": "HS384", "k": b64(os.urandom(48))},
        "hs512": {"kty": "oct", "kid": "hs512", "alg": "HS512", "k": b64(os.urandom(64))},
        "rsa": rsa_jwk(rsa.generate_private_key(65537, 2048), "rsa"),
        "rsa2": rsa_jwk(rsa.generate_private_key(65537, 2048), "rsa2"),
        "ec256": ec_jwk(ec.generate_private_key(ec.SECP256R1()), "ec256", "P-256", 32),
        "ec384": ec_jwk(ec.generate_private_key(ec.SECP384R1()), "ec384", "P-384", 48),
        "ed": {"kty": "OKP", "kid": "ed", "crv": "Ed25519", "x": b64(pub), "d": b64(raw(ed))},
        "attacker_hs": {"kty": "oct", "kid": "attacker", "alg": "HS256", "k": b64(os.urandom(32))},
    }


def public(jwk):
    return {k: v for k, v in jwk.items() if k not in ("d", "p", "q", "dp", "dq", "qi")}


def load_private(jwk):
    kty = jwk["kty"]
    i = lambda name: int.from_bytes(unb64(jwk[name]), "big")
    if kty == "RSA":
        pub = rsa.RSAPublicNumbers(i("e"), i("n"))
        return rsa.RSAPrivateNumbers(i("p"), i("q"), i("d"), i("dp"), i("dq"), i("qi"), pub).private_key()
    if kty == "EC":
        curve = ec.SECP256R1() if jwk["crv"] == "P-256" else ec.SECP384R1()
        return ec.derive_private_key(i("d"), curve)
    if kty == "OKP":
        return ed25519.Ed25519PrivateKey.from_private_bytes(unb64(jwk["d"]))
    return unb64(jwk["k"])


HASH = {"256": hashes.SHA256(), "384": hashes.SHA384(), "512": hashes.SHA512()}


def sign(alg: str, jwk, data: bytes, der_ecdsa=False) -> bytes:
    key = load_private(jwk)
    bits = alg[2:]
    if alg.startswith("HS"):
        return hmac.new(key, data, getattr(hashlib, "sha" + bits)).digest()
    if alg.startswith("RS"):
        return key.sign(data, padding.PKCS1v15(), HASH[bits])
    if alg.startswith("PS"):
        return key.sign(data, padding.PSS(padding.MGF1(HASH[bits]), padding.PSS.DIGEST_LENGTH), HASH[bits])
    if alg.startswith("ES"):
        der = key.sign(data, ec.ECDSA(HASH[bits]))
        if der_ecdsa:
            return der
        r, s = utils.decode_dss_signature(der)
        size = 32 if bits == "256" else 48
        return r.to_bytes(size, "big") + s.to_bytes(size, "big")
    if alg == "EdDSA":
        return key.sign(data)
    raise ValueError(alg)


def compact(header, claims, alg=None, jwk=None, *, raw_header=None, raw_payload=None, sig=None, der_ecdsa=False):
    h = raw_header if raw_header is not None else json.dumps(header, separators=(",", ":")).encode()
    p = raw_payload if raw_payload is not None else json.dumps(claims, separators=(",", ":")).encode()
    signing_input = b64(h) + "." + b64(p)
    if sig is None:
        sig = sign(alg, jwk, signing_input.encode(), der_ecdsa)
    return signing_input + "." + b64(sig)


def main():
    keys_path = OUT / "jwt_keys.json"
    if keys_path.exists():
        keys = json.loads(keys_path.read_text())["private"]
    else:
        keys = make_keys()
    if "rsa_ps" not in keys:
        # An RSA key that names its algorithm: an RSA JWK without `alg` is bound to RS* only
        # (RFC 8725 section 3.1), so PS* needs a pinned key.
        keys["rsa_ps"] = dict(rsa_jwk(rsa.generate_private_key(65537, 2048), "rsa-ps"), alg="PS256")
    pub_jwks = {"keys": [public(keys[n]) if keys[n]["kty"] != "oct" else keys[n]
                         for n in ("hs256", "hs384", "hs512", "rsa", "rsa2", "ec256", "ec384", "ed", "rsa_ps")]}
    keys_path.write_text(json.dumps({
        "description": "Fixed test keys (private JWKs, test fixtures only) and the verification JWKS used by jwt_attacks.json.",
        "private": keys, "verification_jwks": pub_jwks}, indent=2) + "\n")

    good = {"iss": ISS, "aud": AUD, "sub": "user-1", "iat": PAST, "nbf": PAST, "exp": FAR, "jti": "j1"}
    cases = []

    def case(name, token, expect, claims_json=None, **options):
        entry = {"name": name, "token": token, "expect": expect}
        if claims_json is not None:
            # The exact claims JSON text that the text-returning bindings (Kotlin, Swift) give back.
            entry["claims_json"] = claims_json
        if options:
            entry["options"] = options
        cases.append(entry)

    def tok(alg, keyname, claims=None, header=None, **kw):
        h = {"alg": alg, "typ": "JWT", "kid": keys[keyname]["kid"]}
        if header is not None:
            h = header
        return compact(h, good if claims is None else claims, alg, keys[keyname], **kw)

    for alg, name in [("HS256", "hs256"), ("HS384", "hs384"), ("HS512", "hs512"), ("RS256", "rsa"),
                      ("RS384", "rsa"), ("RS512", "rsa"), ("PS256", "rsa_ps"),
                      ("ES256", "ec256"), ("ES384", "ec384"), ("EdDSA", "ed")]:
        case(f"valid {alg}", tok(alg, name), "ok")
    # RFC 8725 section 3.1: an RSA JWK without alg is bound to RS256/384/512; a PSS signature
    # by the same private key is refused, and a pinned key takes only its own algorithm.
    for alg in ("PS256", "PS384", "PS512"):
        case(f"{alg} on an RSA JWK without alg", tok(alg, "rsa"), "algorithm_not_allowed")
    for alg in ("PS384", "PS512", "RS256"):
        case(f"{alg} on a PS256-pinned RSA JWK", tok(alg, "rsa_ps"), "algorithm_not_allowed")

    hs = keys["hs256"]
    unsigned = lambda alg: b64(json.dumps({"alg": alg, "typ": "JWT"}).encode()) + "." + b64(json.dumps(good).encode()) + "."
    for alg in ["none", "None", "NONE", "nOnE"]:
        case(f"alg {alg} unsigned", unsigned(alg), "algorithm_not_allowed")
    case("alg none with signature", compact({"alg": "none"}, good, "HS256", hs), "algorithm_not_allowed")
    case("alg lowercase hs256", compact({"alg": "hs256", "kid": "hs256"}, good, "HS256", hs), "algorithm_not_allowed")
    case("alg outside allowlist", tok("HS512", "hs512"), "algorithm_not_allowed", algorithms=["HS256", "RS256"])
    case("alg unknown", compact({"alg": "HS1024", "kid": "hs256"}, good, "HS256", hs), "algorithm_not_allowed")
    case("alg not a string", compact({"alg": 256, "kid": "hs256"}, good, "HS256", hs), "malformed")
    case("alg missing", compact({"kid": "hs256"}, good, "HS256", hs), "malformed")
    # Key confusion: the RSA public key's JWK/PEM bytes as an HMAC secret, alg switched to HS256.
    rsa_pub_bytes = json.dumps(public(keys["rsa"]), separators=(",", ":")).encode()
    confused = compact({"alg": "HS256", "kid": "rsa"}, good,
                       sig=None, alg="HS256", jwk={"kty": "oct", "k": b64(rsa_pub_bytes)})
    case("key confusion RS256->HS256 with rsa kid", confused, "algorithm_not_allowed")
    case("alg family mismatch ES256 on rsa kid", tok("ES256", "ec256", header={"alg": "ES256", "kid": "rsa"}), "algorithm_not_allowed")
    case("HS384 header on HS256 key", compact({"alg": "HS384", "kid": "hs256"}, good, "HS384", {"kty": "oct", "k": hs["k"]}), "algorithm_not_allowed")
    case("RS256 signature under PS256 header", compact({"alg": "PS256", "kid": "rsa-ps"}, good, sig=sign("RS256", keys["rsa_ps"], (b64(json.dumps({"alg": "PS256", "kid": "rsa-ps"}, separators=(",", ":")).encode()) + "." + b64(json.dumps(good, separators=(",", ":")).encode())).encode())), "invalid_signature")
    ec_h = {"alg": "ES256", "kid": "ec256"}
    case("psychic ECDSA r=s=0", compact(ec_h, good, sig=bytes(64)), "invalid_signature")
    n256 = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
    case("ECDSA r=s=n", compact(ec_h, good, sig=n256.to_bytes(32, "big") * 2), "invalid_signature")
    case("ECDSA DER signature instead of raw", tok("ES256", "ec256", der_ecdsa=True), "invalid_signature")
    case("ES384 psychic", compact({"alg": "ES384", "kid": "ec384"}, good, sig=bytes(96)), "invalid_signature")
    case("EdDSA zero signature", compact({"alg": "EdDSA", "kid": "ed"}, good, sig=bytes(64)), "invalid_signature")
    t = tok("HS256", "hs256")
    h, p, s = t.split(".")
    tampered = dict(good, sub="admin")
    case("tampered payload", h + "." + b64(json.dumps(tampered).encode()) + "." + s, "invalid_signature")
    case("tampered header typ", b64(json.dumps({"alg": "HS256", "typ": "jwt", "kid": "hs256"}).encode()) + "." + p + "." + s, "invalid_signature")
    case("truncated signature", h + "." + p + "." + b64(unb64(s)[:-3]), "invalid_signature")
    case("empty signature", h + "." + p + ".", "invalid_signature")
    case("signature with padding", h + "." + p + "." + s + "=", "malformed")
    case("whitespace in token", h + ". " + p + "." + s, "malformed")
    case("newline in token", h + "." + p + "\n." + s, "malformed")
    case("standard base64 characters", h + "." + p.replace("-", "+").replace("_", "/") + "+/." + s, "malformed")
    case("JWE five parts", h + ".a.b.c." + s, "malformed")
    case("two parts", h + "." + p, "malformed")
    case("four parts", t + ".x", "malformed")
    case("empty header segment", "." + p + "." + s, "malformed")
    case("empty token", "", "malformed")
    case("non-ASCII in token", h + "." + p + "é." + s, "malformed")
    case("header not JSON", compact(None, good, "HS256", hs, raw_header=b"not json"), "malformed")
    case("header is an array", compact(None, good, "HS256", hs, raw_header=b'["HS256"]'), "malformed")
    case("duplicate alg in header", compact(None, good, "HS256", hs, raw_header=b'{"alg":"HS256","kid":"hs256","alg":"none"}'), "malformed")
    case("duplicate claim in payload", compact({"alg": "HS256", "kid": "hs256"}, None, "HS256", hs, raw_payload=b'{"sub":"a","exp":4100000000,"sub":"admin"}'), "malformed")
    case("payload not JSON", compact({"alg": "HS256", "kid": "hs256"}, None, "HS256", hs, raw_payload=b"hello"), "malformed")
    case("payload not UTF-8", compact({"alg": "HS256", "kid": "hs256"}, None, "HS256", hs, raw_payload=b'{"sub":"\xff\xfe","exp":4100000000}'), "malformed")
    case("payload is a JSON string", compact({"alg": "HS256", "kid": "hs256"}, None, "HS256", hs, raw_payload=b'"claims"'), "malformed")
    case("crit unknown extension", tok("HS256", "hs256", header={"alg": "HS256", "kid": "hs256", "crit": ["exp"], "exp": 1}), "unsupported_critical_header")
    case("crit empty", tok("HS256", "hs256", header={"alg": "HS256", "kid": "hs256", "crit": []}), "malformed")
    case("crit not an array", tok("HS256", "hs256", header={"alg": "HS256", "kid": "hs256", "crit": "exp"}), "malformed")
    case("crit lists registered alg", tok("HS256", "hs256", header={"alg": "HS256", "kid": "hs256", "crit": ["alg"]}), "malformed")
    case("crit names absent member", tok("HS256", "hs256", header={"alg": "HS256", "kid": "hs256", "crit": ["foo"]}), "malformed")
    case("b64 false with crit", tok("HS256", "hs256", header={"alg": "HS256", "kid": "hs256", "b64": False, "crit": ["b64"]}), "unsupported_critical_header")
    case("b64 false without crit", tok("HS256", "hs256", header={"alg": "HS256", "kid": "hs256", "b64": False}), "unsupported_critical_header")
    att = keys["attacker_hs"]
    case("embedded jwk header is ignored", compact({"alg": "HS256", "kid": "hs256", "jwk": att}, good, "HS256", att), "invalid_signature")
    case("jku header is ignored", compact({"alg": "HS256", "kid": "hs256", "jku": "https://evil.example/jwks.json"}, good, "HS256", att), "invalid_signature")
    case("x5u header is ignored", compact({"alg": "HS256", "kid": "hs256", "x5u": "https://evil.example/cert.pem"}, good, "HS256", att), "invalid_signature")
    case("attacker kid", compact({"alg": "HS256", "kid": "attacker"}, good, "HS256", att), "key_not_found")
    case("kid path traversal", compact({"alg": "HS256", "kid": "../../../../dev/null"}, good, "HS256", hs), "key_not_found")
    case("kid SQL injection", compact({"alg": "HS256", "kid": "x' UNION SELECT 'secret"}, good, "HS256", hs), "key_not_found")
    case("kid case differs", compact({"alg": "HS256", "kid": "HS256"}, good, "HS256", hs), "key_not_found")
    case("kid not a string", compact({"alg": "HS256", "kid": 1}, good, "HS256", hs), "malformed")
    case("no kid, several RSA keys", compact({"alg": "RS256"}, good, "RS256", keys["rsa"]), "key_not_found")
    case("no kid, single HS256 key", compact({"alg": "HS256"}, good, "HS256", hs), "ok")
    claims = lambda **kw: {k: v for k, v in dict(good, **kw).items() if v is not None}
    case("exp as string", tok("HS256", "hs256", claims(exp=str(FAR))), "invalid_claim")
    case("exp as bool", tok("HS256", "hs256", claims(exp=True)), "invalid_claim")
    case("exp as float", tok("HS256", "hs256", claims(exp=FAR + 0.5)), "ok")
    as_written = ('{ "sub": "user-1",\r\n "aud": "%s", "iss": "%s", "exp": %d,'
                  ' "big": 12345678901234567890123, "f": 1.50, "s": "\\u00e9" }' % (AUD, ISS, FAR))
    case("payload text passed through as written", compact({"alg": "HS256", "kid": "hs256"}, None, "HS256", hs,
         raw_payload=as_written.encode()), "ok", claims_json=as_written)
    case("exp in the past", tok("HS256", "hs256", claims(exp=PAST)), "expired")
    case("exp missing", tok("HS256", "hs256", claims(exp=None)), "missing_claim")
    case("exp missing allowed when not required", tok("HS256", "hs256", claims(exp=None)), "ok", require_exp=False)
    case("nbf in the future", tok("HS256", "hs256", claims(nbf=FUTURE)), "not_yet_valid")
    case("nbf as string", tok("HS256", "hs256", claims(nbf="0")), "invalid_claim")
    case("iat in the future", tok("HS256", "hs256", claims(iat=FUTURE)), "not_yet_valid")
    case("iat as string", tok("HS256", "hs256", claims(iat="now")), "invalid_claim")
    case("max_age exceeded", tok("HS256", "hs256"), "expired", max_age=3600)
    case("iss wrong", tok("HS256", "hs256", claims(iss="https://evil.example")), "invalid_issuer")
    case("iss missing", tok("HS256", "hs256", claims(iss=None)), "missing_claim")
    case("iss as number", tok("HS256", "hs256", claims(iss=1)), "invalid_claim")
    case("iss prefix is not a match", tok("HS256", "hs256", claims(iss=ISS + ".evil")), "invalid_issuer")
    case("aud wrong", tok("HS256", "hs256", claims(aud="api://other")), "invalid_audience")
    case("aud list containing ours", tok("HS256", "hs256", claims(aud=["api://other", AUD])), "ok")
    case("aud as number", tok("HS256", "hs256", claims(aud=1)), "invalid_claim")
    case("aud list with a number", tok("HS256", "hs256", claims(aud=[AUD, 1])), "invalid_claim")
    case("aud missing", tok("HS256", "hs256", claims(aud=None)), "missing_claim")
    case("aud present, verifier expects none", tok("HS256", "hs256"), "invalid_audience", audience=[])
    case("sub as number", tok("HS256", "hs256", claims(sub=7)), "invalid_claim")
    case("jti as object", tok("HS256", "hs256", claims(jti={"a": 1})), "invalid_claim")
    case("required claim missing", tok("HS256", "hs256"), "missing_claim", required_claims=["tenant"])
    case("typ mismatch", tok("HS256", "hs256"), "invalid_claim", typ="at+jwt")
    case("typ matches case-insensitively", tok("HS256", "hs256", header={"alg": "HS256", "kid": "hs256", "typ": "application/AT+JWT"}), "ok", typ="at+jwt")
    big = claims(pad="x" * 17000)
    case("token larger than 16 KiB", tok("HS256", "hs256", big), "token_too_large")
    case("token larger than a custom limit", tok("HS256", "hs256"), "token_too_large", max_token_size=100)
    deep = dict(good); node = deep
    for _ in range(40):
        node["n"] = {}; node = node["n"]
    case("claims nested 40 deep", tok("HS256", "hs256", deep), "token_too_large")
    case("header nested 40 deep", tok("HS256", "hs256", header={"alg": "HS256", "kid": "hs256", "x": json.loads("[" * 40 + "]" * 40)}), "token_too_large")

    doc = {
        "description": "JWT verification vectors. Build the verifier from jwt_keys.json's verification_jwks with the "
                       "defaults below, overridden by a case's options; verify the token; expect 'ok' or the error code.",
        "defaults": {"algorithms": ["HS256", "HS384", "HS512", "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "EdDSA"],
                     "issuer": ISS, "audience": [AUD], "leeway": 60},
        "cases": cases,
    }
    (OUT / "jwt_attacks.json").write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n")
    print(f"{len(cases)} cases")


if __name__ == "__main__":
    main()
