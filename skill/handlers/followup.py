"""Yes and No: each answer ends with one offer, and these carry it out or close kindly."""

from __future__ import annotations

from typing import Callable

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import is_intent_name
from ask_sdk_model import Response

from skill.handlers.advice import more_about_topic
from skill.handlers.walkthrough import WalkthroughHandler
from skill.replies import Reply
from skill.state import ConversationState


class YesHandler(WalkthroughHandler):
    """ "Yes" to the offer that ended the last answer."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent_name("AMAZON.YesIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        state = ConversationState.of(handler_input)
        action = self._actions().get(state.offer or "")
        if action is None:
            return self.send(handler_input, self.voice.listen(self.voice.prompt("yes_without_offer")))
        return self.send(handler_input, action(handler_input))

    def _actions(self) -> dict[str, Callable[[HandlerInput], Reply]]:
        """What Yes does after each offer named in content/prompts.yaml."""
        return {
            "walkthrough": lambda hi: self.start(hi),
            "bedtime_stretch": lambda hi: self.start(hi, calm=True),
            "walkthrough_again": lambda hi: self.start(hi, lead=self.voice.walkthrough_line("starting_over")),
            "more": lambda hi: more_about_topic(self.voice, hi),
            "anything_else": lambda hi: self.voice.listen(self.voice.prompt("what_else")),
            "repeat": self._repeat,
            "cramp_relief": lambda hi: self._topic(hi, "cramp_now"),
            "food": lambda hi: self._topic(hi, "food"),
        }

    def _topic(self, handler_input: HandlerInput, name: str) -> Reply:
        ConversationState.of(handler_input).answered(name, 0)
        return self.voice.answer(self.voice.content.topics[name], 0)

    def _repeat(self, handler_input: HandlerInput) -> Reply:
        state = ConversationState.of(handler_input)
        return Reply(speech=state.last_speech or "", reprompt=state.last_reprompt, offer=state.offer)


class NoHandler(WalkthroughHandler):
    """ "No": close gently — after worrying symptoms, with the urgent line, never a cheery goodbye."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent_name("AMAZON.NoIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        topic = self.voice.content.topics.get(ConversationState.of(handler_input).topic or "")
        if topic is not None and topic.urgent:
            return self.send(handler_input, self.voice.urgent_goodbye())
        return self.send(handler_input, self.voice.goodbye())
