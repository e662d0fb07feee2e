"""What every Cramp Coach handler shares: the voice, the walkthrough store, and how a Reply is sent."""

from __future__ import annotations

from typing import Optional

from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import get_slot
from ask_sdk_model import Response
from ask_sdk_model.slu.entityresolution import StatusCode

from skill.replies import Reply, Voice
from skill.state import MODE_WALKTHROUGH, ConversationState, WalkthroughProgress, WalkthroughStore

BODY_PART_SLOT = "bodyPart"


class SkillHandler(AbstractRequestHandler):
    """An ask-sdk request handler with the skill's voice and stores passed in."""

    def __init__(self, voice: Voice, walkthroughs: WalkthroughStore) -> None:
        self.voice = voice
        self.walkthroughs = walkthroughs

    def send(self, handler_input: HandlerInput, reply: Reply) -> Response:
        """Speak ``reply``, and remember its offer so the next Yes or No can answer it."""
        ConversationState.of(handler_input).offer = reply.offer
        builder = handler_input.response_builder.speak(reply.speech)
        if reply.reprompt and not reply.end_session:
            builder.ask(reply.reprompt)
        builder.set_should_end_session(reply.end_session)
        return builder.response

    def active_walkthrough(self, handler_input: HandlerInput) -> Optional[WalkthroughProgress]:
        """Progress, if she is in the middle of the guided stretch right now."""
        if ConversationState.of(handler_input).mode != MODE_WALKTHROUGH:
            return None
        return self.walkthroughs.load(handler_input)


def resolved_body_part(handler_input: HandlerInput) -> tuple[Optional[str], Optional[str]]:
    """(what she said, the BodyPart id it resolved to) — id None when Alexa found no match."""
    slot = get_slot(handler_input, BODY_PART_SLOT)
    if slot is None or not slot.value:
        return None, None
    resolutions = slot.resolutions.resolutions_per_authority if slot.resolutions else None
    for authority in resolutions or []:
        if authority.status and authority.status.code == StatusCode.ER_SUCCESS_MATCH and authority.values:
            return slot.value, authority.values[0].value.id
    return slot.value, None
