"""Python async without a thread hop, against the real oauth2-mock-server: an answer known at
call time (a cached token, a token verified with cached keys, a refusal) is an awaitable that
finishes at once, with no event loop at all; I/O runs on the library's runtime and completes an
asyncio future (codes on errors, cancellation aborts, the loop keeps running meanwhile)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

import pytest
from test_oauth import MockServer

from tokenward import (
    AccessToken,
    Introspection,
    OAuthClient,
    RemoteJwtVerifier,
    RemoteKeySet,
    TokenResponse,
    TokenSource,
    TokenwardError,
)

T = TypeVar("T")


def at_once(awaitable: Awaitable[T]) -> T:
    """The answer of an awaitable that must finish on its first step, without any event loop
    (a future of a loop, a thread or a coroutine that suspends would not)."""
    step = awaitable.__await__()
    with pytest.raises(StopIteration) as done:
        next(step)
    return done.value.value


@pytest.fixture
def mock():
    server = MockServer()
    yield server
    server.stop()


@pytest.fixture
def client(mock):
    return OAuthClient.discover(mock.issuer, "py-client", "py-secret")


def test_a_cached_token_is_answered_without_loop_or_thread(mock, client) -> None:
    with TokenSource.client_credentials(client, ["read"]) as source:
        first = source.token()
        again = at_once(source.token_async())
        assert isinstance(again, AccessToken)
        assert again.expose() == first.expose()
        assert mock.count("token") == 1
        # Awaited from a coroutine too; the awaitable is not a loop's future.
        assert not isinstance(source.token_async(), asyncio.Future)
        assert run(lambda: source.token_async()).expose() == first.expose()


def test_the_first_token_is_fetched_on_the_runtime_while_the_loop_runs(mock, client, run_loop) -> None:
    mock.control("/__delay?ms=300")

    async def main() -> tuple[AccessToken, int]:
        ticks = 0

        async def ticker() -> None:
            nonlocal ticks
            while True:
                await asyncio.sleep(0.01)
                ticks += 1

        t = asyncio.create_task(ticker())
        with TokenSource.client_credentials(client, ["read"]) as source:
            tok = await source.token_async()
        t.cancel()
        return tok, ticks

    tok, ticks = run_loop(main())
    assert tok.expose() and ticks >= 10, ticks


def test_errors_keep_their_codes(mock, client) -> None:
    mock.control("/__next_error?error=invalid_client&status=401")
    with pytest.raises(TokenwardError) as e:
        run(lambda: client.client_credentials_async(["read"]))
    assert e.value.code == "invalid_client"


def test_cancelling_the_awaiting_task_aborts_and_the_loop_goes_on(mock, client, run_loop) -> None:
    mock.control("/__delay?ms=2000")

    async def main() -> None:
        with pytest.raises(asyncio.TimeoutError):
            await asyncio.wait_for(client.client_credentials_async(["read"]), 0.1)
        task = asyncio.ensure_future(client.client_credentials_async(["read"]))
        await asyncio.sleep(0.05)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        await asyncio.sleep(0.01)

    run_loop(main())
    mock.control("/__delay?ms=0")
    assert run(lambda: client.client_credentials_async(["read"])).access_token.expose()


def test_the_async_client_methods(mock, client, run_loop) -> None:
    async def main() -> tuple[TokenResponse, Introspection, TokenResponse]:
        r = await client.client_credentials_async(["read"])
        i = await client.introspect_async(r.access_token.expose(), "access_token")
        await client.revoke_async(r.access_token.expose())
        refreshed = await client.refresh_async("a-refresh-token", ["read"])
        return r, i, refreshed

    r, i, refreshed = run_loop(main())
    assert r.access_token.expose() and i.active and refreshed.access_token.expose()
    assert mock.count("introspect") == 1 and mock.count("revoke") == 1


def test_verify_async_answers_from_cached_keys_at_once(mock, client) -> None:
    keys = RemoteKeySet.discover(mock.issuer, cooldown=0)
    verifier = RemoteJwtVerifier(keys, algorithms=["RS256"])
    token = client.client_credentials(["read"]).access_token.expose()
    # Nothing cached: the keys are fetched on the runtime (a loop is needed).
    claims = run(lambda: verifier.verify_async(token))
    assert keys.fetch_count == 1
    # Cached now: answered on this thread, no loop, no fetch.
    assert at_once(verifier.verify_async(token)) == claims
    with pytest.raises(TokenwardError) as e:
        at_once(verifier.verify_async(token[:-4] + "AAAA"))
    assert e.value.code == "invalid_signature"
    assert keys.fetch_count == 1


def run(make: Callable[[], Awaitable[T]]) -> T:
    """Awaits what `make()` returns inside a new event loop."""

    async def main() -> T:
        return await make()

    return asyncio.run(main())
