"""Round trips per `authenticate` from Python with the rate limit and the revocation list on one
Redis (docs/distributed.md): the authenticator reaches Redis through a loopback proxy of this
test that counts the RESP commands it forwards, so the count is this test's own (other suites
share the server). The server comes from scripts/servers.sh (TOKENWARD_TEST_REDIS_URL)."""

from __future__ import annotations

import asyncio
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable, Coroutine, Iterator
from typing import Any

import pytest

from tokenward import ApiKeys, Authenticator, RateLimit, RevocationList


def _redis_url() -> str:
    url = os.environ.get("TOKENWARD_TEST_REDIS_URL", "")
    if not url:
        if os.environ.get("CI"):
            pytest.fail("TOKENWARD_TEST_REDIS_URL is not set: run the tests through scripts/servers.sh")
        pytest.skip("TOKENWARD_TEST_REDIS_URL is not set (scripts/servers.sh)")
    return url


def _command_len(buf: bytes) -> int | None:
    """Length of the first complete RESP command (`*<n>` bulk strings) in `buf`, or None."""
    if not buf:
        return None
    assert buf[:1] == b"*", "the clients send RESP arrays"
    end = buf.find(b"\r\n")
    if end < 0:
        return None
    at = end + 2
    for _ in range(int(buf[1:end])):
        end = buf.find(b"\r\n", at)
        if end < 0:
            return None
        at = end + 2 + int(buf[at + 1 : end]) + 2
        if at > len(buf):
            return None
    return at


class CountingProxy:
    """Forwards loopback connections to the Redis of `url`, counting the commands sent."""

    def __init__(self, url: str) -> None:
        host, port = url.split("://", 1)[1].split("/", 1)[0].rsplit(":", 1)
        self.upstream = (host, int(port))
        self.commands = 0
        self._lock = threading.Lock()
        # `hold`: what clients send waits here until `_release_at` commands have arrived.
        self._held: list[tuple[socket.socket, bytes]] = []
        self._release_at: int | None = None
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"redis://127.0.0.1:{self._listener.getsockname()[1]}/"
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            server = socket.create_connection(self.upstream)
            threading.Thread(target=self._up, args=(client, server), daemon=True).start()
            threading.Thread(target=self._down, args=(server, client), daemon=True).start()

    def _up(self, client: socket.socket, server: socket.socket) -> None:
        buf = b""
        while data := client.recv(65536):
            buf += data
            with self._lock:
                while (n := _command_len(buf)) is not None:
                    buf = buf[n:]
                    self.commands += 1
                send = [(server, data)]
                if self._release_at is not None:
                    self._held.append((server, data))
                    if self.commands < self._release_at:
                        continue
                    send, self._held, self._release_at = self._held, [], None
            for to, chunk in send:
                to.sendall(chunk)

    def hold(self, n: int) -> None:
        """Forwards nothing more until `n` more commands have arrived, then all of them."""
        with self._lock:
            self._release_at = self.commands + n

    @staticmethod
    def _down(server: socket.socket, client: socket.socket) -> None:
        while data := server.recv(65536):
            client.sendall(data)

    def count(self, f: Callable[[], None]) -> int:
        """How many commands reached Redis while `f` ran (each is counted before it is sent on,
        so every answer the caller saw has its command counted)."""
        before = self.commands
        f()
        return self.commands - before

    def close(self) -> None:
        self._listener.close()


@pytest.fixture
def proxy() -> Iterator[CountingProxy]:
    p = CountingProxy(_redis_url())
    yield p
    p.close()


def test_the_command_counter_reads_split_and_pipelined_commands() -> None:
    ping = b"*1\r\n$4\r\nPING\r\n"
    assert _command_len(ping[:5]) is None
    assert _command_len(ping) == len(ping)
    assert _command_len(ping + b"*2\r\n$3\r\nGET\r\n$1\r\nk\r\n") == len(ping)


def test_rate_limit_and_revocations_on_one_redis_cost_one_round_trip(proxy: CountingProxy) -> None:
    keys = ApiKeys("tw_rt")
    alice = keys.create(f"alice-{uuid.uuid4().hex[:8]}")
    bob = keys.create(f"bob-{uuid.uuid4().hex[:8]}")
    revocations = RevocationList(store=proxy.url)
    auth = Authenticator(
        api_keys=keys,
        rate_limit=RateLimit(1, burst=20, period=60),
        rate_limit_store=proxy.url,
        revocations=revocations,
    )
    headers = {"x-api-key": alice.secret.expose()}
    assert auth.authenticate("GET", "/", headers)  # connects, loads the script: not counted
    outcomes: list[object] = []
    n = proxy.count(lambda: outcomes.extend(auth.authenticate("GET", "/", headers) for _ in range(25)))
    assert n == 25
    assert sum(1 for o in outcomes if o) == 19
    assert all(getattr(o, "code", None) == "rate_limited" for o in outcomes[19:])

    # Revoked through another list (straight to Redis): refused in the same single round trip.
    RevocationList(store=_redis_url()).revoke("key_id", bob.record.id, int(time.time()) + 60)
    refusal: list[object] = []
    n = proxy.count(lambda: refusal.append(auth.authenticate("GET", "/", {"x-api-key": bob.secret.expose()})))
    assert n == 1
    assert getattr(refusal[0], "code", None) == "revoked"


def test_authenticate_async_with_a_shared_store_leaves_the_event_loop_free(
    proxy: CountingProxy, run_loop: Callable[[Coroutine[Any, Any, Any]], Any]
) -> None:
    keys = ApiKeys("tw_rt")
    headers = {"x-api-key": keys.create(f"cleo-{uuid.uuid4().hex[:8]}").secret.expose()}
    # Fail closed: a check the proxy never answered would be a 503, not a fallback.
    auth = Authenticator(
        api_keys=keys,
        rate_limit=RateLimit(1, burst=100, period=60),
        rate_limit_store=proxy.url,
        rate_limit_store_fail_open=False,
    )
    assert auth.has_shared_stores
    assert not Authenticator(api_keys=keys).has_shared_stores

    async def main() -> list[object]:
        assert await auth.authenticate_async("GET", "/", headers)  # connects, loads the script
        # The proxy answers none of the next 8 checks before it has all 8: they are decided only
        # if the event loop went on while each one waited for Redis.
        proxy.hold(8)
        return list(await asyncio.gather(*(auth.authenticate_async("GET", "/", headers) for _ in range(8))))

    decisions = run_loop(main())
    assert all(decisions), [getattr(d, "code", d) for d in decisions]
    assert sorted(getattr(d, "rate_limit_remaining", None) for d in decisions) == list(range(91, 99))
