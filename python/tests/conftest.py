"""Shared helpers: the conformance vectors in tests/vectors (one runner per language)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

import pytest
import uvloop

import tokenward

VECTORS = Path(__file__).resolve().parents[2] / "tests" / "vectors"


def load_vectors(name: str) -> Any:
    return json.loads((VECTORS / name).read_text(encoding="utf-8"))


def code_of(fn: Callable[[], object]) -> str | None:
    """The tokenward code ``fn`` raises, or None when it returns."""
    try:
        fn()
    except tokenward.TokenwardError as err:
        return err.code
    return None


@pytest.fixture
def vectors() -> Callable[[str], Any]:
    return load_vectors


# How long a coroutine run by `run_loop` may take: an answer that never reaches its loop is a
# failure, not a hang.
LOOP_DEADLINE_S = 30


@pytest.fixture(params=["asyncio", "uvloop"])
def run_loop(request: pytest.FixtureRequest) -> Callable[[Coroutine[Any, Any, Any]], Any]:
    """Runs a coroutine to its end in a new event loop: asyncio's own, then uvloop's. The
    library completes asyncio futures from its runtime's threads (``call_soon_threadsafe``,
    answers settled in batches per loop), which each loop implements in its own way."""
    runner = uvloop.run if request.param == "uvloop" else asyncio.run

    def run(coro: Coroutine[Any, Any, Any]) -> Any:
        return runner(asyncio.wait_for(coro, LOOP_DEADLINE_S))

    return run
