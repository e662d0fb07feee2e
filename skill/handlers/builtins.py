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
    """Help that fits where she is: the stretch's controls mid-stretch, else what she can ask.

    Always with the safety net: "help" is also what she may say when something is wrong.
    """

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent_name("AMAZON.HelpIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        voice = self.voice
        net = voice.safety_net(self.urgent_topic(handler_input))
        progress = self.active_walkthrough(handler_input)
        if progress is not None:
            where = voice.say(voice.content.walkthrough.line("help"), number=progress.step + 1, total=voice.step_count)
            body = speech.join(where, net)
            return self.send(handler_input, Reply(speech=speech.calm(body) if progress.calm else body,
                                                  reprompt=voice.walkthrough_line("next_cue")))
        pending = ConversationState.of(handler_input).offer
        if pending in voice.content.offers:
            return self.send(handler_input, voice.ask(speech.join(voice.prompt("help"), net), pending))
        return self.send(handler_input, voice.open_question(speech.join(voice.prompt("help"), net)))


class FallbackHandler(HelpHandler):
    """Something the skill did not understand: the safety net, then what was pending, asked again.

    On an Echo the skill never sees her words here, so this answer itself must say when to
    contact her doctor or midwife; and a "yes" or "next" after it must still mean what it meant.
    """

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent_name("AMAZON.FallbackIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        return self.send(handler_input, self.not_understood(handler_input))


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
        return self.send(handler_input, self.voice.goodbye(calm=self.calm_now(handler_input)))


class FeelingBetterHandler(SkillHandler):
    """ "It's gone now", "that worked", "thank you": a short, kind close, keeping any stretch place."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent_name("FeelingBetterIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        calm = self.calm_now(handler_input)
        close = self.voice.prompt("feeling_better")
        return self.send(handler_input, Reply(speech=speech.calm(close) if calm else close, end_session=True))


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
