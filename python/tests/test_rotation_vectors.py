"""tests/vectors/rotation.json: the gateway on rotating keys as sequences of served key sets and
authentications (sync / async path), with their outcomes and the key set's fetch counts. The
JWKS is served by the OAuth mock server (/__jwks_doc?id=...)."""

from __future__ import annotations

import asyncio
import json
import urllib.parse
from collections.abc import Callable
from typing import Any

from conftest import load_vectors
from test_oauth import MockServer

from tokenward import Authenticator, Principal, RemoteJwtVerifier, RemoteKeySet


def outcome(decision: object) -> str:
    if isinstance(decision, Principal):
        return "ok"
    return f"{decision.code}/{decision.status}"  # type: ignore[attr-defined]


def test_rotation_vectors(vectors: Callable[[str], Any]) -> None:
    v = vectors("rotation.json")
    mock = MockServer()
    checked = 0
    try:
        for n, case in enumerate(v["cases"]):
            url = f"{mock.issuer}/__jwks_doc?id=py-{n}"
            keys = RemoteKeySet(url, cooldown=v["cooldown_seconds"])
            verifier = RemoteJwtVerifier(
                keys, algorithms=v["algorithms"], issuers=v["issuer"], audiences=v["audience"]
            )
            auth = Authenticator(remote_jwt=verifier)
            for i, step in enumerate(case["steps"]):
                if "serve" in step:
                    doc = urllib.parse.quote(json.dumps(v["key_sets"][step["serve"]]))
                    mock.control(f"/__jwks_doc?id=py-{n}&doc={doc}")
                    continue
                headers = {"Authorization": f"Bearer {v['tokens'][step['token']]}"}
                if step["path"] == "sync":
                    got = outcome(auth.authenticate("GET", "/", headers))
                else:
                    got = outcome(asyncio.run(_decide(auth, headers)))
                assert got == step["expect"], f"{case['name']}: step {i}"
                assert keys.fetch_count == step["fetches"], f"{case['name']}: step {i} fetches"
                checked += 1
    finally:
        mock.stop()
    assert checked >= 25


async def _decide(auth: Authenticator, headers: dict[str, str]) -> object:
    return await auth.authenticate_async("GET", "/", headers)


def test_rotation_vectors_are_loaded() -> None:
    assert len(load_vectors("rotation.json")["cases"]) >= 6
