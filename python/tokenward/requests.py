"""``requests`` hook: requests authorized by a :class:`~tokenward.TokenSource`.

>>> import requests                                          # doctest: +SKIP
>>> from tokenward.requests import TokenSourceAuth
>>> session = requests.Session()                             # doctest: +SKIP
>>> session.auth = TokenSourceAuth(source)                   # doctest: +SKIP
>>> session.get("https://api.example.com/things")            # doctest: +SKIP

Every request gets the token's :meth:`~tokenward.AccessToken.request_headers` (``Bearer``, or
``DPoP`` plus a proof for a DPoP-bound token). The core's :func:`~tokenward.retry_action`
decides about the answer: a rejected token is refreshed once, a DPoP nonce challenge answered
with one new proof, and the request sent once more through the same connection adapter; a
second refusal is returned as it is. The token never appears in a log, an error or a ``repr``.
"""

from __future__ import annotations

from typing import Any

import requests
from requests.auth import AuthBase

from ._native import AccessToken, TokenSource, retry_action

__all__ = ["TokenSourceAuth"]


def _authorize(request: requests.PreparedRequest, token: AccessToken, nonce: str | None = None) -> None:
    headers = token.request_headers(request.method or "GET", request.url or "", nonce)
    if "DPoP" not in headers:
        request.headers.pop("DPoP", None)
    request.headers.update(headers)


def _remember_nonce(token: AccessToken, response: requests.Response) -> None:
    # A DPoP-Nonce on any answer (a 200 too) goes into the next proof to that origin.
    nonce = response.headers.get("dpop-nonce")
    if nonce is not None and response.request is not None and response.request.url:
        token.remember_dpop_nonce(response.request.url, nonce)


class TokenSourceAuth(AuthBase):
    """``requests`` auth putting ``source``'s token on every request, with one
    refresh-and-retry when the server rejects it."""

    def __init__(self, source: TokenSource) -> None:
        self._source = source

    def __repr__(self) -> str:
        return f"TokenSourceAuth({self._source!r})"

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        token = self._source.token()
        _authorize(request, token)
        request.hooks["response"].append(lambda response, **kw: self._retry_once(token, response, **kw))
        return request

    def _retry_once(self, token: AccessToken, response: requests.Response, **kwargs: Any) -> requests.Response:
        _remember_nonce(token, response)
        action = retry_action(
            response.status_code,
            response.headers.get("www-authenticate"),
            response.headers.get("dpop-nonce"),
        )
        if action.kind == "no_retry":
            return response
        retry = response.request.copy()
        next_token = token if action.kind == "retry_with_nonce" else self._source.force_refresh()
        _authorize(retry, next_token, action.nonce)
        response.content  # noqa: B018 - read the body so the connection returns to the pool
        response.close()
        # The adapter's send dispatches no hooks: the retry cannot come back here (never a loop).
        sent = response.connection.send(retry, **kwargs)
        _remember_nonce(next_token, sent)
        sent.history.append(response)
        sent.request = retry
        return sent
