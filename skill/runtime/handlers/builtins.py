"""Requests that are not a topic or a control: the session's end, and any intent the skill does
not know (a newer model than this code)."""

from __future__ import annotations

import logging

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import get_intent_name, is_request_type
from ask_sdk_model import Response

from skill.runtime.handlers.base import SkillHandler, SkillParts, intent_name
from skill.runtime.logtext import escape_for_log

log = logging.getLogger(__name__)


class UnknownIntentHandler(SkillHandler):
    """An intent no topic or control answers: answer as Fallback, with the safety net."""

    def __init__(self, parts: SkillParts) -> None:
        super().__init__(parts)
        self.known = frozenset(parts.voice.content.intents())

    def can_handle(self, handler_input: HandlerInput) -> bool:
        name = intent_name(handler_input)
        return name is not None and name not in self.known

    def handle(self, handler_input: HandlerInput) -> Response:
        log.warning("no handler for intent %s; answering as fallback", escape_for_log(get_intent_name(handler_input)))
        return self.send(handler_input, self.not_understood(handler_input))


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
