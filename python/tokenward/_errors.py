"""The tokenward exception hierarchy.

Every exception raised by tokenward is a :class:`TokenwardError` with a stable ``.code``
(``"expired"``, ``"invalid_signature"``, ...). Catch the family you care about, branch on
``.code`` for details. Messages never contain token or key material.
"""

from __future__ import annotations

__all__ = [
    "TokenwardError",
    "InvalidTokenError",
    "InvalidKeyError",
    "ApiKeyError",
    "AuthorizationError",
    "OAuthError",
    "TransportError",
    "InvalidInputError",
    "InvalidInputTypeError",
    "InternalError",
]


class TokenwardError(Exception):
    """Base class of every tokenward error. ``.code`` is the stable snake_case code."""

    code: str

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"

    def __repr__(self) -> str:
        return f"{type(self).__name__}(code={self.code!r}, message={self.message!r})"

    def __reduce__(self) -> tuple[type[TokenwardError], tuple[str, str]]:  # keep pickling (multiprocessing, Celery) working
        return (type(self), (self.code, self.message))


class InvalidTokenError(TokenwardError):
    """A token failed validation (``expired``, ``invalid_signature``, ``revoked``, ...)."""


class InvalidKeyError(TokenwardError, ValueError):
    """A key could not be constructed or is too weak (``invalid_key``)."""


class ApiKeyError(TokenwardError):
    """An API key failed its format, checksum or lookup (``invalid_format``, ``checksum_mismatch``, ``unknown_key``)."""


class AuthorizationError(TokenwardError):
    """A valid credential is not allowed (``insufficient_scope``, ``rate_limited``, ``ip_denied``, ...)."""


class OAuthError(TokenwardError):
    """The authorization server refused the request (``invalid_grant``, ``invalid_client``, ...)."""


class TransportError(TokenwardError):
    """The network or the peer failed (``network``, ``timeout``, ``server_error``, ``invalid_response``)."""


class InvalidInputError(TokenwardError, ValueError):
    """An argument is invalid (``invalid_input``)."""


class InvalidInputTypeError(InvalidInputError, TypeError):
    """An argument has the wrong type (``invalid_input``); also a ``TypeError``.

    The binding raised a plain ``TypeError`` for these before; this subclass keeps
    ``except TypeError`` working. A subclass rather than making :class:`InvalidInputError`
    itself a ``TypeError``: refused *values* (an empty secret, an unknown option) never were
    ``TypeError`` and an ``except TypeError`` written for type mistakes should not start
    catching them.
    """


class InternalError(TokenwardError):
    """Storage or an internal invariant failed (``storage``, ``internal``)."""


_BY_CATEGORY: dict[str, type[TokenwardError]] = {
    "token": InvalidTokenError,
    "key": InvalidKeyError,
    "api_key": ApiKeyError,
    "authorization": AuthorizationError,
    "oauth": OAuthError,
    "transport": TransportError,
    "input": InvalidInputError,
    "internal": InternalError,
}


def _from_native(code: str, category: str, message: str) -> TokenwardError:
    """Called by the Rust extension to build the exception for a core error."""
    return _BY_CATEGORY.get(category, TokenwardError)(code, message)


def _invalid_input(message: str, wrong_type: bool) -> InvalidInputError:
    """Called by the Rust extension when the binding itself refuses an argument."""
    cls = InvalidInputTypeError if wrong_type else InvalidInputError
    return cls("invalid_input", message)
