"""The requests every benchmark sends, built as Alexa sends them (skill.envelope), the same for every skill."""

from __future__ import annotations

from typing import Any, Callable

from skill.envelope import Session, SlotFill, intent_request, launch_request

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


HTTP_MIX: tuple[tuple[str, Callable[[Session], Envelope], bool], ...] = (
    ("launch", launch, False),
    ("topic", topic, False),
    ("food", food, False),
    ("start stretch", start_walkthrough, False),
    ("next step", next_step, True),
    ("next step", next_step, True),
    ("fallback", fallback, False),
    ("help", help_request, False),
)
"""What each simulated listener sends over HTTP, in turn: (name, envelope, sent mid-stretch)."""


def http_mix(listeners: int) -> list[Envelope]:
    """Every listener's requests, interleaved listener by listener."""
    bodies = []
    for number in range(listeners):
        session = listener(number)
        for _, build, mid_stretch in HTTP_MIX:
            bodies.append(build(walking(session) if mid_stretch else session))
    return bodies
