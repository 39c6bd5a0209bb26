"""Redaction: the shared corpus, the API, RedactingFilter and tokenward's own audit logging."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
from conftest import code_of

import tokenward

CORPUS = json.loads(
    (Path(__file__).resolve().parents[2] / "tests" / "redaction" / "corpus.json").read_text(
        encoding="utf-8"
    )
)


def test_corpus_recall_and_false_positive_rate() -> None:
    missed, false_positives = [], []
    for case in CORPUS["secret"]:
        out = tokenward.redact(case["text"])
        if (
            any(s in out for s in case["secrets"])
            or any(k not in out for k in case["keep"])
            or "[REDACTED:" not in out
        ):
            missed.append((case["text"], out))
    for line in CORPUS["clean"]:
        if tokenward.redact(line) != line:
            false_positives.append(line)
    n, m = len(CORPUS["secret"]), len(CORPUS["clean"])
    print(
        f"redaction corpus: recall {100 * (n - len(missed)) / n:.1f}% of {n}, "
        f"false positives {100 * len(false_positives) / m:.1f}% of {m}"
    )
    assert n >= 60 and m >= 40
    assert missed == []
    assert false_positives == []


def test_redact_replacement_names_kind_and_fingerprint() -> None:
    token = "tw_live_3xK9pQ2mZ7vR4tY8wB1nC5dF6gH0jL2kM4"
    out = tokenward.redact(f"key={token}")
    assert out == f"key=[REDACTED:api_key:{tokenward.fingerprint(token)}]"
    clean = "token_type=Bearer expires_in=3600"
    assert tokenward.redact(clean) is clean  # unchanged text is returned as is


def test_redactor_options() -> None:
    r = tokenward.Redactor(
        names=["ssn"], patterns={"order": r"order#([0-9]{6})"}, replacement="kind"
    )
    assert (
        r.redact("ssn=123-45-6789 order#123456 password=x1")
        == "ssn=[REDACTED:ssn] order#[REDACTED:order] password=[REDACTED:password]"
    )
    assert tokenward.Redactor(replacement="plain").redact("token=abc1") == "token=[REDACTED]"
    assert tokenward.Redactor(replacement="<{kind}>").redact("token=abc1") == "token=<token>"
    assert code_of(lambda: tokenward.Redactor(patterns={"x": "("})) == "invalid_input"
    assert code_of(lambda: tokenward.Redactor(replacement="")) == "invalid_input"
    # The line limit is checked by the core (at least 1 KiB), not silently raised.
    assert code_of(lambda: tokenward.Redactor(max_line=1023)) == "invalid_input"
    assert tokenward.Redactor(max_line=1024).redact("token=abc1").startswith("token=[REDACTED:token")
    assert r.redact_bytes(b"password=\xff\xfe ok") == b"password=[REDACTED:password] ok"


def test_passwords_are_redacted_without_a_fingerprint() -> None:
    """Regression: 48 bits of unsalted SHA-256 of a password were logged (dictionary-reversible)."""
    for text, secret, kind in [
        ("password=hunter2", "hunter2", "password"),
        ("pin: 4921", "4921", "pin"),
        ("https://bob:hunter2@db.example/x", "hunter2", "password"),
    ]:
        out = tokenward.redact(text)
        assert f"[REDACTED:{kind}]" in out, out
        assert tokenward.fingerprint(secret) not in out
    key = "ghp_16C7e42F292c6912E7710c838347Ae178B4a"
    assert tokenward.redact(f"password={key}") == (
        f"password=[REDACTED:github:{tokenward.fingerprint(key)}]"
    )


def test_a_crafted_megabyte_line_is_redacted() -> None:
    """`redact` is linear: a 1 MB line of unterminated placeholders completes (the Rust tests
    compare the work for n and 2n) and fails closed."""
    out = tokenward.redact("password=${" * 100_000)
    assert out == "password=[REDACTED:password]"


def test_stream_matches_one_shot() -> None:
    text = "\n".join(c["text"] for c in CORPUS["secret"]).encode()
    r = tokenward.Redactor()
    s = r.stream()
    out = b"".join(s.push(text[i : i + 17]) for i in range(0, len(text), 17)) + s.finish()
    assert out.decode() == r.redact(text.decode())
    assert code_of(s.finish) == "invalid_input"


def test_redacting_filter_scrubs_message_args_and_traceback(
    caplog: pytest.LogCaptureFixture,
) -> None:
    logger = logging.getLogger("tokenward.test.app")
    f = tokenward.RedactingFilter()
    logger.addFilter(f)
    try:
        with caplog.at_level(logging.INFO, logger="tokenward.test.app"):
            logger.info("calling %s with password=%s", "https://api", "hunter2")
            logger.info({"Authorization": "Bearer abcDEF1234567890"})
            try:
                raise ValueError("bad key sk_live_51HxJkLm2eZvKYlo2C8dFgHi9JkLmNoPq")
            except ValueError:
                logger.exception("failed with api_key=%s", "tw_live_3xK9pQ2mZ7vR4tY8wB1nC5dF6gH0jL2kM4")
            logger.info("nothing secret %d", 42)
    finally:
        logger.removeFilter(f)
    assert len([r for r in caplog.records if r.name == "tokenward.test.app"]) == 4
    text = caplog.text
    for secret in ["hunter2", "abcDEF1234567890", "51HxJkLm2eZvKYlo2C8d", "3xK9pQ2mZ7vR4tY8"]:
        assert secret not in text
    assert "nothing secret 42" in text
    assert text.count("[REDACTED:") >= 4


class _Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def test_redacting_filter_scrubs_extra_fields() -> None:
    """Regression: fields passed with `extra=` reached handlers unredacted."""
    opaque = "abc123SecretXyz789"  # recognisable only with its key
    key = "ghp_16C7e42F292c6912E7710c838347Ae178B4a"
    ctx = {"headers": {"authorization": "Bearer abcDEF1234567890"}, "keys": [key], "n": 1}
    logger = logging.getLogger("tokenward.test.extra")
    handler = _Capture()
    handler.addFilter(tokenward.RedactingFilter())
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    try:
        logger.info(
            "login for %s",
            "bob",
            extra={"token": opaque, "password": "hunter2", "ctx": ctx, "user": "bob", "n": 3},
        )
    finally:
        logger.removeHandler(handler)
        logger.propagate = True
    # A record was written (a test of "no secret in the output" must see output) ...
    assert len(handler.records) == 1
    record = handler.records[0]
    assert record.getMessage() == "login for bob"
    assert record.user == "bob" and record.n == 3  # type: ignore[attr-defined]
    assert record.token.startswith("[REDACTED:token")  # type: ignore[attr-defined]
    assert record.ctx["n"] == 1  # type: ignore[attr-defined]
    # ... and none of it holds a secret: attributes, nor the formatted line.
    formatted = logging.Formatter("%(message)s %(token)s %(password)s %(ctx)s").format(record)
    for secret in [opaque, "hunter2", "abcDEF1234567890", key]:
        assert secret not in repr(record.__dict__)
        assert secret not in formatted
    assert formatted.count("[REDACTED") == 4
    # The caller's objects are not modified.
    assert ctx["keys"] == [key]


def test_no_secret_in_tokenward_logs_during_operations(caplog: pytest.LogCaptureFixture) -> None:
    """JWT and API-key operations log audit events; none of them contains token material."""
    secrets: list[str] = []
    with caplog.at_level(logging.DEBUG):
        keys = tokenward.ApiKeys("tw")
        issued = keys.create("alice", scopes=["read"])
        secrets.append(issued.secret.expose())
        keys.verify(issued.secret)
        secret = issued.secret.expose()
        typo = secret[:-1] + ("y" if secret[-1] == "x" else "x")
        assert code_of(lambda: keys.verify(typo)) is not None
        key = tokenward.JwtKey.hmac("k" * 32, "HS256")
        token = tokenward.JwtIssuer(key, issuer="https://idp").issue(subject="alice")
        secrets.append(token)
        tokenward.JwtVerifier(key, algorithms=["HS256"], issuers="https://idp").verify(token)
        assert code_of(
            lambda: tokenward.JwtVerifier(key, algorithms=["HS256"], issuers="other").verify(token)
        ) is not None
        # Refresh operations are covered in test_oauth.py (they need the OAuth mock server).
    # Records were written (this test would pass vacuously on an empty log otherwise) ...
    written = [r for r in caplog.records if r.name.startswith("tokenward")]
    assert len(written) >= 4, [r.getMessage() for r in caplog.records]
    text = caplog.text
    assert text.strip()
    # ... and none holds token material.
    for s in secrets:
        assert s not in text
        assert s[-12:] not in text
    assert "k" * 32 not in text
    # Whatever tokenward logged passes the scrubber unchanged: no recognisable secret in it.
    for record in caplog.records:
        if record.name.startswith("tokenward"):
            assert tokenward.redact(record.getMessage()) == record.getMessage()
