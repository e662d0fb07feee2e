"""The actions Yes and No can carry out after an offer: the skill's closed set (content.ACTIONS).

Which action follows which offer is content (content/prompts.yaml: offers.*.yes / .no); this
module only says what each action does.
"""

from __future__ import annotations

import logging

from ask_sdk_core.handler_input import HandlerInput

from skill.runtime import speech
from skill.runtime.content import Action
from skill.runtime.handlers.walkthrough import WalkthroughHandler
from skill.runtime.replies import Reply
from skill.runtime.state import ConversationState, Memory
from skill.runtime.stores import StoreUnavailable

log = logging.getLogger(__name__)


class FollowUpHandler(WalkthroughHandler):
    """A handler that can carry out an offer's action."""

    def follow_up(self, handler_input: HandlerInput, offer: str, answer: str) -> Reply:
        """What her ``answer`` ("yes" or "no") to ``offer`` does."""
        actions = self.voice.content.offer_actions[offer]
        return self.carry_out(handler_input, actions.yes if answer == "yes" else actions.no)

    def carry_out(self, handler_input: HandlerInput, action: Action) -> Reply:
        voice = self.voice
        if action.kind == "answer":
            return self.answer(handler_input, voice.content.topics[action.target[0]], 0)
        if action.kind == "start":
            return self.start(handler_input, calm=action.calm, lead=voice.walkthrough_line(action.target[0]))
        if action.kind == "resume":
            return self.resume_saved(handler_input)
        if action.kind == "more":
            return self.more(handler_input)
        if action.kind == "repeat":
            state = ConversationState.of(handler_input)
            return Reply(speech=state.last_speech or "", reprompt=state.last_reprompt, offer=state.offer)
        if action.kind == "listen":
            return voice.listen(speech.join(*(voice.prompt(name) for name in action.target)))
        if action.kind == "close":
            return voice.goodbye(calm=self.calm_now(handler_input))
        if action.kind == "forget":
            return self._forget(handler_input)
        if action.kind in ("change_reminder", "cancel_reminder"):
            from skill.runtime.handlers.reminders import ReminderHandler  # the bedtime reminder's own module

            reminder = ReminderHandler(self.parts)
            if action.kind == "change_reminder":
                return reminder.change_to_asked_time(handler_input)
            return reminder.cancel_now(handler_input)
        raise ValueError(f"unknown action {action.kind!r}")  # the loader allows only content.ACTIONS

    def _forget(self, handler_input: HandlerInput) -> Reply:
        try:
            Memory.forget(handler_input)
        except StoreUnavailable:
            return self.voice.listen(self.voice.prompt("forget_failed"))
        log.info("deleted a listener's record at her request")
        return Reply(speech=self.voice.prompt("forgotten"), end_session=True)
