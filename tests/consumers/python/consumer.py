"""A consumer of the installed `tokenward` distribution (wheel or sdist), run by run.sh.

Usage: python consumer.py EXPECTED_VERSION REPO_ROOT WORKDIR [--origin-only]

It runs from a temporary folder outside the repository, in a fresh venv. Each check prints
`ok - <name>` or `FAIL - <name>: <why>`; the last line is `checks: N passed, M failed` and the exit
status is non-zero when any check failed. The first check (the package comes from this venv's
site-packages, not from the repository) runs before the import, so it also catches a repository
tree that is put on sys.path but cannot be imported.
"""

from __future__ import annotations

import importlib.util
import sys
import sysconfig
import traceback
from pathlib import Path
from typing import Callable

EXPECTED_VERSION, REPO, WORKDIR = sys.argv[1], Path(sys.argv[2]).resolve(), Path(sys.argv[3]).resolve()
ORIGIN_ONLY = "--origin-only" in sys.argv[4:]

passed = 0
failed = 0


def check(name: str, fn: Callable[[], None]) -> None:
    global passed, failed
    try:
        fn()
    except Exception as exc:  # each check reports and the run goes on
        failed += 1
        print(f"FAIL - {name}: {type(exc).__name__}: {exc}")
        traceback.print_exc(limit=2, file=sys.stdout)
    else:
        passed += 1
        print(f"ok - {name}")


def expect(cond: bool, why: str) -> None:
    if not cond:
        raise AssertionError(why)


def code_of(fn: Callable[[], object]) -> str:
    import tokenward

    try:
        fn()
    except tokenward.TokenwardError as err:
        return err.code
    raise AssertionError("no TokenwardError was raised")


def origin() -> None:
    spec = importlib.util.find_spec("tokenward")
    expect(spec is not None and spec.origin is not None, "tokenward is not importable")
    assert spec is not None and spec.origin is not None
    where = Path(spec.origin).resolve()
    site = Path(sysconfig.get_paths()["purelib"]).resolve()
    expect(where.is_relative_to(site), f"tokenward comes from {where}, not from {site}")
    expect(not where.is_relative_to(REPO), f"tokenward comes from the repository: {where}")


