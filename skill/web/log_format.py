"""How `serve` writes its log: text lines, or (``--log-format json``) one JSON object a line.

Kept apart from the Flask code so the CLI can offer the choice without importing Flask.
"""

from __future__ import annotations

import json
import logging
from typing import Any, Optional

REQUEST_FIELDS = "request_fields"
"""The log record attribute holding one request's fields (skill/web/request_log.py), for JsonFormatter."""
LOG_FORMATS = ("text", "json")
_chosen = {"format": "text"}


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time, level, logger, and a request's fields or the message."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {"time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"), "level": record.levelname,
                                "logger": record.name}
        fields = getattr(record, REQUEST_FIELDS, None)
        if fields is not None:
            line.update(fields)
        else:
            line["message"] = record.getMessage()
        if record.exc_info:
            line["error"] = self.formatException(record.exc_info)
        return json.dumps(line)  # ASCII: U+2028 and the like escaped, so one record stays one line


def configure_logging(log_format: str, text_format: str) -> None:
    """The process's logging: ``text_format`` lines, or JsonFormatter's (inherited by gunicorn's workers)."""
    _chosen["format"] = log_format
    if log_format == "json":
        handler = logging.StreamHandler()
        handler.setFormatter(JsonFormatter())
        logging.basicConfig(level=logging.INFO, handlers=[handler])
    else:
        from skill.runtime.logtext import OneLineFormatter

        handler = logging.StreamHandler()
        handler.setFormatter(OneLineFormatter(text_format))
        logging.basicConfig(level=logging.INFO, handlers=[handler])


def gunicorn_logger_class() -> Optional[type]:
    """For JSON logs, gunicorn's own lines (start, workers, signals) as JSON too; None for text."""
    if _chosen["format"] != "json":
        return None
    from gunicorn.glogging import Logger

    class JsonGunicornLogger(Logger):  # type: ignore[misc]
        def setup(self, cfg: Any) -> None:
            super().setup(cfg)
            for handler in (*self.error_log.handlers, *self.access_log.handlers):
                handler.setFormatter(JsonFormatter())

    return JsonGunicornLogger
