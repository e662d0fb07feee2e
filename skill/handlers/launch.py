"""Opening the skill: "Alexa, open cramp coach"."""

from __future__ import annotations

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import is_request_type
from ask_sdk_model import Response

from skill.handlers.base import SkillHandler


class LaunchRequestHandler(SkillHandler):
    """A short welcome, the not-medical-advice note, and a few things she can ask."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_request_type("LaunchRequest")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        return self.send(handler_input, self.voice.welcome())
