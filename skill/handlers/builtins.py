"""Alexa's built-in intents and requests: Help, Stop, Cancel, NavigateHome, Repeat, Fallback,
SessionEnded, and a safety net for any intent the skill does not know."""

from __future__ import annotations

import logging

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import is_intent_name, is_request_type
from ask_sdk_model import Response

from skill import speech
from skill.handlers.base import SkillHandler
from skill.logtext import escape_for_log
from skill.replies import Reply
from skill.state import ConversationState

log = logging.getLogger(__name__)


class HelpHandler(SkillHandler):
    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent_name("AMAZON.HelpIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        return self.send(handler_input, self._carry_on(handler_input, self.voice.prompt("help")))

    def _carry_on(self, handler_input: HandlerInput, lead: str) -> Reply:
        """``lead``, then the way back in: the stretch cue mid-walkthrough, else an open question."""
        if self.active_walkthrough(handler_input) is not None:
            cue = self.voice.walkthrough_line("next_cue")
            return Reply(speech=speech.join(lead, cue), reprompt=cue)
        return self.voice.open_question(lead)


class FallbackHandler(HelpHandler):
    """Something she said that the skill does not cover: say what it can do, kindly."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent_name("AMAZON.FallbackIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        return self.send(handler_input, self._carry_on(handler_input, self.voice.prompt("fallback")))


class UnknownIntentHandler(FallbackHandler):
    """An intent no other handler took (a newer model than this code): answer as Fallback."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_request_type("IntentRequest")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        log.warning("no handler for intent %s; answering as fallback",
                    escape_for_log(handler_input.request_envelope.request.intent.name))
        return super().handle(handler_input)


class ExitHandler(SkillHandler):
    """Stop, Cancel, or going home on a screen device: a short, warm goodbye."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        names = ("AMAZON.StopIntent", "AMAZON.CancelIntent", "AMAZON.NavigateHomeIntent")
        return any(is_intent_name(name)(handler_input) for name in names)

    def handle(self, handler_input: HandlerInput) -> Response:
        return self.send(handler_input, self.voice.goodbye())


class RepeatHandler(SkillHandler):
    """Says the last thing again, leaving its offer open."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent_name("AMAZON.RepeatIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        state = ConversationState.of(handler_input)
        if state.last_speech is None:
            return self.send(handler_input, self.voice.listen(self.voice.prompt("nothing_to_repeat")))
        return self.send(handler_input, Reply(speech=state.last_speech, reprompt=state.last_reprompt, offer=state.offer))


class SessionEndedRequestHandler(SkillHandler):
    """Alexa closed the session; nothing may be spoken. Log why (errors especially)."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_request_type("SessionEndedRequest")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        request = handler_input.request_envelope.request
        reason = getattr(request.reason, "value", request.reason)
        if request.error is not None:
            log.warning("session ended: %s (%s: %s)", escape_for_log(reason), escape_for_log(request.error.object_type),
                        escape_for_log(request.error.message))
        else:
            log.info("session ended: %s", escape_for_log(reason))
        return handler_input.response_builder.response
