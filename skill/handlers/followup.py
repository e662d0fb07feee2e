"""Yes and No: each answer ends with one offer, and these carry it out or close kindly."""

from __future__ import annotations

import logging
from typing import Callable

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import is_intent_name
from ask_sdk_model import Response

from skill.handlers.walkthrough import WalkthroughHandler
from skill.replies import Reply
from skill.state import ConversationState, Memory
from skill.stores import StoreUnavailable

log = logging.getLogger(__name__)

# After these offers, No means "not that" rather than "goodbye": she may want something else.
_NO_KEEPS_LISTENING = {"resume_walkthrough", "restart_walkthrough", "back_to_stretch", "forget"}


class YesHandler(WalkthroughHandler):
    """ "Yes" to the offer that ended the last answer."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent_name("AMAZON.YesIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        state = ConversationState.of(handler_input)
        action = self._actions().get(state.offer or "")
        if action is None:
            return self.send(handler_input, self.not_understood(handler_input, lead="yes_without_offer"))
        return self.send(handler_input, action(handler_input))

    def _actions(self) -> dict[str, Callable[[HandlerInput], Reply]]:
        """What Yes does after each offer named in content/prompts.yaml."""
        restart = self.voice.walkthrough_line
        return {
            "walkthrough": lambda hi: self.start(hi),
            "bedtime_stretch": lambda hi: self.start(hi, calm=True),
            "walkthrough_again": lambda hi: self.start(hi, lead=restart("starting_over")),
            "restart_walkthrough": lambda hi: self.start(hi, lead=restart("starting_over")),
            "resume_walkthrough": self._resume,
            "back_to_stretch": self._resume,
            "more": self.more,
            "anything_else": lambda hi: self.voice.listen(self.voice.prompt("what_else")),
            "repeat": self._repeat,
            "cramp_relief": lambda hi: self.answer(hi, self.voice.content.topics["cramp_now"], 0),
            "back_relief": lambda hi: self.answer(hi, self.voice.content.topics["back_spasm"], 0),
            "food": lambda hi: self.answer(hi, self.voice.content.topics["food"], 0),
            "forget": self._forget,
        }

    def _resume(self, handler_input: HandlerInput) -> Reply:
        progress = self.walkthroughs.load(handler_input)
        return self.resume(handler_input, progress) if progress else self.start(handler_input)

    def _repeat(self, handler_input: HandlerInput) -> Reply:
        state = ConversationState.of(handler_input)
        return Reply(speech=state.last_speech or "", reprompt=state.last_reprompt, offer=state.offer)

    def _forget(self, handler_input: HandlerInput) -> Reply:
        try:
            Memory.forget(handler_input)
        except StoreUnavailable:
            return self.voice.listen(self.voice.prompt("forget_failed"))
        log.info("deleted a listener's record at her request")
        return Reply(speech=self.voice.prompt("forgotten"), end_session=True)


class NoHandler(WalkthroughHandler):
    """ "No": close gently (after an urgent answer, UrgentCloseHandler closes with the urgent line)."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent_name("AMAZON.NoIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        state = ConversationState.of(handler_input)
        if state.offer in _NO_KEEPS_LISTENING:
            return self.send(handler_input, self.voice.open_question(self.voice.prompt("no_problem")))
        return self.send(handler_input, self.voice.goodbye(calm=self.calm_now(handler_input)))
