"""Generates tests/vectors/mtls.json: mutual-TLS-bound token vectors (RFC 8705) every language runs.

Run: python3 tests/tools/gen_mtls_vectors.py  (standard library; `openssl` only the first time).
The two client certificates are self-signed P-256 certificates made once with `openssl req -x509`
(their private keys were discarded: the gateway only hashes certificates). They are kept from the
existing file on later runs, so the vectors stay stable. Tokens are HS256 JWTs signed here with
hmac/hashlib; `x5t#S256` is base64url(SHA-256(DER)) without padding.

Each case runs against one Authenticator built from `setup` (JWT verifier, trusted proxies,
`mtls_bound_tokens` on, the clock at `now`). `request.client_certificate` names a certificate the
TLS layer presents (`a`/`b`, as DER; `a_pem`: certificate `a` as PEM text); `{client_cert:NAME}`
in a header value is that certificate as an RFC 9440 byte sequence. `status` 200 means a Principal.

`sender_constrained.cases` run against the same setup plus `require_sender_constrained` on, and a
DPoP verifier (default options) when the case says `"dpop": true`: an access token must be bound
(`cnf.x5t#S256`, or `cnf.jkt` with DPoP on); `www_authenticate` is the exact challenge.
"""
from __future__ import annotations

import base64, hashlib, hmac, json, subprocess, tempfile
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "vectors" / "mtls.json"
SECRET = "mtls-vector-secret-0123456789abcdef"  # test fixture only
NOW = 1_700_000_000


def b64u(b: bytes) -> str:
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


def jwt(claims: dict) -> str:
    head = b64u(json.dumps({"alg": "HS256", "typ": "JWT"}, separators=(",", ":")).encode())
    body = b64u(json.dumps(claims, separators=(",", ":")).encode())
    sig = hmac.new(SECRET.encode(), f"{head}.{body}".encode(), hashlib.sha256).digest()
    return f"{head}.{body}.{b64u(sig)}"


def make_cert(name: str) -> str:
    with tempfile.TemporaryDirectory() as d:
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
             "-nodes", "-keyout", f"{d}/k.pem", "-out", f"{d}/c.pem", "-days", "36500",
             "-subj", f"/CN=vector-client-{name}"],
            check=True, capture_output=True)
        der = subprocess.run(["openssl", "x509", "-in", f"{d}/c.pem", "-outform", "DER"],
                             check=True, capture_output=True).stdout
    return base64.b64encode(der).decode()


def main() -> None:
    old = json.loads(OUT.read_text()) if OUT.exists() else {}
    certs = old.get("certificates") or {n: make_cert(n) for n in ("a", "b")}
    thumb = {n: b64u(hashlib.sha256(base64.b64decode(c)).digest()) for n, c in certs.items()}

    def token(sub: str, cnf=None) -> str:
        claims = {"sub": sub, "iat": NOW, "exp": NOW + 3600}
        if cnf is not None:
            claims["cnf"] = cnf
        return jwt(claims)

    bound_a = token("bound-a", {"x5t#S256": thumb["a"]})
    unbound = token("unbound")
    bad_type = token("bad-cnf", {"x5t#S256": 42})
    ok = {"status": 200, "code": None}
    mismatch = {"status": 401, "code": "certificate_mismatch", "error": "invalid_token"}
    malformed = {"status": 400, "code": "malformed", "error": "invalid_request"}

    def case(name, tok, expect, cert=None, peer="198.51.100.7", headers=()):
        return {
            "name": name,
            "request": {
                "headers": [["Authorization", f"Bearer {tok}"], *map(list, headers)],
                "client_ip": peer,
                "client_certificate": cert,
            },
            "expect": expect,
        }

    proxy = "10.0.0.5"
    cases = [
        case("bound token with its certificate from TLS", bound_a, ok, cert="a"),
        case("bound token with its certificate as PEM", bound_a, ok, cert="a_pem"),
        case("bound token without a certificate", bound_a, mismatch),
        case("bound token with another certificate", bound_a, mismatch, cert="b"),
        case("unbound token without a certificate", unbound, ok),
        case("unbound token with a certificate", unbound, ok, cert="b"),
        case("cnf.x5t#S256 that is not a string", bad_type, mismatch, cert="a"),
        case("Client-Cert from a trusted proxy", bound_a, ok, peer=proxy,
             headers=[("Client-Cert", "{client_cert:a}")]),
        case("Client-Cert of another certificate from a trusted proxy", bound_a, mismatch,
             peer=proxy, headers=[("Client-Cert", "{client_cert:b}")]),
        case("Client-Cert from an untrusted peer is ignored", bound_a, mismatch,
             headers=[("Client-Cert", "{client_cert:a}")]),
        case("trusted proxy without Client-Cert: its own TLS certificate does not count",
             bound_a, mismatch, cert="a", peer=proxy),
        case("malformed Client-Cert from a trusted proxy", bound_a, malformed, peer=proxy,
             headers=[("Client-Cert", "not-a-byte-sequence")]),
        case("two Client-Cert headers from a trusted proxy", bound_a, malformed, peer=proxy,
             headers=[("Client-Cert", "{client_cert:a}"), ("Client-Cert", "{client_cert:a}")]),
    ]
    bearer_unbound = 'Bearer realm="api", error="invalid_token", error_description="the access token is invalid"'
    dpop_unbound = 'DPoP realm="api", error="invalid_token", error_description="the access token is invalid"'
    unbound_refused = {"status": 401, "code": "missing_claim", "error": "invalid_token"}
    bound_jkt = token("bound-jkt", {"jkt": "0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I"})
    empty_cnf = token("empty-cnf", {})

    def strict(name, tok, expect, dpop=False, www=None, **kw):
        c = case(name, tok, expect, **kw)
        c["dpop"] = dpop
        if www is not None:
            c["expect"] = {**expect, "www_authenticate": www}
        return c

    strict_cases = [
        strict("unbound token refused (mTLS only: a Bearer challenge)", unbound,
               unbound_refused, www=bearer_unbound, cert="a"),
        strict("certificate-bound token with its certificate", bound_a, ok, cert="a"),
        strict("certificate-bound token without its certificate", bound_a, mismatch),
        strict("cnf.jkt without DPoP on is not a binding this gateway checks", bound_jkt,
               unbound_refused, www=bearer_unbound),
        strict("an empty cnf is unbound", empty_cnf, unbound_refused, www=bearer_unbound),
        strict("unbound token refused (DPoP on: a DPoP challenge)", unbound, unbound_refused,
               dpop=True, www=dpop_unbound),
        strict("certificate-bound token with its certificate (DPoP on)", bound_a, ok, dpop=True,
               cert="a"),
        strict("DPoP-bound token presented as Bearer (DPoP on)", bound_jkt,
               {"status": 401, "code": "invalid_dpop_proof", "error": "invalid_dpop_proof"},
               dpop=True),
    ]
    doc = {
        "description": __doc__.split("\n\n", 2)[2].strip().replace("\n", " "),
        "setup": {
            "now": NOW,
            "jwt": {"algorithms": ["HS256"], "hmac_secret": SECRET},
            "trusted_proxies": ["10.0.0.0/8"],
            "mtls_bound_tokens": True,
        },
        "certificates": certs,
        "thumbprints": thumb,
        "cases": cases,
        "sender_constrained": {"require_sender_constrained": True, "cases": strict_cases},
    }
    OUT.write_text(json.dumps(doc, indent=2) + "\n")


if __name__ == "__main__":
    main()
