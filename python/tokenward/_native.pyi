from typing import Final

__version__: Final[str]
ERROR_CODES: Final[list[str]]

class Secret:
    """Token material whose ``repr``/``str`` are redacted. Read it with :meth:`expose`."""

    def __new__(cls, value: str) -> Secret: ...
    def expose(self) -> str:
        """The secret value (explicit on purpose)."""
    @property
    def fingerprint(self) -> str:
        """A short identifier of the secret, safe to log."""
    def __eq__(self, other: object) -> bool: ...
    def __hash__(self) -> int: ...

def fingerprint(secret: str) -> str:
    """A short identifier of a secret, safe to log (first 48 bits of SHA-256, base64url)."""
