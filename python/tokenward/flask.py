"""Flask decorator: per-view authentication and scopes.

>>> from tokenward.flask import init_app, require   # doctest: +SKIP
>>> init_app(app, auth)                             # doctest: +SKIP
>>> @app.get("/things")                             # doctest: +SKIP
... @require(scopes=["read"])
... def things():
...     return {"subject": g.principal.subject}

The decision is made by the Rust core; the :class:`~tokenward.Principal` is stored in
``flask.g.principal`` and a refusal is answered with its status, ``WWW-Authenticate``,
``Retry-After`` and a small JSON body. Use it *instead of* the WSGI middleware on a view, not in
addition (each would count the request against the rate limits).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from typing import Any, TypeVar, cast

from flask import Flask, Response, current_app, g, request

from ._native import Authenticator, Principal
from .wsgi import authenticate_environ, refusal_response

__all__ = ["init_app", "require", "EXTENSION_KEY"]

EXTENSION_KEY = "tokenward"

F = TypeVar("F", bound=Callable[..., Any])


def init_app(app: Flask, authenticator: Authenticator) -> None:
    """Makes ``authenticator`` the default of :func:`require` in ``app``."""
    app.extensions[EXTENSION_KEY] = authenticator


def require(
    authenticator: Authenticator | None = None, *, scopes: Iterable[str] = ()
) -> Callable[[F], F]:
    """Decorates a view: it runs only for requests the authenticator admits with ``scopes``."""
    required = list(scopes)

    def decorate(view: F) -> F:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            auth = authenticator or current_app.extensions.get(EXTENSION_KEY)
            if not isinstance(auth, Authenticator):
                raise RuntimeError("pass an Authenticator to require() or call init_app(app, auth)")
            result = authenticate_environ(auth, request.environ, required)
            if isinstance(result, Principal):
                g.principal = result
                return view(*args, **kwargs)
            status, headers, body = refusal_response(result)
            return Response(body, status=result.status, headers=headers)

        return cast(F, wrapper)

    return decorate
