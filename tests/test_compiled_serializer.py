"""The compiled serializer builds exactly what ask-sdk's DefaultSerializer builds, or lets it do so.

Proof for SkillConfig.fast_serializer being on by default: every request fixture is read by the
compiled readers themselves (no fallback) into objects identical to DefaultSerializer's, and so are
hundreds of generated envelopes in every run (more with CRAMP_COACH_FUZZ_SCALE: tests/fuzz_budget.py);
where the readers are unsure they hand the document to DefaultSerializer, so its results and its
errors are what the skill gets. The writers turn every answer, and every object read from those
envelopes, into the same JSON as DefaultSerializer.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from collections import Counter
from datetime import datetime
from enum import Enum
from pathlib import Path
from typing import Any

import pytest
from ask_sdk_core.exceptions import SerializationException
from ask_sdk_core.serialize import DefaultSerializer
from ask_sdk_model import Request, RequestEnvelope
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from skill.runtime.builder import SkillConfig, build_skill
from skill.runtime.compiled_serializer import CompiledSerializer, Unsupported
from skill.runtime.envelope import (
    Session,
    SlotFill,
    intent_request,
    launch_request,
    session_ended_request,
    skill_event_request,
)
from skill.runtime.invoke import invoke

from fuzz_budget import examples
from json_shapes import containers

REQUESTS = Path(__file__).parent / "requests"
GENERATED_ENVELOPES = examples(600)
ECHO_SHOW = {"Alexa.Presentation.APL": {"runtime": {"maxVersion": "2023.3"}}}


def assert_same(ours: Any, theirs: Any, where: str = "envelope") -> None:
    """Equal, of the same types all the way down (a datetime's tzinfo too), with the same attributes."""
    assert type(ours) is type(theirs), f"{where}: {type(ours).__name__} vs {type(theirs).__name__}"
    if isinstance(theirs, Enum) or theirs is None or isinstance(theirs, (str, int, bool)):
        assert ours == theirs, where
    elif isinstance(theirs, float):
        assert ours == theirs or (math.isnan(ours) and math.isnan(theirs)), where
    elif isinstance(theirs, datetime):
        assert repr(ours) == repr(theirs), where  # the moment and the tzinfo, even one dateutil made up
    elif isinstance(theirs, (list, tuple)):
        assert len(ours) == len(theirs), where
        for index, (a, b) in enumerate(zip(ours, theirs)):
            assert_same(a, b, f"{where}[{index}]")
    elif isinstance(theirs, dict):
        assert list(ours) == list(theirs), where
        for key in theirs:
            assert_same(ours[key], theirs[key], f"{where}.{key}")
    else:
        assert sorted(vars(ours)) == sorted(vars(theirs)), where
        for name in vars(theirs):
            assert_same(vars(ours)[name], vars(theirs)[name], f"{where}.{name}")


def request_fixtures() -> dict[str, dict[str, Any]]:
    """Real Alexa request JSON (tests/requests) and every request the skill's own tools build."""
    fixtures = {path.stem: json.loads(path.read_text(encoding="utf-8")) for path in sorted(REQUESTS.glob("*.json"))}
    model = json.loads((Path(__file__).parents[1] / "interaction_models" / "en-US.json").read_text(encoding="utf-8"))
    for screen in ({}, ECHO_SHOW):
        session = Session(supported_interfaces=dict(screen), attributes={"topic": "cramp_now", "answer": 1})
        kind = "screen" if screen else "voice"
        fixtures[f"launch/{kind}"] = launch_request(session)
        for intent in model["interactionModel"]["languageModel"]["intents"]:
            slots = {slot["name"]: SlotFill("calf", "calf", "calf", slot["type"]) for slot in intent.get("slots", [])}
            unresolved = {name: SlotFill("elbow", slot_type=fill.slot_type) for name, fill in slots.items()}
            fixtures[f"{intent['name']}/{kind}"] = intent_request(session, intent["name"], slots)
            fixtures[f"{intent['name']}/unresolved/{kind}"] = intent_request(session, intent["name"], unresolved)
            unfilled = dict.fromkeys(slots)
            fixtures[f"{intent['name']}/unfilled/{kind}"] = intent_request(session, intent["name"], unfilled)
        for reason in ("USER_INITIATED", "EXCEEDED_MAX_REPROMPTS", "ERROR"):
            fixtures[f"session-ended/{reason}/{kind}"] = session_ended_request(session, reason)
        for event in ("SkillDisabled", "SkillEnabled"):
            fixtures[f"{event}/{kind}"] = skill_event_request(session, f"AlexaSkillEvent.{event}")
    return fixtures


FIXTURES = request_fixtures()


def sdk_reads(document: Any) -> Any:
    """What DefaultSerializer makes of a document: the object, or its error message."""
    try:
        return DefaultSerializer().deserialize(json.dumps(document), RequestEnvelope)
    except SerializationException as error:
        return ("SerializationException", str(error))


def written(serializer: Any, obj: Any) -> Any:
    """What a serializer writes for ``obj``, or the error it raises."""
    try:
        return serializer.serialize(obj)
    except Exception as error:
        return (type(error).__name__, str(error))


def compiled_reads(serializer: CompiledSerializer, document: Any) -> Any:
    try:
        return serializer.deserialize_document(document, RequestEnvelope)
    except SerializationException as error:
        return ("SerializationException", str(error))


@pytest.mark.parametrize("name", sorted(FIXTURES))
def test_every_request_fixture_is_read_by_the_compiled_readers_into_what_the_sdk_builds(name):
    document = FIXTURES[name]
    ours = CompiledSerializer().read(json.loads(json.dumps(document)), RequestEnvelope)  # never Unsupported here
    assert_same(ours, sdk_reads(document))


def test_the_json_string_interface_reads_the_same_objects_without_falling_back():
    serializer = CompiledSerializer()
    for document in FIXTURES.values():
        assert_same(serializer.deserialize(json.dumps(document), RequestEnvelope), sdk_reads(document))
    assert serializer.fallbacks == 0


def test_the_callers_document_is_never_shared_with_the_skill():
    document = json.loads((REQUESTS / "intent_request_echo_show.json").read_text(encoding="utf-8"))
    before = json.dumps(document)
    envelope = CompiledSerializer().deserialize_document(document, RequestEnvelope)
    envelope.session.attributes["nested"]["list"].append("changed by a handler")
    envelope.request.arguments = None
    assert json.dumps(document) == before


@pytest.mark.parametrize("document, why", [
    ({"version": "1.0", "request": {"type": "NoSuchRequest"}}, "unknown discriminator"),
    ({"version": "1.0", "request": {"requestId": "r"}}, "no discriminator"),
    ({"version": "1.0", "request": {"type": "LaunchRequest", "timestamp": "2026-03-01 22:14:03+01:00"}}, "timestamp"),
    ({"version": "1.0", "request": {"type": "LaunchRequest", "timestamp": "not a time"}}, "bad timestamp"),
    ({"version": "1.0", "session": {"new": "yes"}}, "a string for a bool"),
    ({"version": 1.0, "request": {"type": "LaunchRequest"}}, "a number for a string"),
    ({"version": "1.0", "request": {"type": "IntentRequest", "dialogState": "NOPE"}}, "unknown enum value"),
    ({"version": "1.0", "context": []}, "a list for an object"),
    ({"version": "1.0", "session": {"attributes": (1, 2)}}, "not JSON: a tuple"),
])
def test_what_the_readers_are_not_sure_of_goes_to_the_sdk_whose_answer_or_error_stands(document, why):
    with pytest.raises(Exception):
        CompiledSerializer().read(document, RequestEnvelope)
    serializer = CompiledSerializer()
    assert_same(compiled_reads(serializer, json.loads(json.dumps(document))), sdk_reads(document))
    assert serializer.fallbacks == 1


def test_a_timestamp_gets_the_tzinfo_dateutil_gives_on_this_machine_in_any_time_zone():
    script = (
        "import json, sys; from skill.runtime.compiled_serializer import CompiledSerializer; "
        "from ask_sdk_core.serialize import DefaultSerializer; from ask_sdk_model import RequestEnvelope; "
        "body = open(sys.argv[1]).read(); "
        "a = CompiledSerializer().read(json.loads(body), RequestEnvelope).request.timestamp; "
        "b = DefaultSerializer().deserialize(body, RequestEnvelope).request.timestamp; "
        "print(repr(a) == repr(b), repr(a))"
    )
    for zone in ("Europe/London", "America/New_York", "UTC"):
        result = subprocess.run([sys.executable, "-c", script, str(REQUESTS / "launch_request_echo_dot.json")],
                                capture_output=True, text=True, check=True, env={**os.environ, "TZ": zone})
        assert result.stdout.startswith("True"), (zone, result.stdout, result.stderr)


# Generated envelopes: real ones with fields deleted, retyped, renamed or added, and other request types.

json_scalars = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=6,
)
timestamps = st.one_of(
    st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31)).map(
        lambda moment: moment.strftime("%Y-%m-%dT%H:%M:%S") + "Z"),
    st.tuples(st.datetimes(), st.sampled_from(["Z", "+00:00", "-05:30", ""])).map(
        lambda pair: pair[0].isoformat() + pair[1]),
    st.from_regex(r"\A\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,8})?(Z|z|[+-]\d\d:\d\d)?\Z"),
    st.text(max_size=25),
)
request_types = st.sampled_from(sorted(Request.discriminator_value_class_map)) | st.text(max_size=12)
BASE = list(FIXTURES.values())
UNUSUAL_KEYS = ["object_type", "type", "attributes", "slots", "attribute_map", "deserialized_types", "__class__"]
"""Keys that name attributes, or the tables themselves, rather than JSON fields."""


