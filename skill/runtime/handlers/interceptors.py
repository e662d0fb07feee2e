"""Cross-cutting work around every request: a privacy-safe log line, and remembering what was said."""

from __future__ import annotations

import logging

from ask_sdk_core.dispatch_components import AbstractRequestInterceptor, AbstractResponseInterceptor
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model import IntentRequest, Response

from skill.runtime.logtext import escape_for_log
from skill.runtime.state import KEEP_LAST_OUTPUT, ConversationState, Memory

log = logging.getLogger("skill.requests")


class RequestLogInterceptor(AbstractRequestInterceptor):
    """One line per request: its type and intent, never the user id or what she said."""

    def process(self, handler_input: HandlerInput) -> None:
        request = handler_input.request_envelope.request
        intent = request.intent.name if isinstance(request, IntentRequest) and request.intent else "-"
        log.info("request %s intent=%s locale=%s", request.object_type, escape_for_log(intent),
                 escape_for_log(request.locale))


class RememberOutputInterceptor(AbstractResponseInterceptor):
    """Keeps the last speech and reprompt in the session, so Repeat can say them again."""

    def process(self, handler_input: HandlerInput, response: Response) -> None:
        if response is None or response.output_speech is None or response.should_end_session:
            return
        if handler_input.attributes_manager.request_attributes.get(KEEP_LAST_OUTPUT):
            return  # an apology: Repeat still says her last answer
        reprompt = response.reprompt.output_speech.ssml if response.reprompt and response.reprompt.output_speech else None
        ConversationState.of(handler_input).remember_output(response.output_speech.ssml, reprompt)


class SaveMemoryInterceptor(AbstractResponseInterceptor):
    """Writes her record once per request, after the handler, only when something changed."""

    def process(self, handler_input: HandlerInput, response: Response) -> None:
        Memory.save_if_changed(handler_input)
