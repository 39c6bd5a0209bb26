"""Shared helpers: the conformance vectors in tests/vectors (one runner per language)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

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
