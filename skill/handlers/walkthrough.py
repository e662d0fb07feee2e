"""The guided stretch: one step at a time, with Next, Previous, Repeat, Start Over, Pause,
Resume and Stop while it runs."""

from __future__ import annotations

from typing import Optional

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import is_intent_name
from ask_sdk_model import Response

from skill import speech
from skill.handlers.base import BACK_BODY_PART, THIGH_BODY_PART, SkillHandler, SkillParts, resolved_body_part
from skill.replies import Reply
from skill.state import MODE_WALKTHROUGH, ConversationState, WalkthroughProgress


class WalkthroughHandler(SkillHandler):
    """Shared moves of the walkthrough: go to a step, finish, pause, stop."""

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

    def finish(self, handler_input: HandlerInput, progress: WalkthroughProgress) -> Reply:
        self.walkthroughs.clear(handler_input)
        ConversationState.of(handler_input).mode = None
        return self.voice.recap(calm=progress.calm)


class WalkthroughStepHandler(WalkthroughHandler):
    """A navigation intent while the walkthrough is running."""

    intent_names: tuple[str, ...] = ()

    def __init__(self, parts: SkillParts) -> None:
        super().__init__(parts)
        self._asked_for = tuple(is_intent_name(name) for name in self.intent_names)

    def can_handle(self, handler_input: HandlerInput) -> bool:
        if not any(asked(handler_input) for asked in self._asked_for):
            return False
        return self.active_walkthrough(handler_input) is not None

    def handle(self, handler_input: HandlerInput) -> Response:
        progress = self.active_walkthrough(handler_input)
        assert progress is not None  # can_handle checked it
        return self.send(handler_input, self.move(handler_input, progress))

    def move(self, handler_input: HandlerInput, progress: WalkthroughProgress) -> Reply:
        raise NotImplementedError


class NextStepHandler(WalkthroughStepHandler):
    """ "Next", or "yes" when no question is pending: the next step, or the recap after the last."""

    intent_names = ("AMAZON.NextIntent", "AMAZON.YesIntent")

    def can_handle(self, handler_input: HandlerInput) -> bool:
        if is_intent_name("AMAZON.YesIntent")(handler_input) and ConversationState.of(handler_input).offer:
            return False
        return super().can_handle(handler_input)

    def move(self, handler_input: HandlerInput, progress: WalkthroughProgress) -> Reply:
        if progress.paused:
            return self.resume(handler_input, progress)
        return self.go_to(handler_input, progress, progress.step + 1)


class PreviousStepHandler(WalkthroughStepHandler):
    intent_names = ("AMAZON.PreviousIntent",)

    def move(self, handler_input: HandlerInput, progress: WalkthroughProgress) -> Reply:
        if progress.step == 0:
            return self.go_to(handler_input, progress, 0, self.voice.walkthrough_line("first_step_already"))
        return self.go_to(handler_input, progress, progress.step - 1)


class RepeatStepHandler(WalkthroughStepHandler):
    intent_names = ("AMAZON.RepeatIntent",)

    def move(self, handler_input: HandlerInput, progress: WalkthroughProgress) -> Reply:
        return self.go_to(handler_input, progress, progress.step)


class StartOverHandler(WalkthroughStepHandler):
    intent_names = ("AMAZON.StartOverIntent",)

    def move(self, handler_input: HandlerInput, progress: WalkthroughProgress) -> Reply:
        return self.go_to(handler_input, progress, 0, self.voice.walkthrough_line("starting_over"))


class PauseHandler(WalkthroughStepHandler):
    """Keeps her place and lets her sleep: the session ends with the exact words to come back."""

    intent_names = ("AMAZON.PauseIntent",)

    def move(self, handler_input: HandlerInput, progress: WalkthroughProgress) -> Reply:
        self.walkthroughs.save(handler_input, progress.pause(self.now()))
        ConversationState.of(handler_input).mode = None
        paused = self.voice.walkthrough_line("paused")
        return Reply(speech=speech.calm(paused) if progress.calm else paused, end_session=True)


