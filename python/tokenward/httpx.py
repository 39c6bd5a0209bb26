"""``httpx`` hook: requests authorized by a :class:`~tokenward.TokenSource`.

>>> import httpx                                             # doctest: +SKIP
>>> from tokenward.httpx import TokenSourceAuth
>>> client = httpx.Client(auth=TokenSourceAuth(source))      # doctest: +SKIP
>>> client.get("https://api.example.com/things")             # doctest: +SKIP

Every request gets the token's :meth:`~tokenward.AccessToken.request_headers`:
``Authorization: Bearer <token>``, or for a DPoP-bound token ``Authorization: DPoP <token>`` and
a ``DPoP`` proof. What happens to the answer is the core's :func:`~tokenward.retry_action`: when
the token was rejected (``401`` with ``error="invalid_token"`` or no Bearer error) it is
refreshed once and the request sent once more; when a DPoP resource server asks for a nonce
(``use_dpop_nonce`` with ``DPoP-Nonce``) the request is sent once more with a proof carrying
it. A second refusal is returned as it is, never retried in a loop. Works with ``httpx.Client``
and ``httpx.AsyncClient`` (``token_async`` answers a usable token without a thread hop). The
token never appears in a log, an error or a ``repr``.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Generator

import httpx

from ._native import AccessToken, RetryAction, TokenSource, retry_action

__all__ = ["TokenSourceAuth"]


def _authorize(request: httpx.Request, token: AccessToken, nonce: str | None = None) -> None:
    headers = token.request_headers(request.method, str(request.url), nonce)
    if "DPoP" not in headers:
        request.headers.pop("DPoP", None)
    request.headers.update(headers)


def _remember_nonce(request: httpx.Request, token: AccessToken, response: httpx.Response) -> None:
    # A DPoP-Nonce on any answer (a 200 too) goes into the next proof to that origin.
    nonce = response.headers.get("dpop-nonce")
    if nonce is not None:
        token.remember_dpop_nonce(str(request.url), nonce)


def _action(response: httpx.Response) -> RetryAction:
    challenges = response.headers.get_list("www-authenticate")
    return retry_action(
        response.status_code, ", ".join(challenges) or None, response.headers.get("dpop-nonce")
    )


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
        token = self._source.token()
        _authorize(request, token)
        response = yield request
        _remember_nonce(request, token, response)
        action = _action(response)
        if action.kind == "no_retry":
            return
        response.read()
        if action.kind != "retry_with_nonce":
            token = self._source.force_refresh()
        _authorize(request, token, action.nonce)
        response = yield request
        _remember_nonce(request, token, response)

    async def async_auth_flow(
        self, request: httpx.Request
    ) -> AsyncGenerator[httpx.Request, httpx.Response]:
        token = await self._source.token_async()
        _authorize(request, token)
        response = yield request
        _remember_nonce(request, token, response)
        action = _action(response)
        if action.kind == "no_retry":
            return
        await response.aread()
        if action.kind != "retry_with_nonce":
            token = await self._source.force_refresh_async()
        _authorize(request, token, action.nonce)
        response = yield request
        _remember_nonce(request, token, response)