check("tokenward is found in this venv's site-packages, not in the repository", origin)
if ORIGIN_ONLY:
    print(f"checks: {passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)

import tokenward  # noqa: E402  (after the origin check on purpose)
from tokenward import (  # noqa: E402
    ApiKeys,
    InvalidTokenError,
    JwtIssuer,
    JwtVerifier,
    JwtKey,
    KeySet,
    Secret,
    redact,
)


def imported_from_venv() -> None:
    native = Path(tokenward._native.__file__).resolve()  # type: ignore[attr-defined]
    pkg = Path(tokenward.__file__).resolve()
    prefix = Path(sys.prefix).resolve()
    expect(sys.prefix != sys.base_prefix, "not running in a venv")
    for f in (pkg, native):
        expect(f.is_relative_to(prefix), f"{f} is outside the venv {prefix}")
        expect(not f.is_relative_to(REPO), f"{f} is inside the repository")
    expect(native.suffix == ".so" and ".abi3" in native.name, f"not an abi3 extension: {native.name}")


def version() -> None:
    expect(tokenward.__version__ == EXPECTED_VERSION, f"{tokenward.__version__} != {EXPECTED_VERSION}")


def typed() -> None:
    pkg = Path(tokenward.__file__).parent
    expect((pkg / "py.typed").is_file(), "py.typed missing")
    expect((pkg / "_native.pyi").is_file(), "_native.pyi missing")


ISS, AUD = "https://auth.example", "api"


def jwt_round_trip() -> None:
    key = JwtKey.generate("ES256").with_kid("consumer-1")
    token = JwtIssuer(key, issuer=ISS, audience=AUD, ttl=300).issue({"scope": "read"}, subject="u1")
    expect(token.count(".") == 2, "not a compact JWS")
    # The verifier only gets the public JWKS, as a relying party would.
    public = KeySet.from_jwks(KeySet([key]).to_jwks())
    claims = JwtVerifier(public, algorithms=["ES256"], issuers=ISS, audiences=AUD).verify(token)
    expect(claims["sub"] == "u1" and claims["scope"] == "read", f"claims: {claims}")
    expect(claims["iss"] == ISS and claims["aud"] == AUD, f"registered claims: {claims}")
    expect(claims["exp"] - claims["iat"] == 300, "ttl not applied")


def jwt_refusals() -> None:
    key = JwtKey.hmac(b"consumer-secret-of-at-least-32-bytes!!", "HS256")
    token = JwtIssuer(key, issuer=ISS, audience=AUD).issue({}, subject="u1")
    verifier = JwtVerifier(key, algorithms=["HS256"], issuers=ISS, audiences=AUD)
    expect(verifier.verify(token)["sub"] == "u1", "HS256 round trip")
    head, body, sig = token.split(".")
    flipped = sig[:-2] + ("A" if sig[-2] != "A" else "B") + sig[-1]
    expect(code_of(lambda: verifier.verify(f"{head}.{body}.{flipped}")) == "invalid_signature", "tampered signature")
    other_aud = JwtVerifier(key, algorithms=["HS256"], issuers=ISS, audiences="other")
    expect(code_of(lambda: other_aud.verify(token)) == "invalid_audience", "wrong audience")
    try:
        JwtVerifier(key, algorithms=["RS256"], issuers=ISS, audiences=AUD).verify(token)
    except InvalidTokenError as err:
        expect(err.code == "algorithm_not_allowed", f"code {err.code}")
    else:
        raise AssertionError("an algorithm outside the allowlist was accepted")


DB = WORKDIR / "keys.sqlite3"


def api_key_sqlite() -> None:
    keys = ApiKeys("tw_test", store=DB)
    issued = keys.create("alice", scopes=["read", "write"], metadata={"team": "billing"})
    plaintext = issued.secret.expose()
    expect(plaintext.startswith("tw_test_"), "prefix")
    record = keys.verify(issued.secret)
    expect(record.owner == "alice" and record.scopes == ["read", "write"], "record")
    expect(record.metadata == {"team": "billing"}, "metadata")
    expect(DB.is_file() and DB.stat().st_size > 0, "no SQLite file was written")

    # A second instance on the same file (a restarted process) verifies the plain string.
    again = ApiKeys("tw_test", store=str(DB))
    expect(again.verify(plaintext).id == issued.record.id, "not persisted")
    expect([r.id for r in again.list("alice")] == [issued.record.id], "list")
    expect(plaintext.encode() not in DB.read_bytes(), "the plaintext key is stored")

    typo = plaintext[:-1] + ("x" if plaintext[-1] != "x" else "y")
    expect(code_of(lambda: again.verify(typo)) == "checksum_mismatch", "typo")
    again.revoke(issued.record.id)
    expect(code_of(lambda: keys.verify(plaintext)) == "revoked", "revocation not seen through the file")


def redaction() -> None:
    key = JwtKey.hmac(b"consumer-secret-of-at-least-32-bytes!!", "HS256")
    token = JwtIssuer(key).issue({"scope": "read"})
    line = f"GET /v1/things Authorization: Bearer {token} status=200"
    out = redact(line)
    expect(token not in out and token.split(".")[2] not in out, f"token left in: {out}")
    expect("[REDACTED" in out, f"no marker: {out}")
    expect(out.startswith("GET /v1/things") and out.endswith("status=200"), f"context lost: {out}")
    clean = "GET /healthz status=200"
    expect(redact(clean) == clean, "clean line changed")


def secret_printing() -> None:
    s = Secret("tw_live_consumer_value")
    expect("consumer_value" not in repr(s) and "consumer_value" not in str(s), "secret printed")
    expect(s.expose() == "tw_live_consumer_value", "expose")
    expect(code_of(lambda: Secret("")) == "invalid_input", "empty secret")


check("tokenward and its native module are imported from the venv", imported_from_venv)
check("__version__ matches the distribution", version)
check("py.typed and _native.pyi are installed", typed)
check("JWT: ES256 issue, verify against the exported JWKS", jwt_round_trip)
check("JWT: tampered signature, wrong audience, algorithm outside the allowlist", jwt_refusals)
check("API key: create and verify in SQLite, reopen, typo, revoke", api_key_sqlite)
check("redact: a bearer token in a log line", redaction)
check("Secret: redacted printing, explicit expose, error code", secret_printing)

print(f"checks: {passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