class EaseOffHandler(WalkthroughStepHandler):
    """ "Ouch, that hurts" mid-stretch: ease off, the doctor line if it stays severe, and stay on the step."""

    intent_names = ("SevereCrampIntent",)

    def move(self, handler_input: HandlerInput, progress: WalkthroughProgress) -> Reply:
        cue = self.voice.walkthrough_line("next_cue")
        body = speech.join(self.voice.walkthrough_line("ease_off"), cue)
        return Reply(speech=speech.calm(body) if progress.calm else body, reprompt=cue)


class StopWalkthroughHandler(WalkthroughStepHandler):
    """Stop, Cancel or No mid-stretch: end gently, with the doctor line, keeping her place to resume."""

    intent_names = ("AMAZON.StopIntent", "AMAZON.CancelIntent", "AMAZON.NoIntent")

    def can_handle(self, handler_input: HandlerInput) -> bool:
        if is_intent_name("AMAZON.NoIntent")(handler_input) and ConversationState.of(handler_input).offer:
            return False
        return super().can_handle(handler_input)

    def move(self, handler_input: HandlerInput, progress: WalkthroughProgress) -> Reply:
        self.walkthroughs.save(handler_input, progress.pause(self.now()))
        ConversationState.of(handler_input).mode = None
        stopped = self.voice.walkthrough_line("stopped")
        return Reply(speech=speech.calm(stopped) if progress.calm else stopped, end_session=True)


class StartWalkthroughHandler(WalkthroughHandler):
    """ "Walk me through a stretch", "guide me" — unless she asks for a stretch it is not for.

    The stretch is for leg cramps: asked for a back stretch, she is offered what helps her back;
    asked for one for a part the skill does not know, she is told what it is for and asked first.
    """

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent_name("StartWalkthroughIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        spoken, part = resolved_body_part(handler_input)
        if part == BACK_BODY_PART:
            return self.send(handler_input, self.voice.ask(self.voice.walkthrough_line("not_for_back"), "back_relief"))
        if spoken and part is None:
            legs_only = speech.join(self.voice.walkthrough_line("legs_only"), self.voice.safety_net(self.urgent_topic(handler_input)))
            return self.send(handler_input, self.voice.ask(legs_only, "walkthrough"))
        if part == THIGH_BODY_PART:
            return self.send(handler_input, self.voice.ask(self.voice.walkthrough_line("legs_only"), "walkthrough"))
        return self.send(handler_input, self.start(handler_input))


class ResumeHandler(WalkthroughHandler):
    """ "Resume", "continue my stretches": back to the saved step (a fresh one), or an offer to start."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent_name("AMAZON.ResumeIntent")(handler_input) or is_intent_name("ResumeWalkthroughIntent")(
            handler_input
        )

    def handle(self, handler_input: HandlerInput) -> Response:
        progress = self.walkthroughs.load(handler_input)
        if progress is None:
            return self.send(handler_input, self.voice.ask(self.voice.walkthrough_line("not_started"), "walkthrough"))
        if not self.is_fresh(progress):
            return self.send(handler_input, self.voice.ask(self.voice.walkthrough_line("too_old"), "restart_walkthrough"))
        return self.send(handler_input, self.resume(handler_input, progress))



class WalkthroughNotStartedHandler(WalkthroughHandler):
    """Previous, Start Over or Pause with no stretch running: say so, and offer one."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        names = ("AMAZON.PreviousIntent", "AMAZON.StartOverIntent", "AMAZON.PauseIntent")
        return any(is_intent_name(name)(handler_input) for name in names)

    def handle(self, handler_input: HandlerInput) -> Response:
        state = ConversationState.of(handler_input)
        if is_intent_name("AMAZON.StartOverIntent")(handler_input) and state.offer == "walkthrough_again":
            return self.send(handler_input, self.start(handler_input, lead=self.voice.walkthrough_line("starting_over")))
        return self.send(handler_input, self.voice.ask(self.voice.walkthrough_line("not_started"), "walkthrough"))


__all__ = [
    "NextStepHandler",
    "PreviousStepHandler",
    "RepeatStepHandler",
    "StartOverHandler",
    "PauseHandler",
    "StopWalkthroughHandler",
    "EaseOffHandler",
    "StartWalkthroughHandler",
    "ResumeHandler",
    "WalkthroughNotStartedHandler",
]
