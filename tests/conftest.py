"""Shared fixtures: the real skill, and a conversation with it through real request JSON."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import Any, Optional

import pytest

from skill.runtime import speech
from skill.runtime.builder import SkillConfig, build_skill
from skill.runtime.content import Content, load_content
from skill.runtime.envelope import (
    Session,
    SlotFill,
    intent_request,
    launch_request,
    session_ended_request,
    skill_event_request,
)
from skill.runtime.invoke import invoke
from skill.runtime.resources import interaction_model_path

from ssml_rules import ssml_problems


FIGURES_PROPERTY = "figures"
_figures_seen: list[tuple[str, str]] = []


@pytest.fixture
def figures(record_property):
    """Print measured figures (scores, latencies) in the run's summary, also when xdist runs the test elsewhere."""

    def report(text: str) -> None:
        record_property(FIGURES_PROPERTY, text)

    return report


def pytest_runtest_logreport(report) -> None:
    """Collect the figures each test reported (workers send them back with the report)."""
    if report.when == "call":
        _figures_seen.extend((report.nodeid, value) for name, value in report.user_properties
                             if name == FIGURES_PROPERTY)


def pytest_terminal_summary(terminalreporter) -> None:
    if _figures_seen:
        terminalreporter.section("figures")
        for nodeid, text in sorted(_figures_seen):
            terminalreporter.write_line(f"{nodeid}:")
            terminalreporter.write_line(text.strip("\n"))


def pytest_xdist_auto_num_workers(config) -> int:
    """``-n auto``: a worker per core and one more, as about a third of the suite waits on servers and processes."""
    import os

    return (len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1) + 1


@pytest.fixture(scope="session", autouse=True)
def data_home(tmp_path_factory):
    """Default data folders (the SQLite store's) point into the test run, never the tester's home."""
    import os

    folder = tmp_path_factory.mktemp("xdg-data-home")
    saved = os.environ.get("XDG_DATA_HOME")
    os.environ["XDG_DATA_HOME"] = str(folder)
    yield folder
    if saved is None:
        os.environ.pop("XDG_DATA_HOME", None)
    else:
        os.environ["XDG_DATA_HOME"] = saved


@pytest.fixture(scope="session")
def content() -> Content:
    return load_content()


@pytest.fixture(scope="session")
def model() -> dict[str, Any]:
    return json.loads(interaction_model_path("en-US").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def skill(content):
    return build_skill(SkillConfig(content=content, seed=7))


@dataclass(frozen=True)
class Heard:
    """One answer from the skill, as she hears it."""

    response: dict[str, Any]

    @property
    def ssml(self) -> str:
        speech_json = self.response["response"].get("outputSpeech")
        return speech_json["ssml"] if speech_json else ""

    @property
    def text(self) -> str:
        return speech.ssml_to_text(self.ssml) if self.ssml else ""

    @property
    def reprompt(self) -> str:
        reprompt = self.response["response"].get("reprompt")
        return speech.ssml_to_text(reprompt["outputSpeech"]["ssml"]) if reprompt else ""

    @property
    def session_open(self) -> bool:
        return self.response["response"].get("shouldEndSession") is False

    @property
    def first_sentence(self) -> str:
        return self.text.split(". ")[0]

    def says(self, *phrases: str) -> bool:
        lowered = self.text.lower()
        return all(p.lower() in lowered for p in phrases)


class Conversation:
    """She talks to the skill: every turn is a real Alexa request envelope, run by the real skill."""

    def __init__(self, skill, model: dict[str, Any]) -> None:
        self.skill = skill
        self.session = Session(user_id=f"amzn1.ask.account.{uuid.uuid4().hex}")
        self.heard: list[Heard] = []
        types = model["interactionModel"]["languageModel"]["types"]
        self._slot_values = {
            t["name"]: {
                word.lower(): (value["id"], value["name"]["value"])
                for value in t["values"]
                for word in [value["name"]["value"], *value["name"].get("synonyms", [])]
            }
            for t in types
        }
        self._slot_types = {
            intent["name"]: {slot["name"]: slot["type"] for slot in intent.get("slots", [])}
            for intent in model["interactionModel"]["languageModel"]["intents"]
        }

    def _run(self, envelope: dict[str, Any]) -> Heard:
        response = invoke(self.skill, envelope)
        heard = Heard(response)
        for ssml in filter(None, [heard.ssml, (response["response"].get("reprompt") or {}).get("outputSpeech", {}).get("ssml")]):
            assert ssml_problems(ssml) == [], ssml
        if heard.session_open:
            self.session.absorb(response)
        else:
            self.session.restart()
        self.heard.append(heard)
        return heard

    def open(self) -> Heard:
        """ "Alexa, open cramp coach"."""
        return self._run(launch_request(self.session))

    def ask(self, intent: str, **slots: Optional[str]) -> Heard:
        """She says something Alexa maps to ``intent``, with these slot values as spoken."""
        declared = self._slot_types.get(intent, {})
        fills: dict[str, Optional[SlotFill]] = {name: None for name in declared}
        for name, spoken in slots.items():
            slot_type = declared[name]
            if slot_type not in self._slot_values:  # a built-in type (AMAZON.TIME): its value as Alexa gives it
                fills[name] = SlotFill(spoken) if spoken else None
                continue
            resolved = self._slot_values[slot_type].get(spoken.lower()) if spoken else None
            fills[name] = SlotFill(spoken, *(resolved or (None, None)), slot_type=slot_type) if spoken else None
        return self._run(intent_request(self.session, intent, fills))

    def end(self, reason: str = "USER_INITIATED") -> dict[str, Any]:
        """Alexa closes the session (she fell asleep, or walked away)."""
        response = invoke(self.skill, session_ended_request(self.session, reason))
        self.session.restart()
        return response

    def later(self) -> "Conversation":
        """The same person, on the same device, in a new session."""
        self.session.restart()
        return self

    def disables_the_skill(self) -> dict[str, Any]:
        return invoke(self.skill, skill_event_request(self.session, "AlexaSkillEvent.SkillDisabled"))


@pytest.fixture(scope="session")
def dynalite(tmp_path_factory):
    """A real local DynamoDB (dynalite on LevelDB), for the whole test run."""
    from local_dynamodb import Dynalite, aws_test_credentials

    aws_test_credentials()
    server = Dynalite(tmp_path_factory.mktemp("dynalite")).start()
    yield server
    server.stop()


@pytest.fixture
def she(skill, model) -> Conversation:
    """A fresh conversation: she has just woken with a cramp."""
    return Conversation(skill, model)
