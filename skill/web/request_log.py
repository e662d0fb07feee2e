"""One log line per HTTP request: method, path, status, the Alexa request type and intent, and time taken.

Never a user id, never what she said. A caller could put anything in a request, so everything
from it (names, the reason for a refusal) goes through ``escape_for_log``: one line stays one line.
As text (``GET /healthz 200 0.4ms``) or, with ``serve --log-format json``, one JSON object a line
with the same fields, for a log pipeline.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any, Iterable, Optional

from flask import Flask, Request, Response, g, request

from skill.web.log_format import REQUEST_FIELDS
from skill.runtime.logtext import escape_for_log

log = logging.getLogger("skill.web")


@dataclass
class RequestNote:
    """What the line says beyond method, path and status; filled in while the request is handled."""

    started: float
    request_type: Optional[str] = None
    intent: Optional[str] = None
    problem: Optional[str] = None


def log_requests(app: Flask, known_paths: Iterable[str]) -> None:
    """Log one line for every request ``app`` answers, refusals at WARNING."""
    shown_as_is = frozenset(known_paths)

    @app.before_request
    def start_note() -> None:
        g.request_note = RequestNote(time.perf_counter())

    @app.after_request
    def log_line(response: Response) -> Response:
        status = response.status_code
        fields = _fields(request._get_current_object(), shown_as_is, status, g.get("request_note"))
        log.log(logging.WARNING if status >= 400 else logging.INFO, "%s", _as_text(fields),
                extra={REQUEST_FIELDS: fields})
        return response


def note_request(request_type: Optional[str], intent: Optional[str]) -> None:
    """Name the Alexa request type and intent in this request's line."""
    note = g.get("request_note")
    if note is not None:
        note.request_type, note.intent = request_type, intent


def note_problem(problem: str) -> None:
    """Say in this request's line why it was refused."""
    note = g.get("request_note")
    if note is not None:
        note.problem = problem


def _fields(http_request: Request, shown_as_is: frozenset[str], status: int,
            note: Optional[RequestNote]) -> dict[str, Any]:
    path = http_request.path
    if path not in shown_as_is:  # an unknown path is whatever the caller typed: log the route, not the path
        path = http_request.url_rule.rule if http_request.url_rule is not None else "(unknown path)"
    fields: dict[str, Any] = {"method": http_request.method, "path": path, "status": status}
    if note is not None:
        if note.request_type:
            fields["type"] = escape_for_log(note.request_type)
        if note.intent:
            fields["intent"] = escape_for_log(note.intent)
        fields["ms"] = round((time.perf_counter() - note.started) * 1000, 1)
        if note.problem:
            fields["problem"] = escape_for_log(note.problem)
    return fields


def _as_text(fields: dict[str, Any]) -> str:
    parts = [fields["method"], fields["path"], str(fields["status"])]
    parts += [f"{key}={fields[key]}" for key in ("type", "intent") if key in fields]
    if "ms" in fields:
        parts.append(f"{fields['ms']:.1f}ms")
    if "problem" in fields:
        parts.append(f"problem={fields['problem']}")
    return " ".join(parts)
