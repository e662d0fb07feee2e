"""Whatever she says, in whatever order, the skill answers calmly: never an error, always valid SSML,
always a way to go on or a clean close, and a doctor line on every symptom answer."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import Conversation

BODY_PARTS = [None, "calf", "legs", "foot", "thigh", "lower back", "elbow", "tummy"]
MEDICINES = [None, "ibuprofen", "a painkiller", "something strange"]


def turns(model):
    intents = [i["name"] for i in model["interactionModel"]["languageModel"]["intents"]] + ["LaunchRequest"]

    @st.composite
    def turn(draw):
        intent = draw(st.sampled_from(intents))
        slots = {}
        slot_names = {
            s["name"] for i in model["interactionModel"]["languageModel"]["intents"] if i["name"] == intent
            for s in i.get("slots", [])
        }
        if "bodyPart" in slot_names:
            slots["bodyPart"] = draw(st.sampled_from(BODY_PARTS))
        if "medicine" in slot_names:
            slots["medicine"] = draw(st.sampled_from(MEDICINES))
        return intent, slots

    return st.lists(turn(), min_size=1, max_size=25)


def test_any_sequence_of_requests_gets_a_calm_valid_answer(skill, model, content):
    error_lines = set(content.prompts["error"].variants)
    symptom_intents = {t.intent for t in content.topics.values() if t.symptom and t.intent}
    net_lines = content.safety["safety_net"].variants
    urgent_intents = {t.intent: t for t in content.topics.values() if t.short is not None}
    short_lines = {v for t in urgent_intents.values() for v in t.short.variants}

    @settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
    @given(turns(model))
    def check(sequence):
        she = Conversation(skill, model)  # every turn's SSML is checked inside Conversation
        urgent = False  # a tier 1 or 2 answer was heard in this session
        for intent, slots in sequence:
            heard = she.open() if intent == "LaunchRequest" else she.ask(intent, **slots)
            if intent == "AMAZON.FallbackIntent":
                assert any(line in heard.text for line in net_lines + tuple(short_lines)), heard.text
            if urgent and intent in ("AMAZON.StopIntent", "AMAZON.CancelIntent"):
                assert any(line in heard.text for line in short_lines), (sequence, heard.text)
                assert not heard.session_open
            urgent = (urgent or intent in urgent_intents) and heard.session_open
            assert heard.text, (intent, slots)
            assert heard.text not in error_lines, (intent, slots)
            if heard.session_open:
                assert heard.reprompt, (intent, slots)
            if intent in symptom_intents:
                assert content.doctor_phrase in heard.text.lower(), (intent, slots, heard.text)

    check()
