import re
import sqlite3
import threading
from datetime import timedelta

import pytest
from conftest import code_of, load_vectors

import tokenward
from tokenward import API_KEY_PATTERN, ApiKeyError, ApiKeys, IssuedKey, KeyRecord, Secret

VECTORS = load_vectors("apikeys.json")


def expand(case):
    if "key" in case:
        return case["key"]
    rep = case["key_repeat"]
    return rep["unit"] * rep["count"]


def test_pattern_is_published():
    assert API_KEY_PATTERN == VECTORS["pattern"]


@pytest.mark.parametrize("case", VECTORS["format"], ids=lambda c: c["name"])
def test_format_vectors(case):
    key = expand(case)
    assert bool(re.fullmatch(API_KEY_PATTERN, key)) == case["matches_pattern"]
    if "error" in case:
        assert code_of(lambda: ApiKeys.check_format(key)) == case["error"]
    else:
        info = ApiKeys.check_format(key)
        assert (info.prefix, info.id, info.display) == (case["prefix"], case["id"], case["display"])
        assert key.endswith(case["checksum"])


@pytest.mark.parametrize("case", VECTORS["verify"]["cases"], ids=lambda c: c["name"])
def test_verify_vectors(case):
    keys = ApiKeys(VECTORS["verify"]["prefix"])
    assert code_of(lambda: keys.verify(expand(case))) == case["error"]


def test_create_verify_and_printed_forms():
    keys = ApiKeys("tw_live")
    issued = keys.create("alice", scopes=["read", "write"], metadata={"plan": "pro"}, expires_in=3600)
    assert isinstance(issued, IssuedKey)
    assert isinstance(issued.secret, Secret)
    key = issued.secret.expose()
    assert key.startswith("tw_live_") and re.fullmatch(keys.pattern, key)
    secret_part = key[len("tw_live_") + 12 :]
    for printed in (repr(issued), repr(issued.record), str(issued.secret), repr(keys), repr(issued.record.to_dict())):
        assert secret_part not in printed and key not in printed, printed
    record = keys.verify(key)
    assert isinstance(record, KeyRecord)
    assert record.id == issued.record.id == ApiKeys.check_format(key).id
    assert record.owner == "alice"
    assert record.scopes == ["read", "write"] and record.has_scope("read") and not record.has_scope("admin")
    assert record.metadata == {"plan": "pro"}
    assert record.expires_at == record.created_at + timedelta(seconds=3600)
    assert record.created_at.tzinfo is not None and record.created_at.utcoffset() == timedelta(0)
    assert record.display.startswith(f"tw_live_{record.id[:8]}…") and record.display.endswith(key[-4:])
    # A Secret is accepted wherever a key is.
    assert keys.verify(issued.secret).id == record.id
    assert record.to_dict()["owner"] == "alice"
    assert record == keys.get(record.id)


def test_refusals_raise_api_key_errors_with_codes():
    keys = ApiKeys("tw_test")
    key = keys.create("bob").secret.expose()
    typo = key[:20] + ("x" if key[20] != "x" else "y") + key[21:]
    with pytest.raises(ApiKeyError) as info:
        keys.verify(typo)
    assert info.value.code == "checksum_mismatch"
    assert key not in str(info.value)
    assert code_of(lambda: keys.verify("")) == "invalid_format"
    assert code_of(lambda: keys.verify("x" * 10_000_000)) == "invalid_format"
    assert code_of(lambda: keys.verify(ApiKeys("tw_live").create("b").secret)) == "invalid_format"
    assert code_of(lambda: keys.revoke("nope")) == "unknown_key"
    assert code_of(lambda: keys.create("")) == "invalid_input"
    assert code_of(lambda: ApiKeys("TW")) == "invalid_input"
    assert code_of(lambda: ApiKeys("tw", pepper="short")) == "invalid_input"
    with pytest.raises(TypeError):
        keys.verify(42)


def test_revoke_and_rotate():
    keys = ApiKeys("tw")
    old = keys.create("carol", scopes=["read"])
    new = keys.rotate(old.record.id, overlap=timedelta(hours=1))
    assert new.record.id != old.record.id and new.record.scopes == ["read"]
    assert keys.get(old.record.id).replaced_by == new.record.id
    assert keys.get(old.record.id).expires_at is not None
    assert keys.verify(old.secret).id == old.record.id  # inside the overlap
    assert keys.verify(new.secret).id == new.record.id
    # No overlap: the old key stops at once.
    newer = keys.rotate(new.record.id, overlap=0)
    assert code_of(lambda: keys.verify(new.secret)) == "expired"
    assert keys.verify(newer.secret).owner == "carol"
    assert keys.revoke(newer.record.id).revoked_at is not None
    assert code_of(lambda: keys.verify(newer.secret)) == "revoked"
    assert {r.id for r in keys.list("carol")} == {old.record.id, new.record.id, newer.record.id}
    assert keys.list("nobody") == []


def test_sqlite_store_persists_and_holds_no_plaintext(tmp_path):
    path = tmp_path / "keys.db"
    pepper = Secret("a-long-server-side-pepper-value!")
    keys = ApiKeys("tw_live", store=f"sqlite:///{path}", pepper=pepper)
    issued = [keys.create(f"user{i}", scopes=["read"]) for i in range(5)]
    for i in issued:
        keys.verify(i.secret)
    del keys
    # Reopen from a plain path with the same pepper: still valid; another pepper: unknown.
    again = ApiKeys("tw_live", store=path, pepper="a-long-server-side-pepper-value!")
    assert again.verify(issued[0].secret).owner == "user0"
    assert code_of(lambda: ApiKeys("tw_live", store=str(path)).verify(issued[0].secret)) == "unknown_key"
    blob = b"".join(p.read_bytes() for p in tmp_path.iterdir())
    for i in issued:
        key = i.secret.expose()
        assert key.encode() not in blob
        assert key[len("tw_live_") + 12 : -6].encode() not in blob
    rows = sqlite3.connect(path).execute("SELECT id, owner FROM tokenward_api_keys").fetchall()
    assert len(rows) == 5


def test_verify_from_many_threads_while_creating_and_revoking():
    keys = ApiKeys("tw")
    stable = [keys.create(f"o{i}").secret for i in range(16)]
    errors = []

    def verifier():
        try:
            for n in range(2000):
                assert keys.verify(stable[n % len(stable)]).owner.startswith("o")
        except Exception as err:  # pragma: no cover - reported below
            errors.append(err)

    def churner():
        try:
            for _ in range(200):
                k = keys.create("churn")
                keys.revoke(k.record.id)
                assert code_of(lambda k=k: keys.verify(k.secret)) == "revoked"
        except Exception as err:  # pragma: no cover
            errors.append(err)

    threads = [threading.Thread(target=verifier) for _ in range(4)] + [threading.Thread(target=churner)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(keys.list("churn")) == 200


def test_expires_in_accepts_timedelta_and_refuses_nonsense():
    keys = ApiKeys("tw")
    r = keys.create("d", expires_in=timedelta(days=1)).record
    assert r.expires_at - r.created_at == timedelta(days=1)
    assert code_of(lambda: keys.create("d", expires_in=-1)) == "invalid_input"
    assert code_of(lambda: keys.create("d", expires_in=0.5)) == "invalid_input"
    with pytest.raises(TypeError):
        keys.create("d", expires_in="soon")


def test_exports():
    for name in ("ApiKeys", "IssuedKey", "KeyRecord", "KeyInfo", "API_KEY_PATTERN"):
        assert name in tokenward.__all__
