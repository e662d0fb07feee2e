"""What she types or says, and the intent and slots Alexa's model would give the skill.

Most tests use the shipped en-US model, so they also check that the model hears the phrases
we care about; a few use a tiny model to show the NLU works on any ASK model.
"""

from __future__ import annotations

import json
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from skill.runtime.envelope import SlotFill
from skill.tools.nlu import FALLBACK_INTENT, LocalUnderstanding, ModelError
from skill.tools.vocabulary import normalise
from skill.runtime.resources import data_dir, interaction_model_path


@pytest.fixture(scope="module")
def nlu() -> LocalUnderstanding:
    return LocalUnderstanding.for_locale("en-US")


def _shipped_samples() -> list[tuple[str, str]]:
    """(intent, sample with each slot filled by its type's first value), model samples and built-ins."""
    language = json.loads(interaction_model_path("en-US").read_text(encoding="utf-8"))[
        "interactionModel"
    ]["languageModel"]
    builtins = json.loads((data_dir("interaction_models") / "local-builtins.json").read_text("utf-8"))
    first_value = {t["name"]: t["values"][0]["name"]["value"] for t in language.get("types", [])}
    first_value["AMAZON.TIME"] = "9:30 pm"
    cases = []
    for intent in language["intents"]:
        slot_types = {slot["name"]: slot["type"] for slot in intent.get("slots", [])}
        for sample in [*intent.get("samples", []), *builtins.get(intent["name"], [])]:
            filled = re.sub(r"\{(\w+)\}", lambda m: first_value[slot_types[m.group(1)]], sample)
            cases.append((intent["name"], filled))
    return cases


# -- conversations with the shipped model ---------------------------------------------------------


def test_ugh_my_calf_is_a_cramp_now(nlu: LocalUnderstanding) -> None:
    heard = nlu.understand("ugh my calf is killing me")
    assert heard.kind == "intent"
    assert heard.intent == "CrampNowIntent"
    assert heard.slots["bodyPart"] == SlotFill("calf", "calf", "calf", "BodyPart")


def test_ask_cramp_coach_what_should_i_eat_is_a_one_shot_food_question(nlu: LocalUnderstanding) -> None:
    heard = nlu.understand("Alexa, ask Cramp Coach what should I eat?")
    assert (heard.kind, heard.intent, heard.method, heard.one_shot) == (
        "intent", "FoodAndDrinkIntent", "exact", True,
    )


def test_tell_cramp_coach_my_calf_is_cramping_is_a_one_shot_cramp(nlu: LocalUnderstanding) -> None:
    heard = nlu.understand("tell cramp coach that my calf is cramping")
    assert heard.intent == "CrampNowIntent" and heard.one_shot
    assert heard.slots["bodyPart"].resolved_id == "calf"


def test_unknown_body_part_is_kept_unresolved(nlu: LocalUnderstanding) -> None:
    heard = nlu.understand("my elbow is cramping")
    assert heard.intent == "CrampNowIntent"
    assert heard.method == "exact"
    assert heard.slots["bodyPart"] == SlotFill("elbow", None, None, "BodyPart")


@pytest.mark.parametrize(
    "said",
    ["play some jazz", "what's the weather", "order pizza", "what's the capital of France",
     "set a timer for ten minutes", "turn on the lights", "how tall is mount everest"],
)
def test_nonsense_falls_back(nlu: LocalUnderstanding, said: str) -> None:
    heard = nlu.understand(said)
    assert (heard.kind, heard.intent, heard.method) == ("intent", FALLBACK_INTENT, "fallback")
    assert heard.slots == {} and heard.matched_sample is None


def test_every_sample_utterance_maps_to_its_own_intent(nlu: LocalUnderstanding) -> None:
    """One test over the whole model (thousands of samples), naming every sample that goes astray."""
    astray = []
    for intent, said in _shipped_samples():
        heard = nlu.understand(said)
        if (heard.intent, heard.method) != (intent, "exact") or any(
                fill.resolved_id is None for fill in heard.slots.values()):
            astray.append(f"{said!r}: {intent} expected, heard {heard.intent} ({heard.method})")
    assert not astray, "\n".join(astray)


