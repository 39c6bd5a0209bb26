"""tests/vectors/abuse.json through the Python binding (the same expectations as
core/tests/integration/abuse_vectors.rs), the abuse-detection options, and the ECS audit log."""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import stat
from collections import Counter
from typing import Any

import pytest
from conftest import load_vectors

from tokenward import (
    AbuseDetection,
    ApiKeys,
    AuditLog,
    Authenticator,
    InvalidInputError,
    Lockout,
    ManualClock,
    Principal,
    Threshold,
)


def _fill(t: str, i: int, subs: dict[str, str]) -> str:
    out = t.replace("{i}", str(i))
    for k, val in subs.items():
        out = out.replace(k, val)
    return out


def _threshold(v: dict[str, int] | None) -> Threshold | None:
    return None if v is None else Threshold(v["count"], v["window_seconds"])


def _abuse(v: dict[str, Any]) -> AbuseDetection:
    lock = v.get("lockout")
    return AbuseDetection(
        lockout=None
        if lock is None
        else Lockout(Threshold(lock["failures"], lock["window_seconds"]), lock["duration_seconds"]),
        enumeration=_threshold(v.get("enumeration")),
        distributed_failures=_threshold(v.get("distributed_failures")),
        key_spread=_threshold(v.get("key_spread")),
        scope_escalation=_threshold(v.get("scope_escalation")),
    )


class _Events(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.seen: list[dict[str, Any]] = []

    def emit(self, record: logging.LogRecord) -> None:
        fields = getattr(record, "tokenward_audit", None)
        if fields is not None:
            self.seen.append(fields)


@pytest.fixture
def events() -> Any:
    logger = logging.getLogger("tokenward")
    handler = _Events()
    level = logger.level
    logger.setLevel(logging.INFO)
    logger.addHandler(handler)
    yield handler
    logger.removeHandler(handler)
    logger.setLevel(level)


def test_abuse_detection_matches_vectors(events: _Events) -> None:
    v = load_vectors("abuse.json")
    prefix = v["api_keys"]["prefix"]
    checked = 0
    for index, scenario in enumerate(v["scenarios"]):
        name = scenario["name"]
        clock = ManualClock(v["now"])
        keys = ApiKeys(prefix, clock=clock)
        subs: dict[str, str] = {}
        for kname, spec in v["api_keys"]["keys"].items():
            issued = keys.create(spec["owner"], scopes=spec["scopes"])
            subs[f"{{key:{kname}}}"] = issued.secret.expose()
            subs[f"{{key_head:{kname}}}"] = f"{prefix}_{issued.record.id}"
        auth = Authenticator(
            api_keys=keys,
            clock=clock,
            request_id_header="x-request-id",
            abuse_detection=_abuse(scenario["abuse"]),
        )
        request_id = f"abuse-vectors-{index}"
        for s, step in enumerate(scenario["steps"]):
            if "advance_seconds" in step:
                clock.advance(step["advance_seconds"])
                continue
            for i in range(step["repeat"]):

                headers = [("x-request-id", request_id)]
                if step["credential"] is not None:
                    headers.append(("X-API-Key", _fill(step["credential"], i, subs)))
                r = auth.authenticate(
                    "GET", "/v1/things", headers, _fill(step["client_ip"], i, subs), step["required_scopes"]
                )
                e = step["expect"]
                if isinstance(r, Principal):
                    got = (200, None, None)
                else:
                    retry = None if r.retry_after is None else int(r.retry_after.total_seconds())
                    got = (r.status, r.code, retry)
                assert got == (e["status"], e["code"], e["retry_after"]), f"{name}: step {s}, repetition {i}"
                checked += 1
        counts = Counter(f["action"] for f in events.seen if f.get("request_id") == request_id)
        for action, n in scenario["events"].items():
            assert counts.get(action, 0) == n, f"{name}: {action} ({counts})"
    assert checked == 55


def test_invalid_numbers_raise_invalid_input() -> None:
    with pytest.raises(InvalidInputError):
        Threshold(0, 60)
    with pytest.raises(InvalidInputError):
        Threshold(1, 0)
    with pytest.raises(InvalidInputError):
        Lockout(Threshold(1, 60), 0)
    t = Threshold(3, dt.timedelta(minutes=1))
    assert (t.count, t.window) == (3, dt.timedelta(minutes=1))
    assert Lockout(t, 30).duration == dt.timedelta(seconds=30)
    with pytest.raises(InvalidInputError):
        Authenticator(api_keys=ApiKeys("tw_py"), abuse_detection=AbuseDetection(store="ftp://x"))


def test_audit_log_writes_ecs_lines_without_secrets(tmp_path: Any) -> None:
    path = tmp_path / "audit.jsonl"
    with pytest.raises(InvalidInputError):
        AuditLog.open("file://relative.log")
    log = AuditLog.open(f"file://{path}")
    keys = ApiKeys("tw_pyecs")
    issued = keys.create("acct_pyecs")
    secret = issued.secret.expose()
    auth = Authenticator(
        api_keys=keys,
        request_id_header="X-Request-Id",
        abuse_detection=AbuseDetection(lockout=Lockout(Threshold(1, 60), 60)),
    )
    # The wrong key differs from the right one in its last character, whatever that is.
    wrong = secret[:-1] + ("y" if secret.endswith("x") else "x")
    for value, rid in [(secret, "py-ecs-ok"), (wrong, "py-ecs-bad")]:
        auth.authenticate("GET", f"/v1/x?api_key={value}", [("x-api-key", value), ("x-request-id", rid)], "192.0.2.9")
    log.cancel()
    assert log.written() >= 4
    text = path.read_text()
    assert secret not in text and secret[12:-1] not in text
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    mine = [json.loads(line) for line in text.splitlines()]
    mine = [r for r in mine if r.get("http", {}).get("request", {}).get("id", "").startswith("py-ecs-")]
    assert [(r["http"]["request"]["id"], r["event"]["action"]) for r in mine] == [
        ("py-ecs-ok", "gateway.authenticate"),
        ("py-ecs-bad", "abuse.lockout"),
        ("py-ecs-bad", "abuse.lockout"),
        ("py-ecs-bad", "gateway.authenticate"),
    ]
    assert mine[0]["event"]["outcome"] == "success"
    assert mine[0]["url"]["path"] == "/v1/x"
    assert mine[0]["source"]["ip"] == "192.0.2.9"
    assert mine[0]["user"]["id"] == "acct_pyecs"
    assert mine[1]["event"]["severity"] == 4
    assert mine[3]["error"]["code"] == "checksum_mismatch"
