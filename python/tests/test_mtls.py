"""Mutual TLS (RFC 8705) through the Python binding: tests/vectors/mtls.json at the gateway, and
tls_client_auth against a real TLS server on loopback (Python's ssl) that requires a client
certificate, with every certificate made at test time by ``cryptography``."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import http.server
import ipaddress
import json
import ssl
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import load_vectors
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from tokenward import (
    Authenticator,
    DpopVerifier,
    JwtIssuer,
    JwtKey,
    JwtVerifier,
    ManualClock,
    OAuthClient,
    Principal,
    Refusal,
    TokenwardError,
    certificate_thumbprint,
)

# --- the shared vectors ----------------------------------------------------------------------


def _pem(der: bytes) -> str:
    b64 = base64.b64encode(der).decode()
    lines = [b64[i : i + 64] for i in range(0, len(b64), 64)]
    return "-----BEGIN CERTIFICATE-----\n" + "\n".join(lines) + "\n-----END CERTIFICATE-----\n"


def _cert(doc: dict[str, Any], name: str | None) -> bytes | str | None:
    if name is None:
        return None
    if name.endswith("_pem"):
        return _pem(base64.b64decode(doc["certificates"][name[:-4]]))
    return base64.b64decode(doc["certificates"][name])


def _vector_authenticator(setup: dict[str, Any], mtls: bool = True, **extra: Any) -> Authenticator:
    clock = ManualClock(setup["now"])
    j = setup["jwt"]
    verifier = JwtVerifier(JwtKey.hmac(j["hmac_secret"], "HS256"), algorithms=["HS256"], clock=clock)
    return Authenticator(
        jwt=verifier,
        trusted_proxies=setup["trusted_proxies"],
        mtls_bound_tokens=mtls and setup["mtls_bound_tokens"],
        clock=clock,
        **extra,
    )


def _check(doc: dict[str, Any], auth: Authenticator, case: dict[str, Any]) -> None:
    name, r, e = case["name"], case["request"], case["expect"]
    headers = []
    for n, v in r["headers"]:
        if v.startswith("{client_cert:"):
            v = f":{doc['certificates'][v[len('{client_cert:') : -1]]}:"
        headers.append((n, v))
    result = auth.authenticate(
        "GET", "/v1/things", headers, client_ip=r["client_ip"],
        client_certificate=_cert(doc, r["client_certificate"]),
    )
    if e["status"] == 200:
        assert isinstance(result, Principal), f"{name}: {result!r}"
    else:
        assert isinstance(result, Refusal), name
        assert (result.status, result.code, result.error) == (e["status"], e["code"], e["error"]), name
        if "www_authenticate" in e:
            assert result.www_authenticate == e["www_authenticate"], name


def test_mtls_vectors() -> None:
    doc = load_vectors("mtls.json")
    auth = _vector_authenticator(doc["setup"])
    assert "client-cert" in auth.header_names
    for case in doc["cases"]:
        _check(doc, auth, case)


def test_require_sender_constrained_vectors() -> None:
    doc = load_vectors("mtls.json")
    section = doc["sender_constrained"]
    assert section["require_sender_constrained"] is True
    for case in section["cases"]:
        dpop = {"dpop": DpopVerifier()} if case["dpop"] else {}
        auth = _vector_authenticator(doc["setup"], require_sender_constrained=True, **dpop)
        _check(doc, auth, case)
    with pytest.raises(TokenwardError) as info:
        _vector_authenticator(doc["setup"], mtls=False, require_sender_constrained=True)
    assert info.value.code == "invalid_input"


def test_thumbprints_match_the_vectors() -> None:
    doc = load_vectors("mtls.json")
    for name, thumb in doc["thumbprints"].items():
        der = base64.b64decode(doc["certificates"][name])
        assert certificate_thumbprint(der) == thumb
        assert certificate_thumbprint(_pem(der)) == thumb
        assert certificate_thumbprint(bytearray(der)) == thumb
    with pytest.raises(TokenwardError) as info:
        certificate_thumbprint("not a certificate")
    assert info.value.code == "malformed"


def test_without_the_option_a_bound_token_is_a_bearer_token() -> None:
    doc = load_vectors("mtls.json")
    auth = _vector_authenticator(doc["setup"], mtls=False)
    assert "client-cert" not in auth.header_names
    bound = doc["cases"][2]["request"]["headers"][0][1]
    assert isinstance(auth.authenticate("GET", "/", [("Authorization", bound)]), Principal)


# --- a TLS server on loopback that requires a client certificate -----------------------------


class _Pki:
    def __init__(self) -> None:
        self.ca_key, self.ca = self._make("test CA", None, ca=True)
        self.server_key, self.server = self._make("server", (self.ca_key, self.ca), san=True)
        self.client_key, self.client = self._make("client app", (self.ca_key, self.ca))
        self.other_key, self.other = self._make("other app", (self.ca_key, self.ca))

    @staticmethod
    def _make(cn: str, issuer: Any, *, ca: bool = False, san: bool = False) -> tuple[Any, x509.Certificate]:
        key = ec.generate_private_key(ec.SECP256R1())
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])
        now = dt.datetime.now(dt.timezone.utc)
        b = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(issuer[1].subject if issuer else name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        )
        if san:
            b = b.add_extension(
                x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False
            )
        return key, b.sign(issuer[0] if issuer else key, hashes.SHA256())

    @staticmethod
    def pem(cert: x509.Certificate) -> str:
        return cert.public_bytes(serialization.Encoding.PEM).decode()

    @staticmethod
    def key_pem(key: Any) -> str:
        return key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ).decode()


class _Handler(http.server.BaseHTTPRequestHandler):
    seen: list[dict[str, Any]]

    def do_POST(self) -> None:  # noqa: N802
        der = self.connection.getpeercert(binary_form=True)  # type: ignore[attr-defined]
        thumb = base64.urlsafe_b64encode(hashlib.sha256(der).digest()).rstrip(b"=").decode()
        body = self.rfile.read(int(self.headers.get("content-length", "0"))).decode()
        self.seen.append({"path": self.path, "body": body, "thumb": thumb, "auth": self.headers.get("authorization")})
        if self.path == "/token":
            answer: dict[str, Any] = {"access_token": f"bound-to-{thumb}", "token_type": "Bearer", "expires_in": 60}
        elif self.path == "/introspect":
            answer = {"active": True, "sub": "app", "cnf": {"x5t#S256": thumb}}
        else:
            answer = {}
        data = json.dumps(answer).encode()
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def pki() -> _Pki:
    return _Pki()


@pytest.fixture()
def tls_server(pki: _Pki) -> Iterator[tuple[str, list[dict[str, Any]]]]:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    with tempfile.TemporaryDirectory() as d:
        (Path(d) / "s.pem").write_text(pki.pem(pki.server) + pki.key_pem(pki.server_key))
        ctx.load_cert_chain(str(Path(d) / "s.pem"))
    ctx.load_verify_locations(cadata=pki.pem(pki.ca))
    ctx.verify_mode = ssl.CERT_REQUIRED
    seen: list[dict[str, Any]] = []
    handler = type("H", (_Handler,), {"seen": seen})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.socket = ctx.wrap_socket(server.socket, server_side=True)
    t = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    t.start()
    try:
        yield f"https://127.0.0.1:{server.server_address[1]}", seen
    finally:
        server.shutdown()
        server.server_close()


def _client(pki: _Pki, url: str, **kw: Any) -> OAuthClient:
    return OAuthClient(
        f"{url}/token",
        "app",
        introspection_url=f"{url}/introspect",
        revocation_url=f"{url}/revoke",
        ca_certificates=pki.pem(pki.ca),
        **kw,
    )


def test_tls_client_auth_presents_the_certificate(pki: _Pki, tls_server: tuple[str, list[dict[str, Any]]]) -> None:
    url, seen = tls_server
    client = _client(
        pki, url, client_certificate=pki.pem(pki.client), client_certificate_key=pki.key_pem(pki.client_key)
    )
    assert client.auth_method == "tls_client_auth"
    expected = certificate_thumbprint(pki.client.public_bytes(serialization.Encoding.DER))
    token = client.client_credentials()
    assert token.access_token.expose() == f"bound-to-{expected}"
    assert client.introspect(token.access_token.expose()).active
    client.revoke(token.access_token.expose())
    assert [s["path"] for s in seen] == ["/token", "/introspect", "/revoke"]
    for s in seen:
        assert s["thumb"] == expected
        assert "client_id=app" in s["body"] and "client_secret" not in s["body"]
        assert s["auth"] is None
    assert "PRIVATE" not in repr(client)

    # The token the server bound to the certificate passes a gateway only with that certificate.
    clock = ManualClock(1_700_000_000)
    key = JwtKey.hmac("mtls-python-test-secret-0123456789abcdef", "HS256")
    jwt = JwtIssuer(key, clock=clock).issue({"cnf": {"x5t#S256": expected}}, subject="app")
    auth = Authenticator(
        jwt=JwtVerifier(key, algorithms=["HS256"], clock=clock), mtls_bound_tokens=True, clock=clock
    )
    headers = [("authorization", f"Bearer {jwt}")]
    client_der = pki.client.public_bytes(serialization.Encoding.DER)
    assert isinstance(auth.authenticate("GET", "/", headers, client_certificate=client_der), Principal)
    assert isinstance(auth.authenticate("GET", "/", headers, client_certificate=pki.pem(pki.client)), Principal)
    other = auth.authenticate("GET", "/", headers, client_certificate=pki.other.public_bytes(serialization.Encoding.DER))
    assert isinstance(other, Refusal) and (other.code, other.status) == ("certificate_mismatch", 401)
    none = auth.authenticate("GET", "/", headers)
    assert isinstance(none, Refusal) and none.code == "certificate_mismatch"


def test_without_a_certificate_the_handshake_is_refused(
    pki: _Pki, tls_server: tuple[str, list[dict[str, Any]]]
) -> None:
    url, seen = tls_server
    client = _client(pki, url, client_secret="s3cret", auth_method="client_secret_post")
    with pytest.raises(TokenwardError) as info:
        client.client_credentials()
    assert info.value.code == "network"
    assert seen == []


def test_certificate_options_are_checked(pki: _Pki) -> None:
    with pytest.raises(TokenwardError) as info:
        OAuthClient("https://as.example/token", "app", auth_method="tls_client_auth")
    assert info.value.code == "invalid_input"
    with pytest.raises(TokenwardError) as info:
        OAuthClient("https://as.example/token", "app", client_certificate=pki.pem(pki.client))
    assert info.value.code == "invalid_input"
    with pytest.raises(TokenwardError) as info:
        OAuthClient(
            "https://as.example/token", "app", client_certificate="nope", client_certificate_key="-----BEGIN PRIVATE KEY-----"
        )
    assert info.value.code == "invalid_key"
    assert "BEGIN PRIVATE KEY" not in str(info.value)