@pytest.mark.parametrize(
    ("said", "intent"),
    [
        ("yes please", "AMAZON.YesIntent"),
        ("Yeah.", "AMAZON.YesIntent"),
        ("next", "AMAZON.NextIntent"),
        ("no thanks", "AMAZON.NoIntent"),
        ("stop", "AMAZON.StopIntent"),
        ("say that again", "AMAZON.RepeatIntent"),
        ("what can I say", "AMAZON.HelpIntent"),
    ],
)
def test_built_in_phrases_reach_built_in_intents(nlu: LocalUnderstanding, said: str, intent: str) -> None:
    assert nlu.understand(said).intent == intent


@pytest.mark.parametrize(
    ("said", "intent"),
    [
        ("whats good to eat for cramps", "FoodAndDrinkIntent"),
        ("can i take some ibuprofen please", "MedicineIntent"),
        ("how do i avoid cramps at night", "BedtimeIntent"),
        ("what is causing my cramps", "CausesIntent"),
        ("my back hurts on one side", "BackSpasmIntent"),
        ("the pain is really really bad", "SevereCrampIntent"),
        ("when do I need to see a doctor", "WhenToSeeDoctorIntent"),
        ("any general tips", "PrecautionsIntent"),
        ("can you guide me through a stretch", "StartWalkthroughIntent"),
        ("what else can I do for it", "TellMeMoreIntent"),
        ("how can I prevent leg cramps", "PreventionIntent"),
        ("okay go ahead", "AMAZON.YesIntent"),
    ],
)
def test_everyday_paraphrases_reach_the_right_intent(
    nlu: LocalUnderstanding, said: str, intent: str
) -> None:
    heard = nlu.understand(said)
    assert heard.intent == intent, heard


def test_can_i_take_some_ibuprofen_please_names_ibuprofen(nlu: LocalUnderstanding) -> None:
    heard = nlu.understand("can i take some ibuprofen please")
    assert heard.slots["medicine"] == SlotFill("ibuprofen", "ibuprofen", "ibuprofen", "MedicineName")


def test_a_brand_name_resolves_to_its_medicine(nlu: LocalUnderstanding) -> None:
    heard = nlu.understand("is Tylenol safe")
    assert heard.intent == "MedicineIntent"
    assert heard.slots["medicine"] == SlotFill("tylenol", "paracetamol", "paracetamol", "MedicineName")


def test_a_fuzzy_match_still_picks_up_the_body_part(nlu: LocalUnderstanding) -> None:
    heard = nlu.understand("i have a really bad cramp in my left calf")
    assert heard.intent == "CrampNowIntent" and heard.method == "fuzzy"
    assert heard.slots["bodyPart"].resolved_id == "calf"


@pytest.mark.parametrize(
    "said",
    ["", "open cramp coach", "Alexa, start Cramp Coach", "launch cramp coach", "cramp coach",
     "talk to cramp coach", "ask cramp coach"],
)
def test_launch_phrases_open_the_skill(nlu: LocalUnderstanding, said: str) -> None:
    heard = nlu.understand(said)
    assert (heard.kind, heard.intent, heard.method) == ("launch", None, "launch")


def test_curly_apostrophes_and_punctuation_do_not_matter(nlu: LocalUnderstanding) -> None:
    heard = nlu.understand("What\u2019s causing my cramps?!")
    assert (heard.intent, heard.method, heard.matched_sample) == (
        "CausesIntent", "exact", "what's causing my cramps",
    )


def test_a_dropped_apostrophe_still_matches_exactly(nlu: LocalUnderstanding) -> None:
    assert nlu.understand("whats causing my cramps").method == "exact"


def test_every_declared_slot_is_listed_even_when_unfilled(nlu: LocalUnderstanding) -> None:
    assert nlu.slot_names("MedicineIntent") == ["medicine", "bodyPart"]
    assert nlu.slot_names("FoodAndDrinkIntent") == ["food"]
    assert nlu.slot_names("BedtimeIntent") == []
    assert nlu.slot_names("NoSuchIntent") == []


def test_the_shipped_model_is_loaded_once_per_locale() -> None:
    assert LocalUnderstanding.for_locale("en-US") is LocalUnderstanding.for_locale("en-US")


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=60))
def test_the_same_words_always_give_the_same_understanding(said: str) -> None:
    nlu = LocalUnderstanding.for_locale("en-US")
    first = nlu.understand(said)
    assert nlu.understand(said) == first
    assert first.kind in ("launch", "intent")
    if first.kind == "intent":
        assert first.intent in nlu.intents or first.intent == FALLBACK_INTENT


