"""Sessions and abuse counters on the shared backends from Python (docs/sessions.md,
docs/abuse.md): two instances opened from one Redis or PostgreSQL URL share sessions,
rotations and revocations; two Authenticators on one Redis share a lockout. The servers come
from scripts/servers.sh (TOKENWARD_TEST_REDIS_URL, TOKENWARD_TEST_POSTGRES_URL); under CI a
missing server is a failure, elsewhere the tests skip."""

from __future__ import annotations

import os
import socket
import time
import uuid

import pytest

from tokenward import (
    Sessions,
    TokenwardError,
)


def _url(name: str) -> str:
    url = os.environ.get(name, "")
    if not url:
        if os.environ.get("CI"):
            pytest.fail(f"{name} is not set: run the tests through scripts/servers.sh")
        pytest.skip(f"{name} is not set (scripts/servers.sh)")
    return url


@pytest.mark.parametrize("server", ["TOKENWARD_TEST_REDIS_URL", "TOKENWARD_TEST_POSTGRES_URL"])
def test_a_session_created_through_one_instance_is_found_through_another(server: str) -> None:
    url = _url(server)
    a, b = Sessions(store=url), Sessions(store=url)
    subject = f"py-{uuid.uuid4().hex[:12]}"
    issued = a.create(subject, {"scope": "read"})
    assert b.verify(issued.id).subject == subject
    assert b.verify(issued.id).data == {"scope": "read"}
    rotated = b.rotate(issued.id, data={"scope": "read admin"})
    with pytest.raises(TokenwardError) as e:
        a.verify(issued.id)
    assert e.value.code == "revoked"
    assert a.verify(rotated.id).data == {"scope": "read admin"}
    a.create(subject)
    assert b.revoke_subject(subject) == 2
    with pytest.raises(TokenwardError) as e:
        a.verify(rotated.id)
    assert e.value.code == "revoked"


def test_a_store_that_is_down_is_an_error_and_repr_hides_the_password() -> None:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    sessions = Sessions(store=f"redis://user:hunter2secret@127.0.0.1:{port}/")
    started = time.monotonic()
    with pytest.raises(TokenwardError) as e:
        sessions.create("alice")
    assert e.value.code in ("network", "timeout")
    assert time.monotonic() - started < 5
    assert "hunter2secret" not in repr(sessions) + str(e.value) + repr(e.value)
    with pytest.raises(TokenwardError) as e:
        Sessions(store=f"postgres://user:hunter2secret@127.0.0.1:{port}/db")
    assert e.value.code in ("network", "timeout")
    assert "hunter2secret" not in str(e.value)
