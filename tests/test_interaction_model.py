"""Checks on the checked-in Alexa interaction model and the local built-in phrase list.

The rules come from Amazon's requirements for custom-skill interaction models
(sample utterances, slots, custom slot types and the invocation name), plus the
skill's own needs: every custom intent is well trained and no phrase is claimed
by two intents, whether it is written out or produced by filling in a slot.
"""

from __future__ import annotations

import itertools
import json
import re
from collections import defaultdict

import pytest
from ask_sdk_core.serialize import DefaultSerializer

from skill.runtime.resources import data_dir, interaction_model_path

# Amazon's rules, written once in skill.tools.model_rules (also used by `cramp-coach check`).
from skill.tools.model_rules import (  # noqa: E402
    BUILT_INS_WE_USE,
    CUSTOM_INTENTS,
    INVOCATION_NAME,
    MAX_UTTERANCE_CHARS,
    MIN_SAMPLES_PER_CUSTOM_INTENT,
    REQUIRED_BUILT_INS,
    SLOT_REFERENCE,
    UTTERANCE_SHAPE,
    keys_lost,
)
from skill.tools.vocabulary import (  # noqa: E402
    FORBIDDEN_IN_INVOCATION,
    LAUNCH_PHRASES,
    LAUNCH_WORDS_IN_INVOCATION,
    WAKE_WORDS,
)

# Phrases whose home among the built-ins the local tester relies on.
EXPECTED_BUILT_IN_FOR_PHRASE = {
    "stop": "AMAZON.StopIntent",
    "cancel": "AMAZON.CancelIntent",
    "go home": "AMAZON.NavigateHomeIntent",
    "home": "AMAZON.NavigateHomeIntent",
    "next": "AMAZON.NextIntent",
    "next step": "AMAZON.NextIntent",
    "keep going": "AMAZON.NextIntent",
    "go back": "AMAZON.PreviousIntent",
    "previous": "AMAZON.PreviousIntent",
    "last step": "AMAZON.PreviousIntent",
    "start over": "AMAZON.StartOverIntent",
    "restart": "AMAZON.StartOverIntent",
    "pause": "AMAZON.PauseIntent",
    "hold on": "AMAZON.PauseIntent",
    "wait": "AMAZON.PauseIntent",
    "resume": "AMAZON.ResumeIntent",
    "continue": "AMAZON.ResumeIntent",
    "repeat": "AMAZON.RepeatIntent",
    "say that again": "AMAZON.RepeatIntent",
    "what did you say": "AMAZON.RepeatIntent",
    "help": "AMAZON.HelpIntent",
    "what can i say": "AMAZON.HelpIntent",
    "what can you do": "AMAZON.HelpIntent",
    "yes": "AMAZON.YesIntent",
    "no": "AMAZON.NoIntent",
}


# --------------------------------------------------------------------------- helpers


def _load_json(path):
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


MODEL_PATH = interaction_model_path("en-US")
LOCAL_BUILT_INS_PATH = data_dir("interaction_models") / "local-builtins.json"
MODEL = _load_json(MODEL_PATH)
LANGUAGE_MODEL = MODEL["interactionModel"]["languageModel"]
INTENTS = {intent["name"]: intent for intent in LANGUAGE_MODEL["intents"]}
TYPES = {slot_type["name"]: slot_type for slot_type in LANGUAGE_MODEL.get("types", [])}
LOCAL_BUILT_INS = _load_json(LOCAL_BUILT_INS_PATH)

ALL_SAMPLES = [
    (intent["name"], sample)
    for intent in LANGUAGE_MODEL["intents"]
    for sample in intent.get("samples", [])
]


def normalize(text: str) -> str:
    """Lowercase and collapse whitespace, the way Amazon compares utterances."""
    return " ".join(text.lower().split())


def slot_types_of(intent: dict) -> dict[str, str]:
    return {slot["name"]: slot["type"] for slot in intent.get("slots", [])}


def phrases_for_type(type_name: str) -> list[str]:
    """Every value and synonym a custom slot type can be filled with."""
    phrases = []
    for value in TYPES[type_name]["values"]:
        phrases.append(value["name"]["value"])
        phrases.extend(value["name"].get("synonyms", []))
    return [normalize(phrase) for phrase in phrases]


