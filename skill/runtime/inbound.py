"""What arrives at either entry: is it an Alexa request envelope, and is it one this skill serves?

Checked before ask-sdk's deserializer sees it, on the web service and on Lambda alike, so bad input
is refused naming the field (``request.timestamp: missing``: a 400 on the web, a failed invocation
on Lambda) instead of a stack trace, and the skill only ever runs on envelopes shaped as Alexa
sends them. Which types it serves, and how, is skill/runtime/request_types.py's table.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, Optional

from skill.runtime.request_types import RequestType, row_for

MAX_SHOWN_CHARS = 60

_TIMESTAMP = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})", re.ASCII
)
_LOCALE = re.compile(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*", re.ASCII)


class BadEnvelope(ValueError):
    """The body is not an Alexa request this skill can take; ``str()`` names the field."""

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"{field}: {problem}")
        self.field = field


@dataclass(frozen=True)
class InboundRequest:
    """The little an entry needs to know about a well-formed envelope."""

    request_type: str
    intent_name: Optional[str]
    timestamp: datetime
    application_ids: tuple[str, ...]
    row: RequestType
    """What the skill answers to this type (skill/runtime/request_types.py)."""


def check_envelope(envelope: Any) -> InboundRequest:
    """Every field an entry or ask-sdk relies on is present and of the right JSON type."""
    if not isinstance(envelope, dict):
        raise BadEnvelope("body", f"must be a JSON object, got {_json_type(envelope)}")
    _string(envelope, "version", "version")
    request = _object(envelope, "request", "request")
    request_type = _string(request, "type", "request.type")
    _string(request, "requestId", "request.requestId")
    timestamp = _timestamp(_string(request, "timestamp", "request.timestamp"))
    system = _object(_object(envelope, "context", "context"), "System", "context.System")
    application_ids = [_application_id(system, "context.System")]
    _optional_user(system, "context.System")
    device = _object(system, "device", "context.System.device", required=False)
    if device is not None:
        _string(device, "deviceId", "context.System.device.deviceId", required=False)
        _object(device, "supportedInterfaces", "context.System.device.supportedInterfaces", required=False)
    for name in ("apiEndpoint", "apiAccessToken"):
        _string(system, name, f"context.System.{name}", required=False)

    row = row_for(request_type)
    if row is None:
        raise BadEnvelope("request.type", f"{_shown(request_type)} is not supported by this skill")
    conversation = row.conversation
    session = _object(envelope, "session", "session", required=conversation)
    if session is not None:
        application_ids.append(_check_session(session))
    intent_name = None
    if conversation:
        locale = _string(request, "locale", "request.locale")
        if not _LOCALE.fullmatch(locale):
            raise BadEnvelope("request.locale", "not a locale such as en-US")
        intent_name = _check_request_body(request, request_type)
    return InboundRequest(request_type, intent_name, timestamp, tuple(application_ids), row)


def _check_session(session: dict[str, Any]) -> str:
    new = session.get("new")
    if new is None:
        raise BadEnvelope("session.new", "missing")
    if not isinstance(new, bool):
        raise BadEnvelope("session.new", f"must be true or false, got {_json_type(new)}")
    _string(session, "sessionId", "session.sessionId")
    _object(session, "attributes", "session.attributes", required=False)
    _optional_user(session, "session")
    return _application_id(session, "session")


def _check_request_body(request: dict[str, Any], request_type: str) -> Optional[str]:
    if request_type == "SessionEndedRequest":
        _string(request, "reason", "request.reason", required=False)
        _object(request, "error", "request.error", required=False)
        return None
    if request_type != "IntentRequest":
        return None
    _string(request, "dialogState", "request.dialogState", required=False)
    intent = _object(request, "intent", "request.intent")
    name = _string(intent, "name", "request.intent.name")
    _string(intent, "confirmationStatus", "request.intent.confirmationStatus", required=False)
    slots = _object(intent, "slots", "request.intent.slots", required=False) or {}
    for key, slot in slots.items():
        where = f"request.intent.slots.{_shown(key, quoted=False)}"
        if not isinstance(slot, dict):
            raise BadEnvelope(where, f"must be an object, got {_json_type(slot)}")
        for field in ("name", "value", "confirmationStatus", "source"):
            _string(slot, field, f"{where}.{field}", required=False, allow_empty=True)
        _object(slot, "resolutions", f"{where}.resolutions", required=False)
    return name


def _application_id(container: dict[str, Any], where: str) -> str:
    application = _object(container, "application", f"{where}.application")
    return _string(application, "applicationId", f"{where}.application.applicationId")


def _optional_user(container: dict[str, Any], where: str) -> None:
    user = _object(container, "user", f"{where}.user", required=False)
    if user is not None:
        _string(user, "userId", f"{where}.user.userId")


def _object(container: dict[str, Any], key: str, where: str, required: bool = True) -> Optional[dict[str, Any]]:
    if key not in container:
        if required:
            raise BadEnvelope(where, "missing")
        return None
    value = container[key]
    if not isinstance(value, dict):
        raise BadEnvelope(where, f"must be an object, got {_json_type(value)}")
    return value


def _string(
    container: dict[str, Any], key: str, where: str, required: bool = True, allow_empty: bool = False
) -> Any:
    if key not in container:
        if required:
            raise BadEnvelope(where, "missing")
        return None
    value = container[key]
    if not isinstance(value, str):
        raise BadEnvelope(where, f"must be a string, got {_json_type(value)}")
    if not value and not allow_empty:
        raise BadEnvelope(where, "must not be empty")
    return value


def _timestamp(text: str) -> datetime:
    match = _TIMESTAMP.fullmatch(text)
    problem = "not an ISO 8601 time such as 2024-05-01T22:14:03Z"
    if not match:
        raise BadEnvelope("request.timestamp", problem)
    year, month, day, hour, minute, second, fraction, zone = match.groups()
    try:
        offset = timedelta(0)
        if zone != "Z":
            sign = -1 if zone[0] == "-" else 1
            offset = sign * timedelta(hours=int(zone[1:3]), minutes=int(zone[4:6]))
        microsecond = int((fraction or "0")[:6].ljust(6, "0"))
        moment = datetime(int(year), int(month), int(day), int(hour), int(minute), int(second), microsecond,
                          tzinfo=timezone(offset))
        return moment.astimezone(timezone.utc)
    except (ValueError, OverflowError):
        raise BadEnvelope("request.timestamp", problem) from None


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    return "an object"


def _shown(text: str, quoted: bool = True) -> str:
    """Caller-supplied text, short and printable, for an error message."""
    clipped = text if len(text) <= MAX_SHOWN_CHARS else text[:MAX_SHOWN_CHARS] + "…"
    printable = "".join(ch if ch.isprintable() else "?" for ch in clipped)
    return repr(printable) if quoted else printable
