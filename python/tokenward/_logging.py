"""Logging integration: :class:`RedactingFilter` and the ``tokenward`` audit logger.

Attach the filter to a handler (or a logger) and every record that passes through it has the
secrets in its message, arguments and formatted traceback replaced::

    import logging, tokenward
    handler = logging.StreamHandler()
    handler.addFilter(tokenward.RedactingFilter())
    logging.basicConfig(handlers=[handler], level=logging.INFO)
    logging.info("calling %s with token=%s", url, token)   # token is redacted

tokenward's own audit events (token issued, verified, refused, key created, ...) are logged on
``logging.getLogger("tokenward")`` at INFO (success) or WARNING (failure), with the event's
fields in ``record.tokenward_audit``. They never contain token material.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

from ._native import Redactor
from ._native import redact as _redact

__all__ = ["RedactingFilter"]

# Library etiquette: no output unless the application configures logging.
logging.getLogger("tokenward").addHandler(logging.NullHandler())

# Attributes every LogRecord has; anything else on a record came from `extra=` (or a filter).
_STANDARD = frozenset(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {
    "message",
    "asctime",
    "taskName",
}
_MAX_DEPTH = 8


def _scrub_str(redact: Callable[[str], str], key: str, value: str) -> str:
    """Redacts `value` judged together with its key: `{"token": "abc123"}` is caught though
    `abc123` alone is not recognisable."""
    as_json = json.dumps({key: value}, ensure_ascii=False)
    out = redact(as_json)
    if out == as_json:
        return value
    try:
        clean = json.loads(out)[key]
    except (ValueError, KeyError, TypeError):
        clean = None
    # Fail closed: a value that does not come back as a string is not returned as it was.
    return clean if isinstance(clean, str) else "[REDACTED]"


def _scrub(redact: Callable[[str], str], key: str, value: Any, depth: int) -> Any:
    """A copy of an `extra=` value with secrets redacted in its strings (the caller's objects
    are not modified); other types are returned as they are."""
    if isinstance(value, str):
        return _scrub_str(redact, key, value)
    if depth >= _MAX_DEPTH:
        return value
    if isinstance(value, dict):
        return {k: _scrub(redact, str(k), v, depth + 1) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        items = [_scrub(redact, key, v, depth + 1) for v in value]
        return items if isinstance(value, list) else type(value)(items)
    return value


class RedactingFilter(logging.Filter):
    """A :class:`logging.Filter` that scrubs secrets from each record; never drops records.

    The message is formatted with its arguments first (``record.getMessage()``), redacted,
    and stored back with ``args`` cleared, so secrets passed as ``%s`` arguments are caught
    too. Exception tracebacks and stack info are formatted and redacted as well, and so are
    the fields passed with ``extra=`` (strings, and strings inside dicts, lists and tuples up
    to 8 levels deep; each judged with its key, so ``extra={"token": "abc123"}`` is caught).
    Redacted ``extra`` values are copies: the caller's objects are not modified.
    """

    def __init__(self, redactor: Redactor | None = None, name: str = "") -> None:
        super().__init__(name)
        self._redact = redactor.redact if redactor is not None else _redact

    def filter(self, record: logging.LogRecord) -> bool:
        redact = self._redact
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: keep logging's own error path
            return True
        clean = redact(message)
        if clean is not message or record.args:
            record.msg = clean
            record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        fields = record.__dict__
        for key in fields.keys() - _STANDARD:
            value = fields[key]
            if isinstance(value, (str, dict, list, tuple, set, frozenset)):
                fields[key] = _scrub(redact, key, value, 0)
        return True
