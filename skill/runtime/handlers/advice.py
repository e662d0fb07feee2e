"""Topic answers from the article: one handler a topic, answering the intent content gives it."""

from __future__ import annotations

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model import Response

from skill.runtime.content import FALLBACK_TOPIC, MID_STRETCH_OFFER, Topic
from skill.runtime.handlers.base import SkillParts, intent_name, resolved_body_part, resolved_slot
from skill.runtime.handlers.walkthrough import WalkthroughHandler
from skill.runtime.replies import Reply


MEDICINE_SLOT = "medicine"
"""Only medicine names fill it (MedicineName); anything else she said there was not understood."""


class TopicHandler(WalkthroughHandler):
    """Answers one topic's intent with its first answer; a body part may send her elsewhere.

    The topic may say what its intent does instead mid-stretch (``mid_stretch``) or once urgency
    sticks (``after_urgency``); ``reply`` is where those are decided.
    """

    def __init__(self, parts: SkillParts, topic: Topic) -> None:
        super().__init__(parts)
        self.topic = topic

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return intent_name(handler_input) == self.topic.intent

    def handle(self, handler_input: HandlerInput) -> Response:
        return self.send(handler_input, self.reply(handler_input))

    def reply(self, handler_input: HandlerInput) -> Reply:
        urgent = self.urgent_topic(handler_input)
        if self.topic.after_urgency == "repeat_urgent_line" and urgent is not None:
            # "is this an emergency?" after an urgent answer: say it again, short
            return self.voice.ask(self.voice.safety_net(urgent), "repeat")
        progress = self.active_walkthrough(handler_input)
        if self.topic.mid_stretch == "ease_off" and progress is not None:
            return self.ease_off(progress)
        spoken, medicine = resolved_slot(handler_input, MEDICINE_SLOT)
        if spoken and medicine is None:
            # "can I have a glass of wine", "what about the other leg": not a medicine at all
            return self.not_understood(handler_input)
        topic = self._routed_topic(handler_input)
        # a question mid-stretch: answered, then she is asked whether to go back to her step
        offer = MID_STRETCH_OFFER if progress is not None and not topic.tier else None
        return self.answer(handler_input, topic, 0, offer)

    def _routed_topic(self, handler_input: HandlerInput) -> Topic:
        """The topic she really asked about, given the body part she named."""
        if not self.topic.body_parts:
            return self.topic
        spoken, part = resolved_body_part(handler_input)
        topics = self.voice.content.topics
        if spoken is not None and part is None:
            return topics[FALLBACK_TOPIC]
        return topics[self.topic.body_parts[part]] if part in self.topic.body_parts else self.topic
