"""The one catch-all: a short apology to her, the details to the log — never an unhandled error."""

from __future__ import annotations

import logging

from ask_sdk_core.dispatch_components import AbstractExceptionHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model import Response

from skill.runtime import speech
from skill.runtime.replies import Voice

log = logging.getLogger(__name__)


class CatchAllExceptionHandler(AbstractExceptionHandler):
    def __init__(self, voice: Voice) -> None:
        self.voice = voice

    def can_handle(self, handler_input: HandlerInput, exception: Exception) -> bool:
        return True

    def handle(self, handler_input: HandlerInput, exception: Exception) -> Response:
        request = handler_input.request_envelope.request
        log.exception("error handling %s", getattr(request, "object_type", "request"), exc_info=exception)
        apology = speech.join(self.voice.prompt("error"), self.voice.safety_net())
        return handler_input.response_builder.speak(apology).ask(self.voice.prompt("reprompt")).response
