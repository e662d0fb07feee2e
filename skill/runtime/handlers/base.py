"""What every Cramp Coach handler shares: its parts (voice, stores, clock), and how a Reply is sent."""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from typing import Callable, Optional

from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import get_intent_name, get_slot, is_request_type
from ask_sdk_model import Response
from ask_sdk_model.slu.entityresolution import StatusCode

from skill.runtime import speech
from skill.runtime.content import Topic
from skill.runtime.replies import Reply, Voice
from skill.runtime.state import (
    KEEP_LAST_OUTPUT,
    MODE_WALKTHROUGH,
    ConversationState,
    WalkthroughProgress,
    WalkthroughStore,
)

BODY_PART_SLOT = "bodyPart"
DEFAULT_WALKTHROUGH_MAX_AGE_SECONDS = 12 * 60 * 60


@dataclass(frozen=True)
class SkillParts:
    """Everything a handler may use, passed in by the builder (never read from globals)."""

    voice: Voice
    walkthroughs: WalkthroughStore
    clock: Callable[[], float] = field(default=time.time)
    walkthrough_max_age_seconds: int = DEFAULT_WALKTHROUGH_MAX_AGE_SECONDS
    """Saved stretch progress older than this is offered from the top, not resumed."""


class SkillHandler(AbstractRequestHandler):
    """An ask-sdk request handler with the skill's parts."""

    def __init__(self, parts: SkillParts) -> None:
        self.parts = parts
        self.voice = parts.voice
        self.walkthroughs = parts.walkthroughs

    def now(self) -> int:
        return int(self.parts.clock())

    def send(self, handler_input: HandlerInput, reply: Reply) -> Response:
        """Speak ``reply``, and remember its offer so the next Yes or No can answer it."""
        ConversationState.of(handler_input).offer = reply.offer
        if not reply.repeatable:
            handler_input.attributes_manager.request_attributes[KEEP_LAST_OUTPUT] = True
        builder = handler_input.response_builder.speak(reply.speech)
        if reply.reprompt and not reply.end_session:
            builder.ask(reply.reprompt)
        builder.set_should_end_session(reply.end_session)
        return builder.response

    def answer(self, handler_input: HandlerInput, topic: Topic, index: int, offer: Optional[str] = None) -> Reply:
        """Answer ``index`` of ``topic``, remembering where she is for "tell me more"."""
        state = ConversationState.of(handler_input)
        state.answered(topic.name, index)
        doctor_heard = state.doctor_heard(topic.name)
        if topic.answers[index].doctor_line is not None:
            state.heard_doctor(topic.name)
        current = self.urgent_topic(handler_input)
        if topic.short is not None and (current is None or topic.tier < current.tier):
            state.urgent = topic.name
        return self.voice.answer(topic, index, offer, doctor_heard=doctor_heard)

    def not_understood(self, handler_input: HandlerInput, lead: str = "fallback") -> Reply:
        """What she hears when the skill did not understand: sorry, the safety net, and what was pending.

        A pending offer is asked again (so "yes" still works), mid-stretch the cue to go on.
        """
        voice = self.voice
        net = voice.safety_net(self.urgent_topic(handler_input))
        pending = ConversationState.of(handler_input).offer
        calm = self.calm_now(handler_input)
        if pending in voice.content.offers:
            reply = voice.ask(speech.join(voice.prompt("not_caught"), net), pending, calm=calm)
        elif self.active_walkthrough(handler_input) is not None:
            cue = voice.walkthrough_line("next_cue")
            body = speech.join(voice.prompt("not_caught"), net, cue)
            reply = Reply(speech=speech.calm(body) if calm else body, reprompt=speech.calm(cue) if calm else cue)
        else:
            reply = voice.open_question(speech.join(voice.prompt(lead), net))
        return replace(reply, repeatable=False)

    def calm_now(self, handler_input: HandlerInput) -> bool:
        """Whether the last answer was in the bedtime voice, so what follows it stays soft."""
        state = ConversationState.of(handler_input)
        if state.mode == MODE_WALKTHROUGH:
            progress = self.walkthroughs.load(handler_input)
            return bool(progress and progress.calm)
        topic = self.voice.content.topics.get(state.topic or "")
        return bool(topic and topic.calm)

    def urgent_topic(self, handler_input: HandlerInput) -> Optional[Topic]:
        """The tier 1 or 2 answer she heard this session, if any: its urgency sticks."""
        return self.voice.content.topics.get(ConversationState.of(handler_input).urgent or "")

    def more(self, handler_input: HandlerInput) -> Reply:
        """The next answer of the topic she last heard, or where to go when there is none."""
        state = ConversationState.of(handler_input)
        topic = self.voice.content.topics.get(state.topic or "")
        if topic is None:
            return self.voice.listen(self.voice.prompt("more_of_what"))
        index = state.answer_index + 1
        if index >= len(topic.answers):
            return self.voice.ask(self.voice.prompt("no_more"), "anything_else", calm=topic.calm, turn=index)
        return self.answer(handler_input, topic, index)

    def active_walkthrough(self, handler_input: HandlerInput) -> Optional[WalkthroughProgress]:
        """Progress, if she is in the middle of the guided stretch in this session."""
        if ConversationState.of(handler_input).mode != MODE_WALKTHROUGH:
            return None
        return self.walkthroughs.load(handler_input)

    def is_fresh(self, progress: WalkthroughProgress) -> bool:
        """Recent enough to pick up where she left off."""
        return progress.age(self.now()) <= self.parts.walkthrough_max_age_seconds


_IS_INTENT_REQUEST = is_request_type("IntentRequest")


def intent_name(handler_input: HandlerInput) -> Optional[str]:
    """The intent she asked for; None for any other request (launch, session ended, events)."""
    return get_intent_name(handler_input) if _IS_INTENT_REQUEST(handler_input) else None


def resolved_body_part(handler_input: HandlerInput) -> tuple[Optional[str], Optional[str]]:
    """(what she said, the BodyPart id it resolved to) — id None when Alexa found no match."""
    return resolved_slot(handler_input, BODY_PART_SLOT)


def resolved_slot(handler_input: HandlerInput, name: str) -> tuple[Optional[str], Optional[str]]:
    """(what she said, the id it resolved to) for slot ``name`` — id None when Alexa found no match."""
    slot = get_slot(handler_input, name)
    if slot is None or not slot.value:
        return None, None
    resolutions = slot.resolutions.resolutions_per_authority if slot.resolutions else None
    for authority in resolutions or []:
        if authority.status and authority.status.code == StatusCode.ER_SUCCESS_MATCH and authority.values:
            return slot.value, authority.values[0].value.id
    return slot.value, None
