"""tokenward: API keys, strict JWT, OAuth 2.0 and redaction from one Rust core.

>>> from tokenward import Secret
>>> s = Secret("tw_live_abc")
>>> "abc" in repr(s)
False
"""

# A library must not print by itself: audit events reach the "tokenward" logger and stay silent
# until the application configures logging (the standard NullHandler idiom).
import logging as _stdlib_logging

from ._errors import (
    ApiKeyError,
    AuthorizationError,
    InternalError,
    InvalidInputError,
    InvalidInputTypeError,
    InvalidKeyError,
    InvalidTokenError,
    OAuthError,
    TokenwardError,
    TransportError,
)
from ._logging import RedactingFilter
from ._native import (
    API_KEY_PATTERN,
    ERROR_CODES,
    AccessToken,
    ApiKeys,
    Authenticator,
    AuthorizationFlow,
    IdTokenVerifier,
    Introspection,
    IssuedKey,
    JwtIssuer,
    JwtKey,
    JwtVerifier,
    KeyInfo,
    KeyRecord,
    KeySet,
    ManualClock,
    OAuthClient,
    Pkce,
    Principal,
    RateLimit,
    Redactor,
    RedactStream,
    Refusal,
    RemoteJwtVerifier,
    RemoteKeySet,
    RevocationList,
    Secret,
    TokenResponse,
    TokenSource,
    TokenSourceOptions,
    __version__,
    decode_unverified,
    fingerprint,
    redact,
    token_rejected,
)

_stdlib_logging.getLogger("tokenward").addHandler(_stdlib_logging.NullHandler())

__all__ = [
    "Authenticator",
    "ManualClock",
    "Principal",
    "RateLimit",
    "Refusal",
    "RevocationList",
    "AccessToken",
    "Introspection",
    "OAuthClient",
    "AuthorizationFlow",
    "IdTokenVerifier",
    "Pkce",
    "TokenResponse",
    "TokenSource",
    "TokenSourceOptions",
    "API_KEY_PATTERN",
    "ApiKeys",
    "IssuedKey",
    "KeyInfo",
    "KeyRecord",
    "ERROR_CODES",
    "ApiKeyError",
    "AuthorizationError",
    "InternalError",
    "InvalidInputError",
    "InvalidInputTypeError",
    "InvalidKeyError",
    "InvalidTokenError",
    "JwtIssuer",
    "JwtKey",
    "JwtVerifier",
    "KeySet",
    "RemoteJwtVerifier",
    "RemoteKeySet",
    "OAuthError",
    "RedactStream",
    "RedactingFilter",
    "Redactor",
    "Secret",
    "TokenwardError",
    "TransportError",
    "__version__",
    "decode_unverified",
    "fingerprint",
    "redact",
    "token_rejected",
]
