"""Opening the skill: "Alexa, open cramp coach" — a full welcome the first time, one short
sentence after that, and an offer to pick up an unfinished stretch."""

from __future__ import annotations

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import is_request_type
from ask_sdk_model import Response

from skill.runtime.handlers.base import SkillHandler
from skill.runtime.replies import Reply
from skill.runtime.state import Memory


class LaunchRequestHandler(SkillHandler):
    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_request_type("LaunchRequest")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        return self.send(handler_input, self._greeting(handler_input))

    def _greeting(self, handler_input: HandlerInput) -> Reply:
        memory = Memory(handler_input)
        if not memory.intro_heard:
            memory.heard_intro()
            return self.voice.welcome()
        progress = self.walkthroughs.load(handler_input)
        if progress is None:
            return self.voice.listen(self.voice.prompt("welcome_back"))
        if self.is_fresh(progress):
            greeting = self.voice.say(self.voice.content.prompts["welcome_back_stretch"], number=progress.step + 1)
            return self.voice.ask(greeting, "resume_walkthrough")
        return self.voice.ask(self.voice.prompt("welcome_back_old_stretch"), "restart_walkthrough")
