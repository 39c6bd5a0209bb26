"""Audit events reach ``logging.getLogger("tokenward")``, produced by real operations."""

from __future__ import annotations

import logging
import time

import pytest

from tokenward import ApiKeys, Authenticator, RevocationList


def _audit(caplog: pytest.LogCaptureFixture, action: str) -> list[logging.LogRecord]:
    return [
        r
        for r in caplog.records
        if r.name == "tokenward" and r.tokenward_audit["action"] == action  # type: ignore[attr-defined]
    ]


def test_audit_events_go_to_the_tokenward_logger(caplog: pytest.LogCaptureFixture) -> None:
    auth = Authenticator(api_keys=ApiKeys("tw_test"))
    revocations = RevocationList()
    with caplog.at_level(logging.INFO, logger="tokenward"):
        revocations.revoke("subject", "audit-alice", time.time() + 60)
        refusal = auth.authenticate("GET", "/", {}, client_ip="198.51.100.7")
    assert not refusal
    [revoked] = _audit(caplog, "gateway.revoke_subject")
    assert revoked.levelno == logging.INFO
    fields = dict(revoked.tokenward_audit)  # type: ignore[attr-defined]
    assert len(fields.pop("event_id")) == 36
    assert fields.pop("timestamp").endswith("Z")
    assert fields == {
        "action": "gateway.revoke_subject",
        "outcome": "success",
        "code": None,
        "credential_id": "audit-alice",
        "subject": None,
        "severity": "info",
        "credential_kind": None,
        "client_ip": None,
        "request_id": None,
        "method": None,
        "path": None,
        "count": None,
    }
    [refused] = _audit(caplog, "gateway.authenticate")
    assert refused.levelno == logging.WARNING
    assert refused.tokenward_audit["outcome"] == "failure"  # type: ignore[attr-defined]
    assert refused.tokenward_audit["code"] == "missing_credentials"  # type: ignore[attr-defined]
    assert "code=missing_credentials" in refused.getMessage()


def test_successes_are_not_logged_at_warning(caplog: pytest.LogCaptureFixture) -> None:
    revocations = RevocationList()
    with caplog.at_level(logging.WARNING, logger="tokenward"):
        revocations.revoke("jti", "audit-quiet", time.time() + 60)
    assert _audit(caplog, "gateway.revoke_jti") == []


def test_no_test_hook_is_exported() -> None:
    import tokenward._native as native

    assert not [name for name in dir(native) if "emit" in name.lower()]