@st.composite
def envelopes(draw) -> dict[str, Any]:
    envelope = json.loads(json.dumps(draw(st.sampled_from(BASE))))
    for _ in range(draw(st.integers(0, 3))):
        objects = containers(envelope)
        node = objects[draw(st.integers(0, len(objects) - 1))]
        keys = sorted(node)
        action = draw(st.sampled_from(["delete", "replace", "add", "timestamp", "type", "null"]))
        request = envelope.get("request")
        if action in ("timestamp", "type") and isinstance(request, dict):
            request[action] = draw(timestamps if action == "timestamp" else request_types)
        elif action == "add" or not keys:
            node[draw(st.text(max_size=12) | st.sampled_from(UNUSUAL_KEYS))] = draw(json_values)
        elif action == "delete":
            del node[draw(st.sampled_from(keys))]
        elif action == "null":
            node[draw(st.sampled_from(keys))] = None
        else:
            node[draw(st.sampled_from(keys))] = draw(json_values)
    return envelope


@pytest.mark.filterwarnings("ignore::dateutil.parser.UnknownTimezoneWarning")  # DefaultSerializer's, on odd times
def test_generated_envelopes_are_read_into_what_the_sdk_builds():
    seen: Counter = Counter()

    @settings(max_examples=GENERATED_ENVELOPES + 200, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(envelope=envelopes())
    def read_alike(envelope: dict[str, Any]) -> None:
        theirs = sdk_reads(envelope)
        try:
            ours = CompiledSerializer().read(json.loads(json.dumps(envelope)), RequestEnvelope)
        except Exception:
            seen["left to the sdk"] += 1
            ours = compiled_reads(CompiledSerializer(), envelope)
        else:
            seen["read by the compiled readers"] += 1
        assert_same(ours, theirs)
        # and written back as the SDK writes it (not with tables of its own, which DefaultSerializer.serialize
        # would copy into the model classes themselves, changing how every later request is read)
        if isinstance(theirs, RequestEnvelope) and "deserialized_types" not in json.dumps(envelope):
            assert_same(written(CompiledSerializer(), ours), written(DefaultSerializer(), theirs))

    read_alike()
    assert sum(seen.values()) >= GENERATED_ENVELOPES
    assert seen["read by the compiled readers"] >= GENERATED_ENVELOPES // 2, seen


@pytest.mark.parametrize("screen", [False, True])
def test_every_answer_is_written_as_the_sdk_writes_it(screen):
    skill = build_skill(SkillConfig(seed=5, fast_serializer=False))
    for name, document in FIXTURES.items():
        if name.endswith("/screen") != screen or "/" not in name:
            continue
        request_envelope = DefaultSerializer().deserialize(json.dumps(document), RequestEnvelope)
        response_envelope = skill.invoke(request_envelope=request_envelope, context=None)
        theirs = DefaultSerializer().serialize(response_envelope)
        assert_same(CompiledSerializer().serialize(response_envelope), theirs, name)
        assert json.dumps(CompiledSerializer().serialize(response_envelope)) == json.dumps(theirs)


def test_the_compiled_serializer_can_be_switched_off_and_the_skill_answers_the_same():
    fast, sdk = build_skill(SkillConfig(seed=3)), build_skill(SkillConfig(seed=3, fast_serializer=False))
    assert isinstance(fast.serializer, CompiledSerializer)
    assert type(sdk.serializer) is DefaultSerializer
    for name in sorted(FIXTURES):
        if name.startswith(("launch", "CrampNowIntent", "AMAZON", "StartWalkthrough", "session-ended", "SkillEnabled")):
            assert invoke(fast, FIXTURES[name]) == invoke(sdk, FIXTURES[name]), name
    assert fast.serializer.fallbacks == 0


def test_unsupported_is_what_the_readers_raise_for_a_value_of_another_json_type():
    with pytest.raises(Unsupported):
        CompiledSerializer().read({"version": 1}, RequestEnvelope)


def test_a_bug_in_a_reader_surfaces_instead_of_falling_back_to_the_sdk(monkeypatch):
    """Only Unsupported (the readers declining) goes to DefaultSerializer; anything else is a bug, and is loud."""
    serializer = CompiledSerializer()

    def broken_reader(value: Any) -> Any:
        raise KeyError("a bug in a reader")

    monkeypatch.setattr(serializer, "_reader", lambda type_name, discriminate=True: broken_reader)
    with pytest.raises(KeyError, match="a bug in a reader"):
        serializer.deserialize_document(FIXTURES["launch/voice"], RequestEnvelope)
    with pytest.raises(KeyError, match="a bug in a reader"):
        serializer.deserialize(json.dumps(FIXTURES["launch/voice"]), RequestEnvelope)
    assert serializer.fallbacks == 0
