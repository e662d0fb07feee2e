"""The nightly bedtime reminder: set, read, change and cancel it by voice, asking her permission the Alexa way.

The time comes from an ``AMAZON.TIME`` slot, elicited with ``Dialog.ElicitSlot`` when she gave
none. Without the reminders permission the skill asks for it by voice (``Connections.SendRequest``
AskFor), carrying the time she chose in the request's token, and finishes when Alexa sends the
``Connections.Response`` (or ``SessionResumedRequest``); where voice consent is not available,
a consent card in the Alexa app. Every API failure is one short sentence and changes nothing.
"""

from __future__ import annotations

import logging
from typing import Any, Callable, Optional

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import get_slot, is_request_type
from ask_sdk_model import Intent, IntentConfirmationStatus, Response, Slot, SlotConfirmationStatus
from ask_sdk_model.dialog import ElicitSlotDirective
from ask_sdk_model.interfaces.connections import SendRequestDirective
from ask_sdk_model.ui import AskForPermissionsConsentCard

from skill.runtime import speech
from skill.runtime.bedtime import Bedtime, read_slot
from skill.runtime.handlers.base import SkillHandler, SkillParts, intent_name
from skill.runtime.reminder_words import load_reminder_words
from skill.runtime.reminders import (
    REMINDERS_SCOPE,
    BedtimeReminder,
    BedtimeReminders,
    Failure,
    ReminderFailure,
    has_permission,
)
from skill.runtime.replies import Reply
from skill.runtime.state import ConversationState

TIME_SLOT = "time"
SET_CONTROL = "set_reminder"
"""The control (content/controls.yaml) whose first intent is asked for again when the time is missing."""
CHANGE_OFFER = "change_reminder"
"""The offer after "you already have one at 9 PM, not 10 PM" (content/prompts.yaml: offers); its yes is the
change_reminder action, which changes it to the time she asked for."""
CANCEL_OFFER = "cancel_reminder"
"""The offer after "cancel my bedtime reminder": a misheard phrase must not delete what she set."""
ASK_FOR = "AskFor"
TOKEN_PREFIX = "bedtime-reminder@"
"""Token of the permission request: the time she chose travels with it and comes back in the response."""
ACCEPTED, DENIED, NOT_ANSWERED = "ACCEPTED", "DENIED", "NOT_ANSWERED"
CONSENT_REQUEST = {"@type": "AskForPermissionsConsentRequest", "@version": "1", "permissionScope": REMINDERS_SCOPE}

log = logging.getLogger(__name__)


