"""The ``TokenStore`` protocol: where a ``TokenSource`` keeps its tokens across restarts.

The application implements it (a keyring entry, an encrypted file, a database row) and hands
it to ``TokenSource.keep_tokens(store)`` or ``TokenSource.restore(client, store)``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol, runtime_checkable

if TYPE_CHECKING:
    from ._native import StoredTokens


@runtime_checkable
class TokenStore(Protocol):
    """Keeps one ``StoredTokens``. Called from a library thread: ``save`` on every rotation
    (after the new token is in use), ``load`` once by ``TokenSource.restore``, ``clear`` when
    the refresh token is refused (``invalid_grant``). An exception from ``save`` or ``clear``
    is reported to ``TokenSource.on_error`` with code ``storage`` and never fails ``token()``;
    one from ``load`` makes ``restore`` raise with code ``storage``.
    ``StoredTokens.to_json()`` / ``StoredTokens.from_json()`` give one string to keep."""

    def save(self, tokens: StoredTokens) -> None: ...
    def load(self) -> StoredTokens | None: ...
    def clear(self) -> None: ...