def spoken_forms(intent: dict, sample: str) -> set[str]:
    """The sample as written, with each custom slot filled by every value it accepts."""
    slot_types = slot_types_of(intent)
    # Undeclared slots and AMAZON.* types are left as written; other tests catch the former.
    names = [n for n in SLOT_REFERENCE.findall(sample) if slot_types.get(n) in TYPES]
    if not names:
        return {normalize(sample)}
    fillers = [phrases_for_type(slot_types[name]) for name in names]
    forms = set()
    for choice in itertools.product(*fillers):
        text = sample
        for name, phrase in zip(names, choice):
            text = text.replace("{" + name + "}", phrase, 1)
        forms.add(normalize(text))
    return forms


# --------------------------------------------------------------------------- shape


def test_model_deserializes_into_smapi_interaction_model_types():
    serializer = DefaultSerializer()
    data = serializer.deserialize(
        json.dumps(MODEL),
        "ask_smapi_model.v1.skill.interaction_model.interaction_model_data.InteractionModelData",
    )
    language_model = data.interaction_model.language_model

    assert language_model.invocation_name == INVOCATION_NAME
    assert [intent.name for intent in language_model.intents] == [
        intent["name"] for intent in LANGUAGE_MODEL["intents"]
    ]
    assert [slot_type.name for slot_type in language_model.types] == [
        slot_type["name"] for slot_type in LANGUAGE_MODEL["types"]
    ]
    for parsed, raw in zip(language_model.intents, LANGUAGE_MODEL["intents"]):
        assert parsed.samples == raw.get("samples"), parsed.name


def test_model_round_trips_through_smapi_types_without_unknown_keys():
    """A misspelt key would survive deserializing but vanish when serialized back."""
    serializer = DefaultSerializer()
    data = serializer.deserialize(
        json.dumps(MODEL),
        "ask_smapi_model.v1.skill.interaction_model.interaction_model_data.InteractionModelData",
    )
    lost = keys_lost(MODEL, serializer.serialize(data))
    assert not lost, f"keys the ASK schema does not know (check spelling): {lost}"


def test_intent_names_are_unique():
    names = [intent["name"] for intent in LANGUAGE_MODEL["intents"]]
    duplicates = sorted({name for name in names if names.count(name) > 1})
    assert not duplicates, f"intents declared more than once: {duplicates}"


@pytest.mark.parametrize("intent_name", REQUIRED_BUILT_INS)
def test_required_built_in_intent_is_present(intent_name):
    assert intent_name in INTENTS, f"{intent_name} is required by Amazon but missing"


@pytest.mark.parametrize("intent_name", BUILT_INS_WE_USE)
def test_built_in_intent_the_skill_uses_is_present(intent_name):
    assert intent_name in INTENTS, f"{intent_name} is handled by the skill but missing"


def test_only_known_intents_are_declared():
    unexpected = sorted(set(INTENTS) - set(CUSTOM_INTENTS) - set(BUILT_INS_WE_USE))
    assert not unexpected, f"intents nobody handles: {unexpected}"


@pytest.mark.parametrize("intent_name", CUSTOM_INTENTS)
def test_custom_intent_has_enough_sample_utterances(intent_name):
    assert intent_name in INTENTS, f"custom intent {intent_name} is missing"
    samples = INTENTS[intent_name].get("samples", [])
    assert len(samples) >= MIN_SAMPLES_PER_CUSTOM_INTENT, (
        f"{intent_name} has {len(samples)} samples; "
        f"needs at least {MIN_SAMPLES_PER_CUSTOM_INTENT}"
    )


# --------------------------------------------------------------------------- utterances


# One test per rule over the whole model, naming every offender: thousands of samples, one test each.


def test_every_sample_uses_only_lowercase_letters_apostrophes_abbreviations_and_slots():
    bad = [f"{intent_name}: {sample!r}" for intent_name, sample in ALL_SAMPLES if not UTTERANCE_SHAPE.match(sample)]
    assert not bad, ("must be lowercase words, apostrophes, abbreviations like 'a.m.' and {slot} references "
                     "separated by single spaces (no digits, no other punctuation):\n" + "\n".join(bad))


def test_every_sample_is_at_most_two_hundred_characters():
    long = [f"{intent_name}: {sample!r} ({len(sample)})" for intent_name, sample in ALL_SAMPLES
            if len(sample) > MAX_UTTERANCE_CHARS]
    assert not long, "\n".join(long)


