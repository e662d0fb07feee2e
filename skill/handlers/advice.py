"""Topic answers from the article, and "tell me more" through a topic's answers."""

from __future__ import annotations

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import is_intent_name
from ask_sdk_model import Response

from skill.content import FALLBACK_TOPIC, MID_STRETCH_OFFER, Topic
from skill.handlers.base import SkillHandler, SkillParts, resolved_body_part, resolved_slot
from skill.state import MODE_WALKTHROUGH, ConversationState


MEDICINE_SLOT = "medicine"
"""Only medicine names fill it (MedicineName); anything else she said there was not understood."""


class TopicHandler(SkillHandler):
    """Answers one topic's intent with its first answer; a body part may send her elsewhere."""

    def __init__(self, parts: SkillParts, topic: Topic) -> None:
        super().__init__(parts)
        self.topic = topic
        self._asked_for = is_intent_name(topic.intent)

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return self._asked_for(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        spoken, medicine = resolved_slot(handler_input, MEDICINE_SLOT)
        if spoken and medicine is None:
            # "can I have a glass of wine", "what about the other leg": not a medicine at all
            return self.send(handler_input, self.not_understood(handler_input))
        topic = self._routed_topic(handler_input)
        # a question mid-stretch: answered, then she is asked whether to go back to her step
        in_stretch = self.active_walkthrough(handler_input) is not None and not topic.tier
        offer = MID_STRETCH_OFFER if in_stretch else None
        return self.send(handler_input, self.answer(handler_input, topic, 0, offer))

    def _routed_topic(self, handler_input: HandlerInput) -> Topic:
        """The topic she really asked about, given the body part she named."""
        if not self.topic.body_parts:
            return self.topic
        spoken, part = resolved_body_part(handler_input)
        topics = self.voice.content.topics
        if spoken is not None and part is None:
            return topics[FALLBACK_TOPIC]
        return topics[self.topic.body_parts[part]] if part in self.topic.body_parts else self.topic


class TellMeMoreHandler(SkillHandler):
    """ "Tell me more", "what else" — or Next outside the walkthrough: the topic's next answer."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        if is_intent_name("TellMeMoreIntent")(handler_input):
            return True
        if not is_intent_name("AMAZON.NextIntent")(handler_input):
            return False
        return ConversationState.of(handler_input).mode != MODE_WALKTHROUGH

    def handle(self, handler_input: HandlerInput) -> Response:
        return self.send(handler_input, self.more(handler_input))

