"""Build Alexa request envelopes, shaped exactly as Alexa sends them.

Used by ``cramp-coach say``/``chat`` (and the browser console) to talk to the real skill
without a device, and by the tests, so that every conversation goes through the same
request JSON a published skill receives.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Mapping, Optional

DEFAULT_LOCALE = "en-US"
LOCAL_SKILL_ID = "amzn1.ask.skill.00000000-0000-0000-0000-00000000c0ac"
LOCAL_USER_ID = "amzn1.ask.account.LOCALTESTUSER"
LOCAL_DEVICE_ID = "amzn1.ask.device.LOCALTESTDEVICE"
API_ENDPOINT = "https://api.amazonalexa.com"
API_ACCESS_TOKEN = "local-test-token"
REMINDERS_SCOPE = "alexa::alerts:reminders:skill:readwrite"


@dataclass(frozen=True)
class SlotFill:
    """What she said for a slot, and what entity resolution made of it (``None``: no match)."""

    spoken: str
    resolved_id: Optional[str] = None
    resolved_name: Optional[str] = None
    slot_type: str = ""


@dataclass
class Session:
    """One Alexa session as the device keeps it: ids, the attributes the skill returned, newness."""

    skill_id: str = LOCAL_SKILL_ID
    user_id: str = LOCAL_USER_ID
    device_id: str = LOCAL_DEVICE_ID
    session_id: str = field(default_factory=lambda: f"amzn1.echo-api.session.{uuid.uuid4()}")
    attributes: dict[str, Any] = field(default_factory=dict)
    new: bool = True
    locale: str = DEFAULT_LOCALE
    supported_interfaces: dict[str, Any] = field(default_factory=dict)
    """What the device can do, e.g. {"Alexa.Presentation.APL": {"runtime": {"maxVersion": "2023.3"}}}."""
    api_endpoint: str = API_ENDPOINT
    """Where Alexa's service APIs (Reminders, Settings) answer for this device's region."""
    api_access_token: str = API_ACCESS_TOKEN
    granted_scopes: tuple[str, ...] = ()
    """Permissions she has granted the skill, e.g. (REMINDERS_SCOPE,): Alexa sends them with every request."""

    def absorb(self, response_envelope: Mapping[str, Any]) -> None:
        """Carry the skill's reply into this session, as the device does between turns."""
        self.attributes = dict(response_envelope.get("sessionAttributes") or {})
        self.new = False

    def restart(self) -> None:
        """Start a fresh session for the same user and device."""
        self.session_id = f"amzn1.echo-api.session.{uuid.uuid4()}"
        self.attributes = {}
        self.new = True


def _now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _envelope(session: Session, request: dict[str, Any]) -> dict[str, Any]:
    application = {"applicationId": session.skill_id}
    user: dict[str, Any] = {"userId": session.user_id}
    if session.granted_scopes:
        user["permissions"] = {
            "consentToken": session.api_access_token,
            "scopes": {scope: {"status": "GRANTED"} for scope in session.granted_scopes},
        }
    request = {
        "requestId": f"amzn1.echo-api.request.{uuid.uuid4()}",
        "timestamp": _now(),
        "locale": session.locale,
        **request,
    }
    return {
        "version": "1.0",
        "session": {
            "new": session.new,
            "sessionId": session.session_id,
            "application": application,
            "attributes": dict(session.attributes),
            "user": user,
        },
        "context": {
            "System": {
                "application": application,
                "user": user,
                "device": {"deviceId": session.device_id, "supportedInterfaces": dict(session.supported_interfaces)},
                "apiEndpoint": session.api_endpoint,
                "apiAccessToken": session.api_access_token,
            }
        },
        "request": request,
    }


def launch_request(session: Session) -> dict[str, Any]:
    """"Alexa, open cramp coach"."""
    return _envelope(session, {"type": "LaunchRequest", "shouldLinkResultBeReturned": False})


def _slot_json(name: str, fill: Optional[SlotFill], skill_id: str) -> dict[str, Any]:
    slot: dict[str, Any] = {"name": name, "confirmationStatus": "NONE"}
    if fill is None:
        return slot
    slot["value"] = fill.spoken
    slot["source"] = "USER"
    if fill.slot_type:
        authority = f"amzn1.er-authority.echo-sdk.{skill_id}.{fill.slot_type}"
        if fill.resolved_id is not None:
            resolution = {
                "authority": authority,
                "status": {"code": "ER_SUCCESS_MATCH"},
                "values": [{"value": {"name": fill.resolved_name or fill.spoken, "id": fill.resolved_id}}],
            }
        else:
            resolution = {"authority": authority, "status": {"code": "ER_SUCCESS_NO_MATCH"}}
        slot["resolutions"] = {"resolutionsPerAuthority": [resolution]}
    return slot


def intent_request(
    session: Session,
    intent_name: str,
    slots: Optional[Mapping[str, Optional[SlotFill]]] = None,
) -> dict[str, Any]:
    """An IntentRequest; every slot the intent declares appears, filled or not, as Alexa sends it."""
    slots = slots or {}
    intent = {
        "name": intent_name,
        "confirmationStatus": "NONE",
        "slots": {name: _slot_json(name, fill, session.skill_id) for name, fill in slots.items()},
    }
    if not intent["slots"]:
        del intent["slots"]
    return _envelope(session, {"type": "IntentRequest", "intent": intent})


def session_ended_request(session: Session, reason: str = "USER_INITIATED") -> dict[str, Any]:
    """Alexa closing the session (she said nothing, walked away, or an error)."""
    request: dict[str, Any] = {"type": "SessionEndedRequest", "reason": reason}
    if reason == "ERROR":
        request["error"] = {"type": "INVALID_RESPONSE", "message": "local test error"}
    return _envelope(session, request)


def skill_event_request(session: Session, event_type: str = "AlexaSkillEvent.SkillDisabled") -> dict[str, Any]:
    """A skill event (enabled, disabled, …): no session, sent when she changes the skill in her app."""
    envelope = _envelope(session, {
        "type": event_type,
        "eventCreationTime": _now(),
        "eventPublishingTime": _now(),
    })
    del envelope["session"]
    return envelope


def connections_response(session: Session, status: str = "ACCEPTED", token: str = "", code: str = "200") -> dict[str, Any]:
    """Alexa's answer to the skill's AskFor permission request: ACCEPTED, DENIED or NOT_ANSWERED."""
    return _envelope(session, {
        "type": "Connections.Response",
        "status": {"code": code, "message": "OK" if code == "200" else "Error"},
        "name": "AskFor",
        "payload": {"permissionScope": REMINDERS_SCOPE, "status": status},
        "token": token,
    })


def session_resumed_request(session: Session, status: str = "ACCEPTED", token: str = "", code: str = "200") -> dict[str, Any]:
    """The skill's session resumed after Alexa's consent dialog (AskForPermissionsConsent over skill connections)."""
    return _envelope(session, {
        "type": "SessionResumedRequest",
        "cause": {
            "type": "ConnectionCompleted",
            "token": token,
            "status": {"code": code, "message": "OK" if code == "200" else "Error"},
            "result": {"status": status, "permissionScope": REMINDERS_SCOPE},
        },
    })
