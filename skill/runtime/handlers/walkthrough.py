"""The guided stretch's moves: start, go to a step, resume, pause, stop, ease off, finish.

The controls (skill/runtime/handlers/controls.py) decide when; these say what each move does to her
saved place and what she hears.
"""

from __future__ import annotations

from typing import Optional

from ask_sdk_core.handler_input import HandlerInput

from skill.runtime import speech
from skill.runtime.handlers.base import SkillHandler
from skill.runtime.replies import Reply
from skill.runtime.state import MODE_WALKTHROUGH, ConversationState, WalkthroughProgress


class WalkthroughHandler(SkillHandler):
    """A handler that can move her through the stretch."""

    def go_to(
        self, handler_input: HandlerInput, progress: WalkthroughProgress, step: int, lead: str = ""
    ) -> Reply:
        if step >= self.voice.step_count:
            return self.finish(handler_input, progress)
        self.walkthroughs.save(handler_input, progress.at(step, self.now()))
        ConversationState.of(handler_input).mode = MODE_WALKTHROUGH
        return self.voice.step(step, lead, calm=progress.calm)

    def start(self, handler_input: HandlerInput, *, calm: bool = False, lead: Optional[str] = None) -> Reply:
        opening = self.voice.walkthrough_line("intro") if lead is None else lead
        return self.go_to(handler_input, WalkthroughProgress(step=0, calm=calm), 0, opening)

    def resume(self, handler_input: HandlerInput, progress: WalkthroughProgress) -> Reply:
        return self.go_to(handler_input, progress, progress.step, self.voice.walkthrough_line("resuming"))

    def resume_saved(self, handler_input: HandlerInput) -> Reply:
        """Her saved step, or the stretch from the top when nothing is saved."""
        progress = self.walkthroughs.load(handler_input)
        return self.resume(handler_input, progress) if progress else self.start(handler_input)

    def next_step(self, handler_input: HandlerInput, progress: WalkthroughProgress) -> Reply:
        """The next step, the recap after the last one; a paused stretch picks up where it stopped."""
        if progress.paused:
            return self.resume(handler_input, progress)
        return self.go_to(handler_input, progress, progress.step + 1)

    def previous_step(self, handler_input: HandlerInput, progress: WalkthroughProgress) -> Reply:
        if progress.step == 0:
            return self.go_to(handler_input, progress, 0, self.voice.walkthrough_line("first_step_already"))
        return self.go_to(handler_input, progress, progress.step - 1)

    def leave(self, handler_input: HandlerInput, progress: WalkthroughProgress, line: str) -> Reply:
        """Pause or stop: keep her place to resume, end the session with ``line`` (its way back)."""
        self.walkthroughs.save(handler_input, progress.pause(self.now()))
        ConversationState.of(handler_input).mode = None
        said = self.voice.walkthrough_line(line)
        return Reply(speech=speech.calm(said) if progress.calm else said, end_session=True)

    def ease_off(self, progress: WalkthroughProgress) -> Reply:
        """ "Ouch, that hurts" mid-stretch: ease off, the doctor line if it stays severe, stay on the step."""
        cue = self.voice.walkthrough_line("next_cue")
        body = speech.join(self.voice.walkthrough_line("ease_off"), cue)
        return Reply(speech=speech.calm(body) if progress.calm else body, reprompt=cue)

    def not_started(self) -> Reply:
        """A stretch control with no stretch running: say so, and offer one."""
        return self.voice.ask(self.voice.walkthrough_line("not_started"), "walkthrough")

    def finish(self, handler_input: HandlerInput, progress: WalkthroughProgress) -> Reply:
        self.walkthroughs.clear(handler_input)
        ConversationState.of(handler_input).mode = None
        return self.voice.recap(calm=progress.calm)