class ReminderHandler(SkillHandler):
    """What the reminder handlers share: their words, and how each outcome is said.

    Constructed as a control of content/controls.yaml: it answers only ``intents``.
    """

    def __init__(self, parts: SkillParts, intents: tuple[str, ...] = ()) -> None:
        super().__init__(parts)
        self.intents = frozenset(intents)
        self.words = load_reminder_words()

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return intent_name(handler_input) in self.intents

    def line(self, name: str, **values: str) -> str:
        return speech.text(self.voice.pick(self.words.lines[name]).format(**values))

    def close(self, handler_input: HandlerInput, name: str, **values: str) -> Reply:
        """Say ``name`` and end; after a tier 1 or 2 answer this session, its urgent line still comes last."""
        urgent = self.urgent_topic(handler_input)
        spoken = speech.join(self.line(name, **values), self.voice.safety_net(urgent) if urgent else "")
        return Reply(speech=spoken, end_session=True)

    def elicit_time(self, handler_input: HandlerInput, intent: str, line: str = "ask_time") -> Reply:
        """Ask for the time with Dialog.ElicitSlot, so Alexa hears her answer as the time slot."""
        asked = self.line(line)
        slot = Slot(name=TIME_SLOT, confirmation_status=SlotConfirmationStatus.NONE)
        updated = Intent(name=intent, confirmation_status=IntentConfirmationStatus.NONE, slots={TIME_SLOT: slot})
        handler_input.response_builder.add_directive(ElicitSlotDirective(updated_intent=updated, slot_to_elicit=TIME_SLOT))
        return Reply(speech=asked, reprompt=asked)

    def ask_permission(self, handler_input: HandlerInput, said: str) -> Response:
        """Alexa asks her for the reminders permission by voice; the answer comes back as Connections.Response,
        with the time she said (as the slot had it) in its token. The session is Alexa's until then."""
        ConversationState.of(handler_input).offer = None
        directive = SendRequestDirective(name=ASK_FOR, payload=dict(CONSENT_REQUEST), token=TOKEN_PREFIX + said)
        return handler_input.response_builder.speak(self.line("ask_permission")).add_directive(directive).response

    def consent_card(self, handler_input: HandlerInput, name: str) -> Reply:
        """Where voice consent is not available: one sentence, and the permission card in the Alexa app."""
        handler_input.response_builder.set_card(AskForPermissionsConsentCard(permissions=[REMINDERS_SCOPE]))
        return self.close(handler_input, name)

    def failed(self, handler_input: HandlerInput, failure: ReminderFailure) -> Reply:
        log.warning("reminders API: %s", failure)
        if failure.failure is Failure.PERMISSION:
            return self.consent_card(handler_input, "permission_revoked")
        return self.close(handler_input, {
            Failure.LIMIT: "device_limit", Failure.BUSY: "busy",
        }.get(failure.failure, "unavailable"))

    def with_existing(
        self, handler_input: HandlerInput, act: Callable[[BedtimeReminders, BedtimeReminder], Reply],
    ) -> Reply:
        """Act on her reminder; without the permission, or without a reminder, there is none to act on."""
        if not has_permission(handler_input):
            return self.close(handler_input, "none_set")
        try:
            reminders = BedtimeReminders(handler_input)
            existing = reminders.current()
            return self.close(handler_input, "none_set") if existing is None else act(reminders, existing)
        except ReminderFailure as failure:
            return self.failed(handler_input, failure)

    def reminder_text(self) -> str:
        """What her Echo says each night: a bedtime tip and the invitation to the stretch."""
        return f"{self.voice.pick(self.words.tip)} {self.voice.pick(self.words.invitation)}"

    def set_or_offer_change(self, handler_input: HandlerInput, bedtime: Bedtime, *, change: bool = False) -> Reply:
        """At most one reminder: set it, or change the one there (asking first unless she said "change")."""
        try:
            reminders = BedtimeReminders(handler_input)
            existing = reminders.current()
            if existing is not None and (existing.bedtime.hour, existing.bedtime.minute) == (bedtime.hour, bedtime.minute):
                return self.close(handler_input, "when", time=existing.bedtime.spoken())
            if existing is not None and not change:
                ConversationState.of(handler_input).reminder_new_time = bedtime.slot_value
                said = self.line("already_set", time=existing.bedtime.spoken(), new_time=bedtime.spoken())
                return self.voice.ask(said, CHANGE_OFFER)
            if existing is not None:
                reminders.change(existing, bedtime, self.reminder_text())
                return self.close(handler_input, "changed", time=bedtime.spoken())
            reminders.create(bedtime, self.reminder_text())
        except ReminderFailure as failure:
            return self.failed(handler_input, failure)
        return self.close(handler_input, "set_assumed_evening" if bedtime.assumed_evening else "set", time=bedtime.spoken())

    def change_to_asked_time(self, handler_input: HandlerInput) -> Reply:
        """Yes to "change it?": the time she asked for, kept in the session while the skill asked."""
        state = ConversationState.of(handler_input)
        asked = read_slot(state.reminder_new_time)
        state.reminder_new_time = None
        if asked is None:  # the time she asked for is gone: ask for it, as "remind me before bed" does
            return self.elicit_time(handler_input, self.voice.content.controls[SET_CONTROL][0])
        return self.set_or_offer_change(handler_input, asked, change=True)

    def cancel_now(self, handler_input: HandlerInput) -> Reply:
        """Yes to "cancel it?": her reminder, read again from the API, is deleted."""
        def cancel(reminders: BedtimeReminders, existing: BedtimeReminder) -> Reply:
            reminders.cancel(existing)
            return self.close(handler_input, "cancelled")

        return self.with_existing(handler_input, cancel)


