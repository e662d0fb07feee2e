"""The conversation's controls: one handler a control, each answering the intents content/controls.yaml
gives it and no others, so the order handlers are registered in never matters.

Each handler's ``reply`` is the one place that looks at where she is — mid-stretch, after an
offer, once urgency sticks — and picks what to do.
"""

from __future__ import annotations

from typing import Optional

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model import Response

from skill.runtime import speech
from skill.runtime.handlers.base import SkillParts, intent_name, resolved_body_part
from skill.runtime.handlers.followup import FollowUpHandler
from skill.runtime.handlers.reminders import (
    CancelReminderHandler,
    ChangeReminderHandler,
    ReminderWhenHandler,
    SetReminderHandler,
)
from skill.runtime.replies import Reply
from skill.runtime.state import MODE_WALKTHROUGH, ConversationState

AGAIN_OFFER = "walkthrough_again"
"""The offer after the recap: "start over" then means the stretch from the top."""


class ControlHandler(FollowUpHandler):
    """One control: it alone answers ``intents``."""

    def __init__(self, parts: SkillParts, intents: tuple[str, ...]) -> None:
        super().__init__(parts)
        self.intents = frozenset(intents)

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return intent_name(handler_input) in self.intents

    def handle(self, handler_input: HandlerInput) -> Response:
        return self.send(handler_input, self.reply(handler_input))

    def reply(self, handler_input: HandlerInput) -> Reply:
        raise NotImplementedError

    def pending_offer(self, handler_input: HandlerInput) -> Optional[str]:
        """The offer that ended the last answer, if it is one the content knows."""
        offer = ConversationState.of(handler_input).offer
        return offer if offer in self.voice.content.offer_actions else None


class YesHandler(ControlHandler):
    """ "Yes": the pending offer's yes; mid-stretch with nothing offered, the next step."""

    def reply(self, handler_input: HandlerInput) -> Reply:
        offer = self.pending_offer(handler_input)
        if offer is not None:
            return self.follow_up(handler_input, offer, "yes")
        progress = self.active_walkthrough(handler_input)
        if progress is not None and not ConversationState.of(handler_input).offer:
            return self.next_step(handler_input, progress)
        return self.not_understood(handler_input, lead="yes_without_offer")


class NoHandler(ControlHandler):
    """ "No": once urgency sticks, the urgent line; else the pending offer's no; mid-stretch, stop it."""

    def reply(self, handler_input: HandlerInput) -> Reply:
        urgent = self.urgent_topic(handler_input)
        if urgent is not None:
            return self.voice.urgent_goodbye(urgent)
        offer = self.pending_offer(handler_input)
        if offer is not None:
            return self.follow_up(handler_input, offer, "no")
        progress = self.active_walkthrough(handler_input)
        if progress is not None and not ConversationState.of(handler_input).offer:
            return self.leave(handler_input, progress, "stopped")
        return self.voice.goodbye(calm=self.calm_now(handler_input))


class NextHandler(ControlHandler):
    """ "Next": the next step mid-stretch, else the next answer of the topic she last heard."""

    def reply(self, handler_input: HandlerInput) -> Reply:
        progress = self.active_walkthrough(handler_input)
        if progress is not None:
            return self.next_step(handler_input, progress)
        if ConversationState.of(handler_input).mode != MODE_WALKTHROUGH:
            return self.more(handler_input)
        return self.not_understood(handler_input)  # her stretch's place was lost


class PreviousHandler(ControlHandler):
    def reply(self, handler_input: HandlerInput) -> Reply:
        progress = self.active_walkthrough(handler_input)
        if progress is not None:
            return self.previous_step(handler_input, progress)
        return self.not_started()


class RepeatHandler(ControlHandler):
    """ "Repeat": the step again mid-stretch, else the last thing said, its offer still open."""

    def reply(self, handler_input: HandlerInput) -> Reply:
        progress = self.active_walkthrough(handler_input)
        if progress is not None:
            return self.go_to(handler_input, progress, progress.step)
        state = ConversationState.of(handler_input)
        if state.last_speech is None:
            return self.voice.listen(self.voice.prompt("nothing_to_repeat"))
        return Reply(speech=state.last_speech, reprompt=state.last_reprompt, offer=state.offer)


class StartOverHandler(ControlHandler):
    def reply(self, handler_input: HandlerInput) -> Reply:
        progress = self.active_walkthrough(handler_input)
        again = self.voice.walkthrough_line
        if progress is not None:
            return self.go_to(handler_input, progress, 0, again("starting_over"))
        if ConversationState.of(handler_input).offer == AGAIN_OFFER:
            return self.start(handler_input, lead=again("starting_over"))
        return self.not_started()


class PauseHandler(ControlHandler):
    """Keeps her place and lets her sleep: the session ends with the exact words to come back."""

    def reply(self, handler_input: HandlerInput) -> Reply:
        progress = self.active_walkthrough(handler_input)
        if progress is not None:
            return self.leave(handler_input, progress, "paused")
        return self.not_started()


class ResumeHandler(ControlHandler):
    """ "Resume", "continue my stretches": back to the saved step (a fresh one), or an offer to start."""

    def reply(self, handler_input: HandlerInput) -> Reply:
        progress = self.walkthroughs.load(handler_input)
        if progress is None:
            return self.not_started()
        if not self.is_fresh(progress):
            return self.voice.ask(self.voice.walkthrough_line("too_old"), "restart_walkthrough")
        return self.resume(handler_input, progress)


