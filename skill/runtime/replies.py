"""Turn validated content into what Alexa says: SSML speech, a reprompt, and the offer made.

Handlers decide *what* to say; this module decides *how it sounds*: the order of the pieces
(urgent line first, doctor line last, one offer to end), the pauses and hold counts of the
walkthrough, and the calm bedtime voice.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Optional

from skill.runtime import speech
from skill.runtime.content import HOLD_COUNT_INTERVAL_SECONDS, Content, Line, Topic, hold_counts

HOLD_COUNT_BREAK_SECONDS = HOLD_COUNT_INTERVAL_SECONDS - 0.5
"""The silence after each number of the hold count (the number itself takes about half a second)."""
STEP_SETTLE_SECONDS = 1.0
"""A breath between a step's instruction and its hold count."""


@dataclass(frozen=True)
class Reply:
    """One turn of the skill: SSML fragments (no <speak>), and what Yes would accept next."""

    speech: str
    reprompt: Optional[str] = None
    offer: Optional[str] = None
    end_session: bool = False
    repeatable: bool = True
    """False for "I didn't catch that": Repeat, or yes to "say that again?", then says her last answer."""


class Voice:
    """Speaks content: picks among variants and assembles SSML."""

    def __init__(self, content: Content, rng: Optional[random.Random] = None) -> None:
        self.content = content
        self._rng = rng or random.Random()

    # -- lines -------------------------------------------------------------------------
    def pick(self, line: Line, turn: Optional[int] = None) -> str:
        """One wording of ``line`` (several, so repeat visits don't sound robotic).

        With ``turn`` (an answer's place in its topic), wordings take turns instead, so a "tell me
        more" chain never says the same offer or doctor line twice in a row.
        """
        if len(line.variants) == 1:
            return line.variants[0]
        return self._rng.choice(line.variants) if turn is None else line.variants[turn % len(line.variants)]

    def say(self, line: Line, turn: Optional[int] = None, **values: int) -> str:
        """``line`` as an SSML fragment; ``values`` fill placeholders such as {number}."""
        chosen = self.pick(line, turn)
        return speech.text(chosen.format(**values) if values else chosen)

    def prompt(self, name: str) -> str:
        return self.say(self.content.prompts[name])

    def offer_question(self, name: str, turn: Optional[int] = None) -> str:
        return self.say(self.content.offers[name], turn)

    # -- replies -----------------------------------------------------------------------
    def ask(self, speech_ssml: str, offer: str, *, calm: bool = False, turn: Optional[int] = None) -> Reply:
        """``speech_ssml`` ending with the offer question, reprompting with the question alone."""
        question = self.offer_question(offer, turn)
        body = speech.join(speech_ssml, question)
        return Reply(
            speech=speech.calm(body) if calm else body,
            reprompt=speech.calm(question) if calm else question,
            offer=offer,
        )

    def open_question(self, speech_ssml: str) -> Reply:
        """``speech_ssml`` followed by an open question (no Yes/No offer pending)."""
        question = self.prompt("what_would_you_like")
        return Reply(speech=speech.join(speech_ssml, question), reprompt=self.prompt("reprompt"))

    def listen(self, speech_ssml: str) -> Reply:
        """``speech_ssml`` that already ends in a question; keep listening."""
        return Reply(speech=speech_ssml, reprompt=self.prompt("reprompt"))

    def goodbye(self, lead: str = "", *, calm: bool = False) -> Reply:
        body = speech.join(lead, self.prompt("goodbye"))
        return Reply(speech=speech.calm(body) if calm else body, end_session=True)

    def welcome(self) -> Reply:
        body = speech.join(self.prompt("welcome"), self.prompt("disclaimer"), self.prompt("suggestions"))
        return Reply(speech=body, reprompt=self.prompt("reprompt"))

    def answer(self, topic: Topic, index: int, offer: Optional[str] = None, *, doctor_heard: bool = False) -> Reply:
        """Answer ``index`` of ``topic``: [urgent or tier line] text [caution] [doctor line] offer.

        ``doctor_heard``: she has heard this topic's full doctor line this session; say the short one.
        """
        answer = topic.answers[index]
        doctor = answer.short_doctor_line if doctor_heard and answer.short_doctor_line else answer.doctor_line
        body = speech.join(
            self.say(topic.lead) if topic.lead else "",
            self.say(answer.line),
            self.say(answer.caution) if answer.caution else "",
            self.say(doctor, index) if doctor else "",
        )
        return self.ask(body, offer or answer.offer, calm=topic.calm, turn=index)

    def urgent_goodbye(self, topic: Topic) -> Reply:
        """Closing after a tier 1 or 2 answer: its urgent line again, short, never a cheery goodbye."""
        return Reply(speech=self.say(topic.short or self.content.safety["urgent_line"]), end_session=True)

    def safety_net(self, urgent: Optional[Topic] = None) -> str:
        """The line under every answer that did not understand her; the urgent one once urgency sticks."""
        return self.say(urgent.short if urgent and urgent.short else self.content.safety["safety_net"])

    # -- walkthrough ---------------------------------------------------------------------
    @property
    def step_count(self) -> int:
        return len(self.content.walkthrough.steps)

    def step(self, index: int, lead: str = "", *, calm: bool = False) -> Reply:
        """Walkthrough step ``index`` (0-based), paced, ending with the cue to say next."""
        walkthrough = self.content.walkthrough
        step = walkthrough.steps[index]
        parts = [
            lead,
            self.say(walkthrough.line("step_heading"), number=index + 1, total=self.step_count),
            self.say(step.line),
        ]
        if step.hold_seconds:
            count = " ".join(
                f"{speech.number(n)} {speech.pause(HOLD_COUNT_BREAK_SECONDS)}"
                for n in range(1, hold_counts(step.hold_seconds) + 1)
            )
            parts += [
                speech.pause(STEP_SETTLE_SECONDS),
                self.say(walkthrough.line("hold_start")),
                count,
                self.say(walkthrough.line("hold_end")),
            ]
        if step.pause_seconds:
            parts.append(speech.pause(step.pause_seconds))
        cue = self.say(walkthrough.line("next_cue"))
        body = speech.join(*parts, cue)
        return Reply(
            speech=speech.calm(body) if calm else body,
            reprompt=speech.calm(cue) if calm else cue,
        )

    def walkthrough_line(self, name: str) -> str:
        return self.say(self.content.walkthrough.line(name))

    def recap(self, *, calm: bool = False) -> Reply:
        body = speech.join(self.walkthrough_line("recap"), self.walkthrough_line("recap_doctor_line"))
        return self.ask(body, "walkthrough_again", calm=calm)
