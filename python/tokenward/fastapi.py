"""FastAPI dependency: per-route authentication and scopes.

>>> from fastapi import Depends, FastAPI                   # doctest: +SKIP
>>> from tokenward.fastapi import require                  # doctest: +SKIP
>>> app = FastAPI()                                        # doctest: +SKIP
>>> app.state.authenticator = auth                         # doctest: +SKIP
>>> @app.get("/things")                                    # doctest: +SKIP
... async def things(principal = Depends(require(scopes=["read"]))):
...     return {"subject": principal.subject}

The dependency runs the whole decision in the Rust core (credentials, validation, revocation,
scopes, rate limits) and returns the :class:`~tokenward.Principal` (also stored in
``request.state.principal``); a refusal becomes an ``HTTPException`` with the refusal's status,
``WWW-Authenticate`` and ``Retry-After`` headers. Use it *instead of* the ASGI middleware on a
route, not in addition (each would count the request against the rate limits).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable

from fastapi import HTTPException, Request

from ._native import Authenticator, Principal
from .asgi import authenticate_scope

__all__ = ["require"]


def require(
    authenticator: Authenticator | None = None,
    *,
    scopes: Iterable[str] = (),
    state_key: str = "principal",
) -> Callable[[Request], Awaitable[Principal]]:
    """A dependency returning the request's :class:`~tokenward.Principal` when it carries all
    ``scopes``; ``authenticator`` defaults to ``request.app.state.authenticator``."""
    required = list(scopes)

    async def dependency(request: Request) -> Principal:
        auth = authenticator
        if auth is None:
            auth = getattr(request.app.state, "authenticator", None)
            if not isinstance(auth, Authenticator):
                raise RuntimeError(
                    "pass an Authenticator to require() or set app.state.authenticator"
                )
        result = await authenticate_scope(auth, request.scope, required)
        if isinstance(result, Principal):
            setattr(request.state, state_key, result)
            return result
        raise HTTPException(status_code=result.status, detail=result.error, headers=result.headers())

    return dependency
