"""Many listeners at once, for a while: 32 of them, each walking through the whole stretch and asking
about topics, against the real server (two workers, SQLite). No error, every listener hears Step 1
to Step 6 in order every time, and the database is intact afterwards.

CI runs it for 4 s (the suite stays under 90 s). The long run, by hand: ``CRAMP_COACH_SOAK_SECONDS=60 python -m pytest tests/test_soak.py``.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import threading
import time
import uuid
from typing import Any

from skill.runtime.envelope import Session, SlotFill, intent_request, launch_request

from live_server import LiveServer

LISTENERS = 32
SOAK_SECONDS = float(os.environ.get("CRAMP_COACH_SOAK_SECONDS", "4"))
STEP = re.compile(r"Step (\d) of 6")
CALF = {"bodyPart": SlotFill("calf", "calf", "calf", "BodyPart")}


def speech(answer: dict[str, Any]) -> str:
    return (answer["response"].get("outputSpeech") or {}).get("ssml", "")


class Listener:
    """One person, night after night: open, a cramp, the guided stretch, a question about food, goodbye."""

    def __init__(self, server: LiveServer) -> None:
        self.server = server
        self.session = Session(user_id=f"amzn1.ask.account.SOAK{uuid.uuid4().hex}")
        self.walkthroughs: list[list[int]] = []
        self.errors: list[str] = []
        self.requests = 0

    def say(self, envelope: dict[str, Any], expect: str = "") -> str:
        status, answer = self.server.post(json.dumps(envelope).encode())
        self.requests += 1
        if status != 200:
            raise AssertionError(f"{status} {answer}")
        heard = speech(answer)
        if expect not in heard:
            raise AssertionError(f"expected {expect!r} in {heard[:200]!r}")
        if answer["response"].get("shouldEndSession"):
            self.session.restart()
        else:
            self.session.absorb(answer)
        return heard

    def one_night(self) -> None:
        session = self.session
        self.say(launch_request(session))
        self.say(intent_request(session, "CrampNowIntent", CALF), "toes")
        steps = [self.say(intent_request(session, "AMAZON.YesIntent"), "Step 1 of 6")]
        steps += [self.say(intent_request(session, "AMAZON.NextIntent"), "Step") for _ in range(5)]
        recap = self.say(intent_request(session, "AMAZON.NextIntent"))
        self.walkthroughs.append([int(match.group(1)) for heard in steps for match in STEP.finditer(heard)])
        if STEP.search(recap):
            raise AssertionError(f"a seventh step: {recap[:200]!r}")
        self.say(intent_request(session, "FoodAndDrinkIntent"), "calcium")
        self.say(intent_request(session, "AMAZON.StopIntent"))

    def run(self, until: float) -> None:
        while time.monotonic() < until:
            try:
                self.one_night()
            except Exception as error:  # every failure is counted, none stops the others
                self.errors.append(f"{type(error).__name__}: {error}")
                self.session.restart()


def test_32_listeners_for_a_while_no_errors_steps_in_order_and_the_database_intact(tmp_path, figures):
    database = tmp_path / "soak.sqlite3"
    server = LiveServer(tmp_path, "--no-verify", "--store", "sqlite", "--sqlite-path", str(database),
                        "--workers", "2")
    server.wait_until_healthy()
    listeners = [Listener(server) for _ in range(LISTENERS)]
    until = time.monotonic() + SOAK_SECONDS
    threads = [threading.Thread(target=listener.run, args=(until,)) for listener in listeners]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=SOAK_SECONDS + 60)
    assert server.stop() == 0

    errors = [error for listener in listeners for error in listener.errors]
    assert errors == [], f"{len(errors)} errors, e.g. {errors[:3]}"
    for listener in listeners:
        assert listener.walkthroughs, "a listener never finished a stretch"
        assert all(steps == [1, 2, 3, 4, 5, 6] for steps in listener.walkthroughs), listener.walkthroughs
    nights = sum(len(listener.walkthroughs) for listener in listeners)
    figures(f"{sum(listener.requests for listener in listeners)} requests, {nights} stretches in {SOAK_SECONDS:.0f} s")
    assert "Traceback" not in server.log
    with sqlite3.connect(database) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert connection.execute("SELECT count(*) FROM listeners").fetchone() == (LISTENERS,)
