"""WSGI middleware (Flask, Django, any PEP 3333 app): authenticates every request with an
:class:`~tokenward.Authenticator`.

>>> from tokenward.wsgi import AuthMiddleware                    # doctest: +SKIP
>>> app.wsgi_app = AuthMiddleware(app.wsgi_app, authenticator=auth)  # doctest: +SKIP

On success the :class:`~tokenward.Principal` is stored in ``environ["tokenward.principal"]``;
a refusal is answered here with its status, ``WWW-Authenticate``, ``Retry-After`` and a small
JSON body. All decisions are made by the Rust core.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from http import HTTPStatus
from typing import Any

from ._native import Authenticator, Principal, Refusal

__all__ = ["AuthMiddleware", "authenticate_environ", "refusal_response", "ENVIRON_KEY"]

ENVIRON_KEY = "tokenward.principal"

StartResponse = Callable[..., Any]
WSGIApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


def _environ_keys(authenticator: Authenticator) -> list[tuple[str, str]]:
    """(header name, environ key) of the headers the authenticator reads."""
    return [(n, "HTTP_" + n.upper().replace("-", "_")) for n in authenticator.header_names]


def authenticate_environ(
    authenticator: Authenticator,
    environ: Mapping[str, Any],
    required_scopes: Iterable[str] = (),
    *,
    _keys: list[tuple[str, str]] | None = None,
) -> Principal | Refusal:
    """Runs ``authenticator`` on a WSGI ``environ`` (only the headers it reads are copied)."""
    keys = _keys if _keys is not None else _environ_keys(authenticator)
    headers = [(name, environ[key]) for name, key in keys if key in environ]
    path = environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", "/")
    query = environ.get("QUERY_STRING")
    if query:
        path = path + "?" + query
    return authenticator.authenticate(
        environ.get("REQUEST_METHOD", "GET"),
        path,
        headers,
        environ.get("REMOTE_ADDR") or None,
        list(required_scopes),
        # mod_wsgi and others with SSLOptions +ExportCertData: the client certificate, PEM.
        environ.get("SSL_CLIENT_CERT") or None,
    )


def refusal_response(refusal: Refusal) -> tuple[str, list[tuple[str, str]], bytes]:
    """The WSGI status line, headers and JSON body answering ``refusal``."""
    body = refusal.body()
    try:
        phrase = HTTPStatus(refusal.status).phrase
    except ValueError:
        phrase = "Error"
    headers = [
        ("Content-Type", "application/json"),
        ("Content-Length", str(len(body))),
        ("Cache-Control", "no-store"),
    ]
    headers.extend(refusal.headers().items())
    return f"{refusal.status} {phrase}", headers, body


class AuthMiddleware:
    """Authenticates each request before it reaches ``app``; ``required_scopes`` apply to every
    request, ``exclude_paths`` (exact ``PATH_INFO`` values) pass through unauthenticated."""

    def __init__(
        self,
        app: WSGIApp,
        authenticator: Authenticator,
        *,
        required_scopes: Iterable[str] = (),
        exclude_paths: Iterable[str] = (),
    ) -> None:
        self.app = app
        self.authenticator = authenticator
        self.required_scopes = list(required_scopes)
        self.exclude_paths = frozenset(exclude_paths)
        self._keys = _environ_keys(authenticator)

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("PATH_INFO") in self.exclude_paths:
            return self.app(environ, start_response)
        result = authenticate_environ(
            self.authenticator, environ, self.required_scopes, _keys=self._keys
        )
        if isinstance(result, Principal):
            environ[ENVIRON_KEY] = result
            return self.app(environ, start_response)
        status, headers, body = refusal_response(result)
        start_response(status, headers)
        return [body]
