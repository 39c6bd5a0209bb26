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

import logging
from typing import Optional

from ._native import Redactor
from ._native import redact as _redact

__all__ = ["RedactingFilter"]

# Library etiquette: no output unless the application configures logging.
logging.getLogger("tokenward").addHandler(logging.NullHandler())


class RedactingFilter(logging.Filter):
    """A :class:`logging.Filter` that scrubs secrets from each record; never drops records.

    The message is formatted with its arguments first (``record.getMessage()``), redacted,
    and stored back with ``args`` cleared, so secrets passed as ``%s`` arguments are caught
    too. Exception tracebacks and stack info are formatted and redacted as well.
    """

    def __init__(self, redactor: Optional[Redactor] = None, name: str = "") -> None:
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
        return True
