"""Refusals of input by the binding itself: every one is a tokenward exception with code
``invalid_input`` (callers switch on ``.code`` as for core errors), and still the built-in
class it was before (``ValueError``, or ``TypeError`` through ``InvalidInputTypeError``)."""

from __future__ import annotations

import pickle
from collections.abc import Callable

import pytest

from tokenward import (
    ApiKeys,
    Authenticator,
    InvalidInputError,
    InvalidInputTypeError,
    JwtIssuer,
    JwtKey,
    KeySet,
    RevocationList,
    Secret,
    TokenwardError,
)

HMAC = JwtKey.hmac(b"k" * 32, "HS256")


def _auth() -> Authenticator:
    return Authenticator(api_keys=ApiKeys("tw"))


# (call, the built-in class it raised before). One or more per python/src file.
WRONG_TYPES: dict[str, Callable[[], object]] = {
    "apikeys: duration": lambda: ApiKeys("tw").create("d", expires_in="soon"),
    "gateway: until": lambda: RevocationList().revoke("jti", "j", "tomorrow"),  # type: ignore[arg-type]
    "gateway: header pair": lambda: _auth().authenticate("GET", "/", [("x-api-key",)]),
    "gateway: header value": lambda: _auth().authenticate("GET", "/", [("x-api-key", 42)]),
    "gateway: header name": lambda: _auth().authenticate("GET", "/", [(42, "v")]),
    "json: unsupported value": lambda: JwtIssuer(HMAC).issue({"x": object()}),
    "json: NaN": lambda: JwtIssuer(HMAC).issue({"x": float("nan")}),
    "json: non-string key": lambda: JwtIssuer(HMAC).issue({"x": {1: 2}}),
    "json: too deep": lambda: JwtIssuer(HMAC).issue({"x": _nested(80)}),
    "jwt: secret type": lambda: JwtKey.hmac(42, "HS256"),  # type: ignore[arg-type]
    "jwt: JSON document type": lambda: KeySet.from_jwks(42),  # type: ignore[arg-type]
    "secret: pickle": lambda: pickle.dumps(Secret("abc")),
}

WRONG_VALUES: dict[str, Callable[[], object]] = {
    "gateway: revocation kind": lambda: RevocationList().revoke("nope", "x", 2**40),  # type: ignore[arg-type]
    "gateway: client_ip": lambda: _auth().authenticate("GET", "/", {}, "not-an-ip"),
    "gateway: forwarded_header": lambda: Authenticator(
        api_keys=ApiKeys("tw"), forwarded_header="x-real-ip", trusted_proxies=["10.0.0.0/8"]
    ),
}


def _nested(depth: int) -> object:
    out: object = 1
    for _ in range(depth):
        out = [out]
    return out


@pytest.mark.parametrize("name", sorted(WRONG_TYPES))
def test_wrong_types_raise_invalid_input_type_error(name: str) -> None:
    with pytest.raises(TypeError) as info:  # still caught by the former built-in class
        WRONG_TYPES[name]()
    err = info.value
    assert type(err) is InvalidInputTypeError, name
    assert isinstance(err, InvalidInputError) and isinstance(err, TokenwardError)
    assert err.code == "invalid_input"


@pytest.mark.parametrize("name", sorted(WRONG_VALUES))
def test_wrong_values_raise_invalid_input_error(name: str) -> None:
    with pytest.raises(ValueError) as info:  # still caught by the former built-in class
        WRONG_VALUES[name]()
    err = info.value
    assert type(err) is InvalidInputError, name
    # A refused value is not a TypeError: `except TypeError` keeps meaning a type mistake.
    assert not isinstance(err, TypeError)
    assert err.code == "invalid_input"


def test_invalid_input_type_error_is_picklable_and_printable() -> None:
    with pytest.raises(InvalidInputTypeError) as info:
        JwtKey.hmac(42, "HS256")  # type: ignore[arg-type]
    err = info.value
    again = pickle.loads(pickle.dumps(err))
    assert type(again) is InvalidInputTypeError and again.code == "invalid_input"
    assert str(err) == "invalid_input: expected str or bytes"
    assert repr(err) == "InvalidInputTypeError(code='invalid_input', message='expected str or bytes')"


def test_no_plain_builtin_errors_left_in_the_binding_source() -> None:
    # Guard: a new refusal must use error::invalid_input, not a bare PyValueError/PyTypeError.
    from pathlib import Path

    src = Path(__file__).resolve().parents[1] / "src"
    hits = [
        f"{p.relative_to(src)}:{n}"
        for p in sorted(src.rglob("*.rs"))
        for n, line in enumerate(p.read_text().splitlines(), 1)
        if "PyValueError" in line or "PyTypeError" in line
    ]
    assert hits == []
    assert len(list(src.rglob("*.rs"))) > len(list(src.glob("*.rs"))), "subdirectories are scanned"