class StopHandler(ControlHandler):
    """Stop or Cancel: the urgent line once urgency sticks; mid-stretch, keep her place; else goodbye."""

    def reply(self, handler_input: HandlerInput) -> Reply:
        urgent = self.urgent_topic(handler_input)
        if urgent is not None:
            return self.voice.urgent_goodbye(urgent)
        progress = self.active_walkthrough(handler_input)
        if progress is not None:
            return self.leave(handler_input, progress, "stopped")
        return self.voice.goodbye(calm=self.calm_now(handler_input))


class HomeHandler(ControlHandler):
    """Going home on a screen device: the urgent line once urgency sticks, else a short, warm goodbye."""

    def reply(self, handler_input: HandlerInput) -> Reply:
        urgent = self.urgent_topic(handler_input)
        if urgent is not None:
            return self.voice.urgent_goodbye(urgent)
        return self.voice.goodbye(calm=self.calm_now(handler_input))


class FeelingBetterHandler(ControlHandler):
    """ "It's gone now", "thank you": a short, kind close (the urgent line once urgency sticks)."""

    def reply(self, handler_input: HandlerInput) -> Reply:
        urgent = self.urgent_topic(handler_input)
        if urgent is not None:
            return self.voice.urgent_goodbye(urgent)
        close = self.voice.prompt("feeling_better")
        return Reply(speech=speech.calm(close) if self.calm_now(handler_input) else close, end_session=True)


class HelpHandler(ControlHandler):
    """Help that fits where she is: the stretch's controls mid-stretch, else what she can ask.

    Always with the safety net: "help" is also what she may say when something is wrong.
    """

    def reply(self, handler_input: HandlerInput) -> Reply:
        voice = self.voice
        net = voice.safety_net(self.urgent_topic(handler_input))
        progress = self.active_walkthrough(handler_input)
        if progress is not None:
            where = voice.say(voice.content.walkthrough.line("help"), number=progress.step + 1, total=voice.step_count)
            body = speech.join(where, net)
            return Reply(speech=speech.calm(body) if progress.calm else body, reprompt=voice.walkthrough_line("next_cue"))
        offer = self.pending_offer(handler_input)
        if offer is not None:
            return voice.ask(speech.join(voice.prompt("help"), net), offer)
        return voice.open_question(speech.join(voice.prompt("help"), net))


class FallbackHandler(ControlHandler):
    """Something the skill did not understand: the safety net, then what was pending, asked again.

    On an Echo the skill never sees her words here, so this answer itself must say when to
    contact her doctor or midwife; and a "yes" or "next" after it must still mean what it meant.
    """

    def reply(self, handler_input: HandlerInput) -> Reply:
        return self.not_understood(handler_input)


class StartStretchHandler(ControlHandler):
    """ "Walk me through a stretch", "guide me" — unless she asks for a stretch it is not for.

    The stretch is for leg cramps: asked for one for a body part it is not for, she hears what
    walkthrough.yaml's ``not_for`` says (a back stretch: an offer of what helps her back); for a
    part the skill does not know, what it is for, the safety net, and whether to start it.
    """

    def reply(self, handler_input: HandlerInput) -> Reply:
        voice = self.voice
        spoken, part = resolved_body_part(handler_input)
        redirect = voice.content.walkthrough.not_for.get(part or "")
        if redirect is not None:
            return voice.ask(voice.walkthrough_line(redirect.say), redirect.offer)
        if spoken and part is None:
            legs_only = speech.join(voice.walkthrough_line("legs_only"), voice.safety_net(self.urgent_topic(handler_input)))
            return voice.ask(legs_only, "walkthrough")
        return self.start(handler_input)


class TellMeMoreHandler(ControlHandler):
    """ "Tell me more", "what else": the next answer of the topic she last heard."""

    def reply(self, handler_input: HandlerInput) -> Reply:
        return self.more(handler_input)


class ForgetMeHandler(ControlHandler):
    """ "Forget me", "delete my data": say what is kept, and ask before deleting (offer "forget")."""

    def reply(self, handler_input: HandlerInput) -> Reply:
        return self.voice.ask(self.voice.prompt("what_i_remember"), "forget")


CONTROL_HANDLERS: dict[str, type[ControlHandler]] = {
    "yes": YesHandler,
    "no": NoHandler,
    "next": NextHandler,
    "previous": PreviousHandler,
    "repeat": RepeatHandler,
    "start_over": StartOverHandler,
    "pause": PauseHandler,
    "resume": ResumeHandler,
    "stop": StopHandler,
    "home": HomeHandler,
    "help": HelpHandler,
    "fallback": FallbackHandler,
    "start_stretch": StartStretchHandler,
    "tell_me_more": TellMeMoreHandler,
    "forget_me": ForgetMeHandler,
    "feeling_better": FeelingBetterHandler,
    "set_reminder": SetReminderHandler,
    "change_reminder": ChangeReminderHandler,
    "reminder_when": ReminderWhenHandler,
    "cancel_reminder": CancelReminderHandler,
}
"""The handler of each control of skill.runtime.content.CONTROLS."""
