"""Urgency that sticks: after a tier 1 or tier 2 answer, the session never closes on a cheery
goodbye, and "is this an emergency" gets the urgent line again (tiers in content/safety.yaml)."""

from __future__ import annotations

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import is_intent_name
from ask_sdk_model import Response

from skill.content import Topic
from skill.handlers.base import SkillHandler
from skill.replies import Reply

CLOSING_INTENTS = (
    "AMAZON.StopIntent",
    "AMAZON.CancelIntent",
    "AMAZON.NavigateHomeIntent",
    "AMAZON.NoIntent",
    "FeelingBetterIntent",
)
URGENCY_QUESTIONS = ("WhenToSeeDoctorIntent",)
"""Where "is this an emergency" and "should I go to the hospital" land in the interaction model."""


class _AfterUrgentAnswer(SkillHandler):
    """One of ``intent_names`` said after a tier 1 or 2 answer in this session."""

    intent_names: tuple[str, ...] = ()

    def can_handle(self, handler_input: HandlerInput) -> bool:
        if not any(is_intent_name(name)(handler_input) for name in self.intent_names):
            return False
        return self.urgent_topic(handler_input) is not None

    def handle(self, handler_input: HandlerInput) -> Response:
        topic = self.urgent_topic(handler_input)
        assert topic is not None  # can_handle checked it
        return self.send(handler_input, self.reply(topic))

    def reply(self, topic: Topic) -> Reply:
        raise NotImplementedError


class UrgentCloseHandler(_AfterUrgentAnswer):
    """Stop, Cancel, No or "that's better" after an urgent answer: the urgent line in short form, then close."""

    intent_names = CLOSING_INTENTS

    def reply(self, topic: Topic) -> Reply:
        return self.voice.urgent_goodbye(topic)


class UrgentQuestionHandler(_AfterUrgentAnswer):
    """ "Is this an emergency?", "should I go to the hospital?" after an urgent answer: say it again, short."""

    intent_names = URGENCY_QUESTIONS

    def reply(self, topic: Topic) -> Reply:
        return self.voice.ask(self.voice.safety_net(topic), "repeat")
