"""tests/vectors/gateway.json through the Python binding: the same expectations as
core/tests/integration/gateway_vectors.rs (cases run in order against one Authenticator)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from conftest import load_vectors

from tokenward import (
    ApiKeys,
    Authenticator,
    JwtKey,
    JwtVerifier,
    ManualClock,
    Principal,
    RateLimit,
    Refusal,
    RevocationList,
)


def _limit(v: dict[str, int]) -> RateLimit:
    return RateLimit(v["rate"], burst=v["burst"], period=v["period_seconds"])


def _build(setup: dict[str, Any]) -> tuple[Authenticator, dict[str, str]]:
    clock = ManualClock(setup["now"])
    prefix = setup["api_keys"]["prefix"]
    keys = ApiKeys(prefix, clock=clock)
    revocations = RevocationList(max_entries=1000, clock=clock)
    secrets: dict[str, str] = {}
    ids: dict[str, str] = {}
    for name, spec in setup["api_keys"]["keys"].items():
        issued = keys.create(spec["owner"], scopes=spec["scopes"], metadata=spec.get("metadata", {}))
        if spec.get("revoke_in_store"):
            keys.revoke(issued.record.id)
        secrets[name] = issued.secret.expose()
        ids[name] = issued.record.id
    secrets["unknown"] = ApiKeys(prefix).create("nobody").secret.expose()

    for r in setup["revocations"]:
        rid = r["id"]
        if rid.startswith("{key_id:"):
            rid = ids[rid[len("{key_id:") : -1]]
        revocations.revoke(r["kind"], rid, r["until"])

    j = setup["jwt"]
    verifier = JwtVerifier(
        JwtKey.hmac(j["hmac_secret"], j["algorithms"][0]),
        algorithms=j["algorithms"],
        clock=clock,
    )
    tp = setup["trusted_proxies"]
    auth = Authenticator(
        realm=setup["realm"],
        api_keys=keys,
        jwt=verifier,
        ip_deny=setup["ip_deny"],
        trusted_proxies=tp["networks"],
        forwarded_header=tp["header"],
        rate_limit=_limit(setup["rate_limit"]),
        failure_rate_limit=_limit(setup["failure_rate_limit"]),
        plans={p: _limit(v) for p, v in setup["plans"].items()},
        rate_limit_overrides={w: _limit(v) for w, v in setup["rate_limit_overrides"].items()},
        revocations=revocations,
        clock=clock,
    )
    return auth, secrets


def _substitute(s: str, secrets: dict[str, str]) -> str:
    for name, secret in secrets.items():
        s = s.replace(f"{{key:{name}}}", secret)
        typo = secret[:-1] + ("b" if secret[-1] == "a" else "a")
        s = s.replace(f"{{key_typo:{name}}}", typo)
    return s


def _run_cases(as_bytes: bool) -> int:
    doc = load_vectors("gateway.json")
    auth, secrets = _build(doc["setup"])
    cases = doc["cases"]
    assert len(cases) >= 40
    for case in cases:
        name, r, e = case["name"], case["request"], case["expect"]
        headers: list[Any] = [(h[0], _substitute(h[1], secrets)) for h in r["headers"]]
        if as_bytes:
            headers = [(n.lower().encode(), v.encode()) for n, v in headers]
        result = auth.authenticate(
            r["method"],
            _substitute(r["path"], secrets),
            headers,
            client_ip=r["client_ip"],
            required_scopes=r["required_scopes"],
        )
        if isinstance(result, Principal):
            assert e["status"] == 200, f"{name}: got a principal"
            assert result.ok and bool(result)
            if "subject" in e:
                assert result.subject == e["subject"], name
            if "remaining" in e:
                assert result.rate_limit_remaining == e["remaining"], name
        else:
            assert isinstance(result, Refusal)
            assert not result.ok and not result
            assert (result.status, result.code) == (e["status"], e["code"] or "-"), name
            assert result.www_authenticate == e.get("www_authenticate"), name
            expected_retry = e.get("retry_after")
            assert result.retry_after == (None if expected_retry is None else dt.timedelta(seconds=expected_retry)), name
            expected_headers = {}
            if e.get("www_authenticate"):
                expected_headers["WWW-Authenticate"] = e["www_authenticate"]
            if e.get("retry_after"):
                expected_headers["Retry-After"] = str(e["retry_after"])
            assert result.headers() == expected_headers, name
    return len(cases)


def test_gateway_vectors_str_pairs() -> None:
    assert _run_cases(as_bytes=False) >= 40


def test_gateway_vectors_asgi_bytes_pairs() -> None:
    # ASGI gives lower-case bytes pairs; the outcome must be identical.
    assert _run_cases(as_bytes=True) >= 40
