"""Every request type Alexa can send, and what the skill answers to it: one table both entries read.

The web service (skill/web/app.py) and the Lambda entry (skill/lambda_function.py) look a request's type
up here and answer it the same way (skill/runtime/invoke.py ``respond``): run it through the skill's
handlers, or give a fixed answer that speaks nothing. A type in no row is not one this skill takes:
the web service answers 400 naming it, the Lambda entry fails the invocation with the same words.
Imports nothing but the standard library: the Lambda entry reads it at every cold start.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Any, Optional


class Answer(Enum):
    SKILL = "the skill's answer"
    """Through the skill's handlers (a handler that claims the type answers it)."""
    EMPTY = "the empty response"
    """Nothing spoken, nothing changed: notifications, and requests that allow no speech."""
    CANNOT_FULFILL = "canFulfill NO"
    """CanFulfillIntentRequest: the skill does not take part in name-free interaction."""


@dataclass(frozen=True)
class RequestType:
    """One row: a request type (or a family, written as a prefix ending in ".") and its answer."""

    name: str
    answer: Answer
    why: str
    conversation: bool = False
    """Sent inside her conversation: the envelope must carry a session and the request a locale."""

    @property
    def is_family(self) -> bool:
        return self.name.endswith(".")


REQUEST_TYPES: tuple[RequestType, ...] = (
    RequestType("LaunchRequest", Answer.SKILL, "she opened the skill", conversation=True),
    RequestType("IntentRequest", Answer.SKILL, "she asked for something", conversation=True),
    RequestType("SessionEndedRequest", Answer.SKILL,
                "the session closed; its handler logs why and says nothing (Alexa allows no speech)",
                conversation=True),
    RequestType("AlexaSkillEvent.SkillDisabled", Answer.SKILL, "she disabled the skill: her record is deleted"),
    RequestType("SessionResumedRequest", Answer.SKILL,
                "her session resumes after Alexa asked her for the reminders permission: the bedtime "
                "reminder is set, or she hears why not (skill/runtime/handlers/reminders.py)",
                conversation=True),
    RequestType("Connections.Response", Answer.SKILL,
                "Alexa's answer to the skill's AskFor (the reminders permission): the bedtime reminder is set, "
                "or she hears why not (skill/runtime/handlers/reminders.py); other results get the apology with the "
                "safety net", conversation=True),
    RequestType("CanFulfillIntentRequest", Answer.CANNOT_FULFILL,
                "the skill does not declare CAN_FULFILL_INTENT_REQUEST, so it says NO: nothing spoken, "
                "nothing stored, never chosen for a request that did not name it"),
    RequestType("System.ExceptionEncountered", Answer.EMPTY,
                "Alexa could not use an earlier response: logged as a warning; Alexa allows no speech"),
    RequestType("Alexa.Presentation.APL.RuntimeError", Answer.EMPTY,
                "a screen failed to render on her device: logged as a warning; nothing to say"),
    RequestType("AudioPlayer.", Answer.EMPTY, "the skill plays no audio stream; these allow no speech"),
    RequestType("PlaybackController.", Answer.EMPTY, "media buttons: the skill plays no audio stream"),
    RequestType("AlexaSkillEvent.", Answer.EMPTY, "other skill events (enabled, permissions): nothing to do"),
    RequestType("AlexaHouseholdListEvent.", Answer.EMPTY, "list events: the skill keeps no lists"),
    RequestType("Messaging.", Answer.EMPTY, "out-of-session messages: the skill sends none"),
)
"""Exact names are looked up before families, so ``AlexaSkillEvent.SkillDisabled`` beats ``AlexaSkillEvent.``.
Not here (so refused): ``Alexa.Presentation.APL.UserEvent`` (no screen sends events) and every other interface
the skill does not declare."""

WARNED_TYPES = frozenset({"System.ExceptionEncountered", "Alexa.Presentation.APL.RuntimeError"})
"""Answered empty, but they report a fault in what the skill sent: logged as warnings."""

_EXACT = {row.name: row for row in REQUEST_TYPES if not row.is_family}
_FAMILIES = tuple(row for row in REQUEST_TYPES if row.is_family)


def row_for(request_type: str) -> Optional[RequestType]:
    """The table's row for ``request_type``; None when the skill does not take it."""
    row = _EXACT.get(request_type)
    if row is not None:
        return row
    for family in _FAMILIES:
        if request_type.startswith(family.name):
            return family
    return None


def fixed_answer(answer: Answer) -> dict[str, Any]:
    """The response envelope for a row answered without the skill (a new dict each time: callers may keep it)."""
    if answer is Answer.EMPTY:
        return {"version": "1.0", "response": {}}
    if answer is Answer.CANNOT_FULFILL:
        return {"version": "1.0", "response": {"canFulfillIntent": {"canFulfill": "NO"}}}
    raise ValueError(f"{answer.value} is not a fixed answer")
