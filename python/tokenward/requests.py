"""``requests`` hook: requests authorized by a :class:`~tokenward.TokenSource`.

>>> import requests                                          # doctest: +SKIP
>>> from tokenward.requests import TokenSourceAuth
>>> session = requests.Session()                             # doctest: +SKIP
>>> session.auth = TokenSourceAuth(source)                   # doctest: +SKIP
>>> session.get("https://api.example.com/things")            # doctest: +SKIP

Every request gets ``Authorization: <token type> <token>``. When the server answers that the
token was rejected (the core's :func:`~tokenward.token_rejected`), the token is refreshed once
and the request sent once more through the same connection adapter; a second rejection is
returned as it is. The token never appears in a log, an error or a ``repr``.
"""

from __future__ import annotations

from typing import Any

import requests
from requests.auth import AuthBase

from ._native import AccessToken, TokenSource, token_rejected

__all__ = ["TokenSourceAuth"]


def _authorize(request: requests.PreparedRequest, token: AccessToken) -> None:
    request.headers["Authorization"] = token.authorization_header()


class TokenSourceAuth(AuthBase):
    """``requests`` auth putting ``source``'s token on every request, with one
    refresh-and-retry when the server rejects it."""

    def __init__(self, source: TokenSource) -> None:
        self._source = source

    def __repr__(self) -> str:
        return f"TokenSourceAuth({self._source!r})"

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        _authorize(request, self._source.token())
        request.hooks["response"].append(self._retry_once)
        return request

    def _retry_once(self, response: requests.Response, **kwargs: Any) -> requests.Response:
        if not token_rejected(response.status_code, response.headers.get("www-authenticate")):
            return response
        retry = response.request.copy()
        _authorize(retry, self._source.force_refresh())
        response.content  # noqa: B018 - read the body so the connection returns to the pool
        response.close()
        # The adapter's send dispatches no hooks: the retry cannot come back here (never a loop).
        sent = response.connection.send(retry, **kwargs)
        sent.history.append(response)
        sent.request = retry
        return sent
