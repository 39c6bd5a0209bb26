"""The DPoP ``jti`` replay cache on Redis (``DpopVerifier(replay_cache_store="redis://...")``):
a proof accepted by one verifier is a replay at another one, in this process and in a Node
process; an unreachable Redis fails closed. The server comes from scripts/servers.sh
(TOKENWARD_TEST_REDIS_URL); under CI a missing server is a failure, elsewhere the tests skip."""

from __future__ import annotations

import json

import pytest
from test_shared_backends import _node, redis_url  # noqa: F401  (the fixture)

from tokenward import DpopKey, DpopVerifier, TokenwardError

URL = "https://api.example/orders"


def code_of(fn) -> str:  # noqa: ANN001
    with pytest.raises(TokenwardError) as err:
        fn()
    return err.value.code


def test_a_proof_accepted_here_is_a_replay_at_every_instance(redis_url: str) -> None:  # noqa: F811
    first, second = DpopVerifier(replay_cache_store=redis_url), DpopVerifier(replay_cache_store=redis_url)
    key = DpopKey.generate("ES256")
    proof = key.proof("GET", URL)
    assert first.verify(proof, "GET", URL)["jkt"] == key.thumbprint
    assert code_of(lambda: second.verify(proof, "GET", URL)) == "invalid_dpop_proof"
    assert first.replay_cache_len == 0
    # Another process sharing the Redis sees the replay too, and accepts a fresh proof.
    fresh = key.proof("GET", URL)
    seen = _node(
        """
        import { DpopVerifier } from './index.mjs'
        const v = new DpopVerifier({ replayCacheStore: process.env.REDIS })
        const out = []
        for (const p of [process.env.USED, process.env.FRESH]) {
          try { v.verify(p, 'GET', process.env.URL); out.push('ok') } catch (e) { out.push(e.code) }
        }
        console.log(JSON.stringify(out))
        """,
        REDIS=redis_url,
        USED=proof,
        FRESH=fresh,
        URL=URL,
    )
    assert json.loads(seen) == ["invalid_dpop_proof", "ok"]
    assert code_of(lambda: first.verify(fresh, "GET", URL)) == "invalid_dpop_proof"


def test_an_unreachable_redis_fails_closed_and_bad_stores_are_refused() -> None:
    verifier = DpopVerifier(replay_cache_store="redis://127.0.0.1:1/")
    proof = DpopKey.generate("EdDSA").proof("GET", URL)
    assert code_of(lambda: verifier.verify(proof, "GET", URL)) in ("network", "timeout")
    assert "127.0.0.1" not in repr(verifier)
    assert code_of(lambda: DpopVerifier(replay_cache_store="postgres://x/y")) == "invalid_input"
