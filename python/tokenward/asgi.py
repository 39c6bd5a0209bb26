"""ASGI middleware (Starlette, FastAPI, any ASGI 3 app): authenticates every HTTP and
WebSocket request with an :class:`~tokenward.Authenticator`.

>>> from tokenward.asgi import AuthMiddleware              # doctest: +SKIP
>>> app.add_middleware(AuthMiddleware, authenticator=auth)  # doctest: +SKIP

On success the :class:`~tokenward.Principal` is stored in ``scope["state"]["principal"]``
(``request.state.principal`` in Starlette/FastAPI). A refusal is answered here with its status,
``WWW-Authenticate``, ``Retry-After`` and a small JSON body; WebSocket handshakes are closed with
code 1008 (policy violation). All decisions are made by the Rust core; this module only moves
data between the ASGI scope and the authenticator.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, MutableMapping
from typing import Any

from ._native import Authenticator, Principal, Refusal

__all__ = ["AuthMiddleware", "authenticate_scope", "refusal_response"]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Any, Any, Any], Awaitable[None]]


def _client_certificate(scope: Scope) -> str | None:
    """The client certificate (PEM) of the ASGI TLS extension, for ``mtls_bound_tokens``."""
    extensions = scope.get("extensions") or {}
    tls = extensions.get("tls") or {}
    chain = tls.get("client_cert_chain") or ()
    for cert in chain:
        return str(cert)
    return None


def _args(scope: Scope, required_scopes: Iterable[str]) -> tuple[str, str, Any, Any, list[str], str | None]:
    path: str = scope.get("path", "/")
    query: bytes = scope.get("query_string", b"")
    if query:
        path = path + "?" + query.decode("latin-1")
    client = scope.get("client")
    return (
        scope.get("method", "GET"),
        path,
        scope.get("headers", []),
        client[0] if client else None,
        list(required_scopes),
        _client_certificate(scope),
    )


async def authenticate_scope(
    authenticator: Authenticator, scope: Scope, required_scopes: Iterable[str] = ()
) -> Principal | Refusal:
    """Runs ``authenticator`` on an ASGI ``http`` or ``websocket`` scope. The raw header pairs
    are passed as they are; only an authenticator that introspects opaque tokens or verifies
    JWTs with remote keys awaits (the request goes out on the library's runtime), otherwise the
    call completes at once."""
    if authenticator.has_introspection or authenticator.has_remote_jwt:
        return await authenticator.authenticate_async(*_args(scope, required_scopes))
    return authenticator.authenticate(*_args(scope, required_scopes))


def refusal_response(refusal: Refusal) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
    """The status, raw headers and JSON body answering ``refusal``."""
    body = refusal.body()
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        (b"cache-control", b"no-store"),
    ]
    headers.extend((k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in refusal.headers().items())
    return refusal.status, headers, body


class AuthMiddleware:
    """Authenticates each request before it reaches ``app``.

    ``required_scopes`` apply to every request; ``exclude_paths`` (exact paths, e.g. a health
    check) pass through unauthenticated; ``state_key`` names the state attribute holding the
    principal (default ``principal``).
    """

    def __init__(
        self,
        app: ASGIApp,
        authenticator: Authenticator,
        *,
        required_scopes: Iterable[str] = (),
        exclude_paths: Iterable[str] = (),
        state_key: str = "principal",
    ) -> None:
        self.app = app
        self.authenticator = authenticator
        self.required_scopes = list(required_scopes)
        self.exclude_paths = frozenset(exclude_paths)
        self.state_key = state_key

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind not in ("http", "websocket") or scope.get("path") in self.exclude_paths:
            await self.app(scope, receive, send)
            return
        auth = self.authenticator
        if auth.has_introspection or auth.has_remote_jwt:
            result = await authenticate_scope(auth, scope, self.required_scopes)
        else:
            # The common case inline: no coroutine, no argument tuple.
            path = scope.get("path", "/")
            query = scope.get("query_string")
            if query:
                path = path + "?" + query.decode("latin-1")
            client = scope.get("client")
            result = auth.authenticate(
                scope.get("method", "GET"),
                path,
                scope.get("headers", ()),
                client[0] if client else None,
                self.required_scopes,
                _client_certificate(scope),
            )
        if isinstance(result, Principal):
            state = scope.get("state")
            if state is None:
                state = scope["state"] = {}
            state[self.state_key] = result
            await self.app(scope, receive, send)
            return
        if kind == "websocket":
            await send({"type": "websocket.close", "code": 1008, "reason": result.error})
            return
        status, headers, body = refusal_response(result)
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})
