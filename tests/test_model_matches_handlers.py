"""The interaction model and the handlers agree: every intent she can reach has exactly one
handler whatever state she is in, and every intent a topic or control answers is in the model."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

import skill.runtime.handlers
from skill.runtime.handlers.builtins import UnknownIntentHandler

INTENT_NAME = re.compile(r"^(AMAZON\.)?[A-Z][A-Za-z]*Intent$")


def model_intents(model) -> list[str]:
    return [intent["name"] for intent in model["interactionModel"]["languageModel"]["intents"]]


def named_in_handlers() -> set[str]:
    """Intent names written in the handler modules (string constants): none, they come from content."""
    names = set()
    for path in Path(skill.runtime.handlers.__file__).parent.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and INTENT_NAME.match(node.value):
                names.add(node.value)
    return names


def handlers_for(skill_object, conversation, intent: str) -> list[str]:
    """Which registered handlers (not the unknown-intent safety net) take ``intent`` in this state."""
    from ask_sdk_core.handler_input import HandlerInput
    from ask_sdk_core.attributes_manager import AttributesManager
    from ask_sdk_model import RequestEnvelope
    from skill.runtime.envelope import intent_request
    import json

    envelope = skill_object.serializer.deserialize(
        json.dumps(intent_request(conversation.session, intent)), RequestEnvelope
    )
    handler_input = HandlerInput(
        request_envelope=envelope,
        attributes_manager=AttributesManager(request_envelope=envelope, persistence_adapter=skill_object.persistence_adapter),
    )
    chains = skill_object.request_dispatcher.request_mappers[0].request_handler_chains
    return [
        type(chain.request_handler).__name__
        for chain in chains
        if not isinstance(chain.request_handler, UnknownIntentHandler)
        and chain.request_handler.can_handle(handler_input)
    ]


STATES = {
    "a fresh session": [],
    "after an offer": [("CrampNowIntent", {})],
    "mid-stretch": [("StartWalkthroughIntent", {})],
    "a question mid-stretch": [("StartWalkthroughIntent", {}), ("FoodAndDrinkIntent", {})],
    "after a paused stretch": [("StartWalkthroughIntent", {}), ("AMAZON.PauseIntent", {}), ("AMAZON.ResumeIntent", {})],
    "once urgency sticks": [("SevereSymptomsIntent", {})],
    "urgent, mid-stretch": [("SevereSymptomsIntent", {}), ("StartWalkthroughIntent", {})],
}


@pytest.mark.parametrize("state", STATES)
def test_every_intent_in_the_model_has_exactly_one_handler_in_every_state(skill, model, she, state):
    for intent, slots in STATES[state]:
        she.ask(intent, **slots)
    taken = {intent: handlers_for(skill, she, intent) for intent in model_intents(model)}
    assert {intent: names for intent, names in taken.items() if len(names) != 1} == {}


def test_handlers_name_no_intent_the_content_gives_them():
    assert named_in_handlers() == set()


def test_every_intent_a_topic_or_control_answers_is_in_the_model(content, model):
    assert sorted(content.intents() - set(model_intents(model))) == []


def test_every_topic_intent_is_in_the_model(content, model):
    missing = [t.intent for t in content.topics.values() if t.intent and t.intent not in model_intents(model)]
    assert missing == []


@pytest.mark.parametrize(
    "intent",
    ["AMAZON.CancelIntent", "AMAZON.HelpIntent", "AMAZON.StopIntent", "AMAZON.NavigateHomeIntent", "AMAZON.FallbackIntent"],
)
def test_required_built_in_intents_are_handled_outside_the_unknown_intent_net(skill, she, intent):
    assert handlers_for(skill, she, intent)