def test_every_sample_references_only_slots_declared_on_its_intent_once_each():
    bad = []
    for intent_name, sample in ALL_SAMPLES:
        declared = slot_types_of(INTENTS[intent_name])
        referenced = SLOT_REFERENCE.findall(sample)
        if any(name not in declared for name in referenced) or len(referenced) != len(set(referenced)):
            bad.append(f"{intent_name}: {sample!r}")
    assert not bad, "undeclared or repeated slots:\n" + "\n".join(bad)


def _starts_badly(sample: str) -> bool:
    text = normalize(sample)
    words = text.split()
    return (words[0] in WAKE_WORDS
            or any(text == phrase or text.startswith(phrase + " ") for phrase in LAUNCH_PHRASES)
            # "tell me more" is an ordinary request; "tell cramp coach ..." is a launch.
            or (words[0] == "tell" and words[1:2] != ["me"])
            or INVOCATION_NAME in text)


def test_no_sample_starts_with_a_wake_word_launch_phrase_or_holds_the_invocation_name():
    bad = [f"{intent_name}: {sample!r}" for intent_name, sample in ALL_SAMPLES if _starts_badly(sample)]
    assert not bad, "\n".join(bad)


@pytest.mark.parametrize("intent_name", sorted(INTENTS))
def test_no_sample_is_repeated_within_an_intent(intent_name):
    samples = [normalize(s) for s in INTENTS[intent_name].get("samples", [])]
    repeated = sorted({s for s in samples if samples.count(s) > 1})
    assert not repeated, f"{intent_name} lists these samples more than once: {repeated}"


def test_no_sample_utterance_sits_under_two_intents():
    owners = defaultdict(set)
    for intent_name, sample in ALL_SAMPLES:
        owners[normalize(sample)].add(intent_name)
    clashes = {s: sorted(names) for s, names in owners.items() if len(names) > 1}
    assert not clashes, f"samples claimed by more than one intent: {clashes}"


def test_no_spoken_phrase_maps_to_two_intents_once_slots_are_filled():
    """'my {bodyPart} is cramping' must not swallow another intent's 'my lower back is cramping'."""
    owners = defaultdict(set)
    for intent_name, sample in ALL_SAMPLES:
        for form in spoken_forms(INTENTS[intent_name], sample):
            owners[form].add(intent_name)
    clashes = {form: sorted(names) for form, names in owners.items() if len(names) > 1}
    assert not clashes, f"phrases that two intents would both claim: {clashes}"


# --------------------------------------------------------------------------- slots and types


@pytest.mark.parametrize("intent_name", sorted(INTENTS))
def test_intent_slots_have_unique_names_and_declared_types(intent_name):
    slots = INTENTS[intent_name].get("slots", [])
    names = [slot["name"] for slot in slots]
    assert len(names) == len(set(names)), f"{intent_name} declares a slot twice: {names}"
    for slot in slots:
        slot_type = slot["type"]
        assert slot_type.startswith("AMAZON.") or slot_type in TYPES, (
            f"{intent_name}: slot {slot['name']!r} has type {slot_type!r}, "
            "which is not declared under 'types'"
        )


@pytest.mark.parametrize(
    "intent_name", sorted(name for name, intent in INTENTS.items() if intent.get("slots"))
)
def test_every_declared_slot_appears_in_some_sample(intent_name):
    intent = INTENTS[intent_name]
    used = {name for s in intent.get("samples", []) for name in SLOT_REFERENCE.findall(s)}
    unused = sorted(set(slot_types_of(intent)) - used)
    assert not unused, f"{intent_name} declares slots no sample uses: {unused}"


def test_every_custom_slot_type_is_used_by_some_intent():
    used = {slot["type"] for intent in INTENTS.values() for slot in intent.get("slots", [])}
    unused = sorted(set(TYPES) - used)
    assert not unused, f"slot types no intent uses: {unused}"


def test_expected_slot_types_are_wired_to_the_expected_slots():
    assert slot_types_of(INTENTS["CrampNowIntent"])["bodyPart"] == "BodyPart"
    assert slot_types_of(INTENTS["MedicineIntent"])["medicine"] == "MedicineName"
    assert {value["id"] for value in TYPES["BodyPart"]["values"]} >= {
        "calf", "leg", "foot", "thigh", "back",
    }


@pytest.mark.parametrize("type_name", sorted(TYPES))
def test_slot_type_values_and_synonyms_are_unique_within_the_type(type_name):
    seen = {}
    clashes = []
    for value in TYPES[type_name]["values"]:
        for phrase in [value["name"]["value"], *value["name"].get("synonyms", [])]:
            key = normalize(phrase)
            if key in seen:
                clashes.append(f"{phrase!r} under {seen[key]!r} and {value['id']!r}")
            seen.setdefault(key, value["id"])
    assert not clashes, f"{type_name} repeats values or synonyms: {clashes}"


