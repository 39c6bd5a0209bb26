"""tokenward: API keys, strict JWT, OAuth 2.0 and redaction from one Rust core.

>>> from tokenward import Secret
>>> s = Secret("tw_live_abc")
>>> "abc" in repr(s)
False
"""

from ._errors import (
    ApiKeyError,
    AuthorizationError,
    InternalError,
    InvalidInputError,
    InvalidKeyError,
    InvalidTokenError,
    OAuthError,
    TokenwardError,
    TransportError,
)
from ._native import ERROR_CODES, Secret, __version__, fingerprint

__all__ = [
    "ERROR_CODES",
    "ApiKeyError",
    "AuthorizationError",
    "InternalError",
    "InvalidInputError",
    "InvalidKeyError",
    "InvalidTokenError",
    "OAuthError",
    "Secret",
    "TokenwardError",
    "TransportError",
    "__version__",
    "fingerprint",
]