def test_normalising_keeps_apostrophes_and_drops_the_wake_word() -> None:
    assert normalise("  Alexa,   I\u2019m  GOING to bed... ") == "i'm going to bed"


# -- any ASK model ------------------------------------------------------------------------------


def _tiny_model(**overrides: object) -> dict:
    language = {
        "invocationName": "sleep helper",
        "intents": [
            {"name": "AMAZON.StopIntent", "samples": []},
            {"name": "AMAZON.FallbackIntent", "samples": []},
            {
                "name": "SoreIntent",
                "slots": [{"name": "limb", "type": "Limb"}],
                "samples": ["my {limb} is sore", "sore {limb}"],
            },
            {"name": "NapIntent", "samples": ["when should i nap", "is a nap a good idea"]},
            {"name": "TwinIntent", "samples": ["when should i nap"]},
            {"name": "OnlySlotIntent", "slots": [{"name": "limb", "type": "Limb"}], "samples": ["{limb}"]},
        ],
        "types": [
            {
                "name": "Limb",
                "values": [
                    {"id": "ARM", "name": {"value": "arm", "synonyms": ["upper arm", "forearm"]}},
                    {"id": "NECK", "name": {"value": "neck"}},
                ],
            }
        ],
    }
    language.update(overrides)
    return {"interactionModel": {"languageModel": language}}


@pytest.fixture(scope="module")
def tiny() -> LocalUnderstanding:
    return LocalUnderstanding.from_model(_tiny_model(), {"AMAZON.StopIntent": ["stop", "that's enough"]})


def test_any_model_resolves_slot_synonyms_longest_first(tiny: LocalUnderstanding) -> None:
    heard = tiny.understand("my upper arm is sore")
    assert (heard.intent, heard.method) == ("SoreIntent", "exact")
    assert heard.slots == {"limb": SlotFill("upper arm", "ARM", "arm", "Limb")}


def test_any_model_takes_its_invocation_name_from_the_model(tiny: LocalUnderstanding) -> None:
    assert tiny.understand("open sleep helper").kind == "launch"
    assert tiny.understand("open cramp coach").intent == FALLBACK_INTENT
    heard = tiny.understand("ask sleep helper when should i nap")
    assert (heard.intent, heard.one_shot) == ("NapIntent", True)


def test_two_intents_with_one_sample_go_to_the_first_in_model_order(tiny: LocalUnderstanding) -> None:
    assert tiny.understand("when should i nap").intent == "NapIntent"


def test_a_sample_that_is_only_a_slot_does_not_swallow_everything(tiny: LocalUnderstanding) -> None:
    assert tiny.understand("neck").intent == "OnlySlotIntent"
    assert tiny.understand("play some jazz").intent == FALLBACK_INTENT


def test_built_in_phrases_count_as_samples_of_declared_intents(tiny: LocalUnderstanding) -> None:
    assert tiny.understand("that's enough").intent == "AMAZON.StopIntent"
    assert tiny.understand("that is enough please").intent == "AMAZON.StopIntent"


def test_a_paraphrase_is_matched_fuzzily_and_scored(tiny: LocalUnderstanding) -> None:
    heard = tiny.understand("is a nap a really good idea")
    assert (heard.intent, heard.method, heard.matched_sample) == ("NapIntent", "fuzzy", "is a nap a good idea")
    assert 0 < heard.score < 1


def test_a_bare_language_model_is_accepted_too() -> None:
    language = _tiny_model()["interactionModel"]["languageModel"]
    assert LocalUnderstanding.from_model(language).understand("sore neck").intent == "SoreIntent"


def test_a_sample_with_an_undeclared_slot_names_where_to_fix_it() -> None:
    model = _tiny_model(intents=[{"name": "SoreIntent", "samples": ["my {leg} hurts"]}])
    with pytest.raises(ModelError, match=r"intents\[0\]\.samples\[0\].*\{leg\}.*SoreIntent"):
        LocalUnderstanding.from_model(model)


def test_a_model_without_an_invocation_name_is_refused() -> None:
    with pytest.raises(ModelError, match="invocationName"):
        LocalUnderstanding.from_model(_tiny_model(invocationName=""))
