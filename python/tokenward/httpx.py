"""``httpx`` hook: requests authorized by a :class:`~tokenward.TokenSource`.

>>> import httpx                                             # doctest: +SKIP
>>> from tokenward.httpx import TokenSourceAuth
>>> client = httpx.Client(auth=TokenSourceAuth(source))      # doctest: +SKIP
>>> client.get("https://api.example.com/things")             # doctest: +SKIP

Every request gets ``Authorization: <token type> <token>``. When the server answers that the
token was rejected (``401`` with ``error="invalid_token"`` or no Bearer error, the core's
:func:`~tokenward.token_rejected`), the token is refreshed once and the request sent once more;
a second rejection is returned as it is, never retried in a loop. Works with ``httpx.Client``
and ``httpx.AsyncClient`` (``token_async`` answers a usable token without a thread hop). The
token never appears in a log, an error or a ``repr``.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Generator

import httpx

from ._native import AccessToken, TokenSource, token_rejected

__all__ = ["TokenSourceAuth"]


def _authorize(request: httpx.Request, token: AccessToken) -> None:
    request.headers["Authorization"] = token.authorization_header()


def _rejected(response: httpx.Response) -> bool:
    challenges = response.headers.get_list("www-authenticate")
    return token_rejected(response.status_code, ", ".join(challenges) or None)


class TokenSourceAuth(httpx.Auth):
    """``httpx.Auth`` putting ``source``'s token on every request, with one refresh-and-retry
    when the server rejects it."""

    # The retry sends the body again.
    requires_request_body = True

    def __init__(self, source: TokenSource) -> None:
        self._source = source

    def __repr__(self) -> str:
        return f"TokenSourceAuth({self._source!r})"

    def sync_auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        _authorize(request, self._source.token())
        response = yield request
        if _rejected(response):
            response.read()
            _authorize(request, self._source.force_refresh())
            yield request

    async def async_auth_flow(
        self, request: httpx.Request
    ) -> AsyncGenerator[httpx.Request, httpx.Response]:
        _authorize(request, await self._source.token_async())
        response = yield request
        if _rejected(response):
            await response.aread()
            _authorize(request, await self._source.force_refresh_async())
            yield request