class SetReminderHandler(ReminderHandler):
    """"Remind me to stretch before bed", "set a bedtime reminder for 9:30": asks before changing one she has."""

    changes = False
    """Whether her words already said to change the one she has ("change it to 10 PM")."""

    def handle(self, handler_input: HandlerInput) -> Response:
        intent = intent_name(handler_input) or ""
        slot = get_slot(handler_input, TIME_SLOT)
        said = slot.value if slot is not None else None
        if not said:
            return self.send(handler_input, self.elicit_time(handler_input, intent))
        bedtime = read_slot(said)
        if bedtime is None:  # a part of the day ("tonight", "evening"), not a time
            return self.send(handler_input, self.elicit_time(handler_input, intent, "ask_time_again"))
        if not has_permission(handler_input):
            return self.ask_permission(handler_input, said)
        return self.send(handler_input, self.set_or_offer_change(handler_input, bedtime, change=self.changes))


class ChangeReminderHandler(SetReminderHandler):
    """"Change it to 10 PM", "move my bedtime reminder": sets one if she has none."""

    changes = True


class ReminderWhenHandler(ReminderHandler):
    """"When is my bedtime reminder": read back from the API, never from anything stored."""

    def handle(self, handler_input: HandlerInput) -> Response:
        return self.send(handler_input, self.with_existing(handler_input, lambda reminders, existing: self.close(
            handler_input, "when", time=existing.bedtime.spoken())))


class CancelReminderHandler(ReminderHandler):
    """"Cancel my bedtime reminder": says which one, and cancels it when she says yes."""

    def handle(self, handler_input: HandlerInput) -> Response:
        return self.send(handler_input, self.with_existing(handler_input, lambda reminders, existing: self.voice.ask(
            self.line("when", time=existing.bedtime.spoken()), CANCEL_OFFER)))


class PermissionAnswerHandler(ReminderHandler):
    """Alexa's answer to the permission request: a Connections.Response, or a SessionResumedRequest."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        request = handler_input.request_envelope.request
        if is_request_type("Connections.Response")(handler_input):
            return getattr(request, "name", None) == ASK_FOR
        return is_request_type("SessionResumedRequest")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        return self.send(handler_input, self.answered(handler_input))

    def answered(self, handler_input: HandlerInput) -> Reply:
        code, status, token = _outcome(handler_input.request_envelope.request)
        bedtime = read_slot(token[len(TOKEN_PREFIX):]) if token.startswith(TOKEN_PREFIX) else None
        if bedtime is None:  # not an answer to a question this skill asked: sorry, with the safety net
            log.warning("a permission answer without the skill's token (status %s, %s)", code, status)
            return self.not_understood(handler_input)
        if code != "200":
            log.info("voice permission request not available here (status %s): sending the consent card", code)
            return self.consent_card(handler_input, "permission_card")
        if status == ACCEPTED:
            return self.set_or_offer_change(handler_input, bedtime)
        return self.close(handler_input, "denied" if status == DENIED else "not_answered")


def _outcome(request: Any) -> tuple[str, str, str]:
    """(status code, consent status, token) of a Connections.Response or a SessionResumedRequest."""
    if getattr(request, "object_type", None) == "SessionResumedRequest":
        cause = request.cause
        status = getattr(cause, "status", None)
        result = getattr(cause, "result", None)
        consent = result.get("status") if isinstance(result, dict) else None
        return str(getattr(status, "code", "") or ""), str(consent or NOT_ANSWERED), getattr(cause, "token", "") or ""
    payload: Optional[dict[str, Any]] = request.payload if isinstance(request.payload, dict) else {}
    code = str(getattr(request.status, "code", "") or "")
    return code, str((payload or {}).get("status") or NOT_ANSWERED), request.token or ""
