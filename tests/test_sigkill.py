"""``kill -9`` mid-load loses nothing that was answered: every step the server acknowledged is there
when it comes back on the same SQLite file, and the file is intact."""

from __future__ import annotations

import json
import re
import sqlite3
import threading
import time
import uuid
from http.client import HTTPException
from typing import Any

from skill.runtime.envelope import Session, intent_request, launch_request

from live_server import LiveServer

LOADERS = 6
KILL_AFTER_ACKNOWLEDGED_STEPS = 300
KILL_AFTER_SECONDS = 8.0
STEP = re.compile(r"Step (\d) of 6")
WELCOME_BACK = re.compile(r"you were on step (\d) of the stretch")


def heard(answer: dict[str, Any]) -> str:
    return (answer["response"].get("outputSpeech") or {}).get("ssml", "")


class Loader:
    """Listener after listener: open the skill, start the stretch, and step through it to Step 6."""

    def __init__(self, server: LiveServer, acknowledged: dict[str, int], lock: threading.Lock) -> None:
        self.server, self.acknowledged, self.lock = server, acknowledged, lock
        self.stopped = threading.Event()
        self.steps = 0

    def say(self, session: Session, envelope: dict[str, Any]) -> str:
        status, answer = self.server.post(json.dumps(envelope).encode())
        assert status == 200, answer
        session.absorb(answer)
        return heard(answer)

    def run(self) -> None:
        try:
            while not self.stopped.is_set():
                session = Session(user_id=f"amzn1.ask.account.KILL{uuid.uuid4().hex}")
                self.say(session, launch_request(session))
                spoken = self.say(session, intent_request(session, "StartWalkthroughIntent", {"bodyPart": None}))
                for _ in range(6):
                    step = int(STEP.search(spoken).group(1))  # type: ignore[union-attr]
                    with self.lock:
                        self.acknowledged[session.user_id] = step  # answered, so it must survive
                    self.steps += 1
                    if step == 6 or self.stopped.is_set():
                        break
                    spoken = self.say(session, intent_request(session, "AMAZON.NextIntent"))
        except (OSError, HTTPException):
            return  # the server was killed under us (mid-answer, even): what was not answered was never promised


def test_every_acknowledged_step_survives_kill_9_of_the_whole_server(tmp_path):
    database = tmp_path / "crash.sqlite3"
    options = ("--no-verify", "--store", "sqlite", "--sqlite-path", str(database), "--workers", "2")
    server = LiveServer(tmp_path, *options)
    server.wait_until_healthy()
    acknowledged: dict[str, int] = {}
    lock = threading.Lock()
    loaders = [Loader(server, acknowledged, lock) for _ in range(LOADERS)]
    threads = [threading.Thread(target=loader.run) for loader in loaders]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + KILL_AFTER_SECONDS
    while sum(loader.steps for loader in loaders) < KILL_AFTER_ACKNOWLEDGED_STEPS and time.monotonic() < deadline:
        time.sleep(0.05)
    server.kill()  # master and workers, mid-load
    for loader in loaders:
        loader.stopped.set()
    for thread in threads:
        thread.join(timeout=30)
    assert sum(loader.steps for loader in loaders) >= KILL_AFTER_ACKNOWLEDGED_STEPS
    assert any(step < 6 for step in acknowledged.values()), "nobody was mid-stretch when the server died"

    restarted = LiveServer(tmp_path, *options)
    restarted.wait_until_healthy()
    try:
        for user_id, step in sorted(acknowledged.items()):
            session = Session(user_id=user_id)
            status, answer = restarted.post(json.dumps(launch_request(session)).encode())
            assert status == 200, answer
            remembered = WELCOME_BACK.search(heard(answer))
            assert remembered, f"{user_id}: acknowledged step {step}, but launch says {heard(answer)[:160]!r}"
            assert step <= int(remembered.group(1)) <= 6, (user_id, step, remembered.group(0))
    finally:
        assert restarted.stop() == 0
    with sqlite3.connect(database) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
