"""The requests every benchmark sends, built as Alexa sends them (skill.runtime.envelope), the same for every skill."""

from __future__ import annotations

from typing import Any, Callable

from skill.runtime.builder import SkillConfig, build_skill
from skill.runtime.envelope import Session, SlotFill, intent_request, launch_request
from skill.runtime.invoke import invoke
from skill.runtime.stores import MemoryAdapter

Envelope = dict[str, Any]
WALKTHROUGH_MODE = {"mode": "walkthrough"}
"""Session attributes mid-stretch, as Cramp Coach returns them after a step."""


def launch(session: Session) -> Envelope:
    return launch_request(session)


def topic(session: Session) -> Envelope:
    """"My calf is cramping": a topic answer, with the slot resolved as Alexa resolves it."""
    return intent_request(session, "CrampNowIntent", {"bodyPart": SlotFill("calf", "calf", "calf", "BodyPart")})


def food(session: Session) -> Envelope:
    return intent_request(session, "FoodAndDrinkIntent")


def start_walkthrough(session: Session) -> Envelope:
    return intent_request(session, "StartWalkthroughIntent", {"bodyPart": None})


def next_step(session: Session) -> Envelope:
    return intent_request(session, "AMAZON.NextIntent")


def previous_step(session: Session) -> Envelope:
    return intent_request(session, "AMAZON.PreviousIntent")


def fallback(session: Session) -> Envelope:
    return intent_request(session, "AMAZON.FallbackIntent")


def help_request(session: Session) -> Envelope:
    return intent_request(session, "AMAZON.HelpIntent")


def listener(number: int) -> Session:
    return Session(user_id=f"amzn1.ask.account.BENCHMARK{number:04d}", device_id=f"amzn1.ask.device.BENCH{number:04d}")


def walking(session: Session) -> Session:
    """The same listener mid-stretch: session attributes as after a step."""
    return Session(user_id=session.user_id, device_id=session.device_id, session_id=session.session_id,
                   attributes=dict(WALKTHROUGH_MODE), new=False)


HTTP_MIX: tuple[tuple[str, Callable[[Session], Envelope]], ...] = (
    ("launch", launch),
    ("topic", topic),
    ("food", food),
    ("start stretch", start_walkthrough),
    ("next step", next_step),
    ("next step", next_step),
    ("fallback", fallback),
    ("help", help_request),
)
"""What each simulated listener says over HTTP, in turn, in one session: (name, envelope)."""


def http_mix(listeners: int) -> list[Envelope]:
    """Every listener's session, turn by turn, interleaved listener by listener.

    Each turn carries the session attributes Cramp Coach returned to the turn before, as Alexa
    sends them back; the bodies are made once and sent, byte for byte, to every skill.
    """
    skill = build_skill(SkillConfig(seed=0, persistence_adapter=MemoryAdapter()))
    bodies = []
    for number in range(listeners):
        session = listener(number)
        for name, build in HTTP_MIX:
            envelope = build(session)
            bodies.append(envelope)
            answer = invoke(skill, envelope)
            if answer["response"].get("shouldEndSession") is not False:
                raise RuntimeError(f"the benchmark's session ended at {name!r}")
            session.absorb(answer)
    return bodies
