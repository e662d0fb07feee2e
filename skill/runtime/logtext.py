"""Text that came from a request, made safe for a log line: one escaping function for all of it.

A caller controls intent names, error messages Alexa relays and header values; written to a log
as they are, a newline, U+2028 or an ESC sequence forges a second line or rewrites a terminal.
No Flask here, so the Lambda entry can use it too.
"""

from __future__ import annotations

import logging

MAX_LOGGED_CHARS = 200
"""Longer than any intent name or Alexa error message; a flood of text is clipped, not logged whole."""


def escape_for_log(text: object, limit: int = MAX_LOGGED_CHARS) -> str:
    """``text`` as one printable line: every control or separator character shown as ``\\xNN``/``\\uNNNN``."""
    shown = str(text)
    if len(shown) > limit:
        shown = shown[:limit] + "…"
    if shown.isprintable():
        return shown
    return "".join(ch if ch.isprintable() else _escaped(ch) for ch in shown)


def _escaped(ch: str) -> str:
    code = ord(ch)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


class OneLineFormatter(logging.Formatter):
    """Every message through ``escape_for_log`` (unclipped), whatever a call site forgot; tracebacks keep their lines."""

    def formatMessage(self, record: logging.LogRecord) -> str:  # noqa: N802 (logging's name)
        record.message = escape_for_log(record.message, limit=len(record.message))
        return super().formatMessage(record)