@pytest.mark.parametrize("type_name", sorted(TYPES))
def test_slot_type_values_have_unique_ids_and_lowercase_wording(type_name):
    ids = [value["id"] for value in TYPES[type_name]["values"]]
    assert len(ids) == len(set(ids)), f"{type_name} repeats ids: {ids}"
    for value in TYPES[type_name]["values"]:
        for phrase in [value["name"]["value"], *value["name"].get("synonyms", [])]:
            assert UTTERANCE_SHAPE.match(phrase) and "{" not in phrase, (
                f"{type_name} value {value['id']!r}: {phrase!r} must be lowercase words"
            )


# --------------------------------------------------------------------------- invocation name


def test_invocation_name_is_cramp_coach():
    assert LANGUAGE_MODEL["invocationName"] == INVOCATION_NAME


def test_invocation_name_is_two_or_more_lowercase_words():
    name = LANGUAGE_MODEL["invocationName"]
    assert re.fullmatch(r"[a-z]+(?: [a-z]+)+", name), (
        f"invocation name {name!r} must be two or more words of lowercase letters"
    )


def test_invocation_name_avoids_wake_words_and_launch_words():
    words = LANGUAGE_MODEL["invocationName"].split()
    banned = [w for w in words if w in FORBIDDEN_IN_INVOCATION + LAUNCH_WORDS_IN_INVOCATION]
    assert not banned, f"invocation name contains forbidden words: {banned}"


# --------------------------------------------------------------------------- local built-ins


def test_local_built_ins_cover_exactly_the_built_ins_except_fallback():
    built_ins_in_model = {name for name in INTENTS if name.startswith("AMAZON.")}
    expected = built_ins_in_model - {"AMAZON.FallbackIntent"}
    assert "AMAZON.FallbackIntent" not in LOCAL_BUILT_INS, (
        "FallbackIntent has no phrases of its own; it catches what nothing else matches"
    )
    assert set(LOCAL_BUILT_INS) == expected, (
        f"missing: {sorted(expected - set(LOCAL_BUILT_INS))}; "
        f"not built-ins in the model: {sorted(set(LOCAL_BUILT_INS) - expected)}"
    )


@pytest.mark.parametrize("intent_name", sorted(LOCAL_BUILT_INS))
def test_local_built_in_has_five_to_fifteen_lowercase_phrases(intent_name):
    phrases = LOCAL_BUILT_INS[intent_name]
    assert 5 <= len(phrases) <= 15, f"{intent_name} has {len(phrases)} phrases"
    for phrase in phrases:
        assert UTTERANCE_SHAPE.match(phrase) and "{" not in phrase, (
            f"{intent_name}: {phrase!r} must be lowercase words without slots"
        )
    assert len(phrases) == len(set(phrases)), f"{intent_name} repeats a phrase"


def test_no_local_built_in_phrase_belongs_to_two_built_ins():
    owners = defaultdict(set)
    for intent_name, phrases in LOCAL_BUILT_INS.items():
        for phrase in phrases:
            owners[normalize(phrase)].add(intent_name)
    clashes = {p: sorted(names) for p, names in owners.items() if len(names) > 1}
    assert not clashes, f"built-in phrases claimed twice: {clashes}"


def test_no_custom_sample_matches_a_local_built_in_phrase():
    built_in_owner = {
        normalize(phrase): intent_name
        for intent_name, phrases in LOCAL_BUILT_INS.items()
        for phrase in phrases
    }
    clashes = []
    for intent_name, sample in ALL_SAMPLES:
        for form in spoken_forms(INTENTS[intent_name], sample):
            if form in built_in_owner:
                clashes.append(f"{intent_name}: {sample!r} says {form!r}, "
                               f"which belongs to {built_in_owner[form]}")
    assert not clashes, "custom samples collide with built-in phrases:\n" + "\n".join(clashes)


@pytest.mark.parametrize("phrase, intent_name", sorted(EXPECTED_BUILT_IN_FOR_PHRASE.items()))
def test_everyday_phrase_maps_to_the_built_in_alexa_would_pick(phrase, intent_name):
    owners = [name for name, phrases in LOCAL_BUILT_INS.items() if phrase in phrases]
    assert owners == [intent_name], f"{phrase!r} maps to {owners}, expected {intent_name}"
