"""Five English locales from one source: the checked-in models are exactly what the generator
makes, every one follows Amazon's rules, and they differ only where people really speak
differently."""

from __future__ import annotations

import itertools
import json
import re

import pytest

from skill.tools import model_rules, models
from skill.tools.patterns import expand
from skill.runtime.builder import SkillConfig, build_skill
from skill.runtime.envelope import Session, intent_request
from skill.runtime.invoke import invoke
from skill.tools.nlu import LocalUnderstanding
from skill.runtime.resources import data_dir

LOCALES = ["en-US", "en-GB", "en-CA", "en-AU", "en-IN"]


def samples_of(locale: str) -> dict[str, list[str]]:
    model = json.loads(models.model_path(locale).read_text(encoding="utf-8"))
    return {i["name"]: i.get("samples", []) for i in model["interactionModel"]["languageModel"]["intents"]}


def synonyms_of(locale: str, type_name: str, value_id: str) -> list[str]:
    model = json.loads(models.model_path(locale).read_text(encoding="utf-8"))
    (kind,) = [t for t in model["interactionModel"]["languageModel"]["types"] if t["name"] == type_name]
    (value,) = [v for v in kind["values"] if v["id"] == value_id]
    return value["name"].get("synonyms", [])


def test_the_skill_is_published_in_five_english_locales():
    assert models.locales() == LOCALES


@pytest.mark.parametrize("locale", LOCALES)
def test_the_checked_in_model_is_exactly_what_the_source_generates(locale):
    assert models.model_path(locale).read_text(encoding="utf-8") == models.render(models.generate(locale))


def test_no_checked_in_model_has_drifted_from_the_source():
    assert models.stale_models() == []


@pytest.mark.parametrize("locale", LOCALES)
def test_every_locale_follows_amazons_rules_and_the_skills_own(locale):
    model = json.loads(models.model_path(locale).read_text(encoding="utf-8"))
    built_ins = json.loads((data_dir("interaction_models") / "local-builtins.json").read_text(encoding="utf-8"))
    assert model_rules.model_problems(model, built_ins, name=locale) == []


def test_every_locale_has_the_same_intents_slots_and_invocation_name():
    shapes = set()
    for locale in LOCALES:
        model = json.loads(models.model_path(locale).read_text(encoding="utf-8"))["interactionModel"]["languageModel"]
        shapes.add(json.dumps([model["invocationName"], [(i["name"], i.get("slots")) for i in model["intents"]],
                               [t["name"] for t in model["types"]]]))
    assert len(shapes) == 1


def test_locales_differ_only_where_the_source_marks_a_difference():
    source = models.load_source()
    marked = {sample for intent in source["intents"].values() for entry in intent["samples"]
              if isinstance(entry, dict) for sample in expand(entry["say"], source.get("rules"))}
    us = {s for samples in samples_of("en-US").values() for s in samples}
    for locale in LOCALES[1:]:
        here = {s for samples in samples_of(locale).values() for s in samples}
        assert (here ^ us) <= marked, locale


def test_americans_and_canadians_call_the_ob_while_britons_and_australians_call_the_gp():
    for locale in ("en-US", "en-CA"):
        assert "should i call my o.b." in samples_of(locale)["WhenToSeeDoctorIntent"]
        assert "should i see my g.p." not in samples_of(locale)["WhenToSeeDoctorIntent"]
    for locale in ("en-GB", "en-AU"):
        assert "should i see my g.p." in samples_of(locale)["WhenToSeeDoctorIntent"]
        assert "should i call my o.b." not in samples_of(locale)["WhenToSeeDoctorIntent"]


def test_antenatal_outside_north_america_and_prenatal_within_it():
    assert "how important are prenatal checkups" in samples_of("en-US")["PrecautionsIntent"]
    for locale in ("en-GB", "en-AU", "en-IN"):
        assert "how important are antenatal checkups" in samples_of(locale)["PrecautionsIntent"]


def test_indian_brands_of_paracetamol_resolve_only_in_india():
    assert {"crocin", "dolo"} <= set(synonyms_of("en-IN", "MedicineName", "paracetamol"))
    assert "crocin" not in synonyms_of("en-GB", "MedicineName", "paracetamol")


def test_every_locale_lists_its_expanded_samples_sorted_and_once_each():
    unsorted = [f"{locale}: {intent}" for locale in LOCALES for intent, samples in samples_of(locale).items()
                if samples != sorted(set(samples))]
    assert not unsorted
    assert "what helps leg cramps" in samples_of("en-US")["CrampNowIntent"]


def test_a_british_question_about_her_gp_is_understood_and_answered(content):
    heard = LocalUnderstanding.for_locale("en-GB").understand("should I see my GP")
    assert heard.intent == "WhenToSeeDoctorIntent"
    skill = build_skill(SkillConfig(content=content, seed=3))
    response = invoke(skill, intent_request(Session(locale="en-GB"), heard.intent))
    assert "doctor or midwife" in response["response"]["outputSpeech"]["ssml"]


def test_the_rules_catch_a_phrase_two_intents_would_claim_once_a_slot_is_filled():
    source = models.load_source()
    source["intents"]["BackSpasmIntent"]["samples"].append("my lower back (is|keeps) cramping")
    model = models.generate("en-US", source)
    built_ins = json.loads((data_dir("interaction_models") / "local-builtins.json").read_text(encoding="utf-8"))
    problems = model_rules.model_problems(model, built_ins, name="en-US.json",
                                          origins=models.sample_origins("en-US", source))
    assert ("en-US.json: samples: once its slots are filled, 'my lower back is cramping' is claimed by "
            "BackSpasmIntent (from 'my lower back (is|keeps) cramping') as 'my lower back is cramping' "
            "and CrampNowIntent as 'my {bodyPart} is cramping'") in problems


def test_the_rules_catch_a_wake_word_and_a_misspelt_key():
    model = models.generate("en-GB")
    language = model["interactionModel"]["languageModel"]
    language["intents"][-1]["samples"].append("alexa tell me more")
    language["intentz"] = []
    next(i for i in language["intents"] if i["name"] == "CrampNowIntent")["slotz"] = []
    problems = model_rules.model_problems(model, {}, name="interaction_models/en-GB.json")
    assert any("starts with a wake word" in p for p in problems)
    assert any("intentz: not in the ASK schema" in p for p in problems)
    assert any("intents[CrampNowIntent].slotz: not in the ASK schema" in p for p in problems)
    assert all(p.startswith("interaction_models/en-GB.json: ") for p in problems)


def test_a_locale_the_source_does_not_know_is_refused_by_name(tmp_path):
    source = models.load_source()
    source["intents"]["TellMeMoreIntent"]["samples"].append({"say": "go on then", "only": ["en-NZ"]})
    with pytest.raises(models.ModelSourceError, match=r"TellMeMoreIntent.samples\[\d+\].only: unknown locales"):
        models.generate("en-GB", source)


def test_regenerating_writes_what_is_checked_in(tmp_path):
    written = models.write_models(tmp_path)
    assert [p.name for p in written] == [f"{locale}.json" for locale in LOCALES]
    for path in written:
        assert path.read_text(encoding="utf-8") == models.model_path(path.stem).read_text(encoding="utf-8")


def test_what_a_model_says_with_its_slots_filled_is_each_slot_filled_in_turn():
    """The rules fill slots from a template made once per sample; it must say what filling them does."""
    model = models.generate("en-IN")
    language = model["interactionModel"]["languageModel"]
    crampy = next(i for i in language["intents"] if i["name"] == "CrampNowIntent")
    crampy["samples"] += ["My {bodyPart}  Hurts", "my  {bodyPart} hurts", "{bodyPart}", "my {bodyPart} and {bodyPart}", " {bodyPart} at {x} "]
    phrases = {t["name"]: [" ".join(p.lower().split()) for v in t["values"]
                           for p in [v["name"]["value"], *v["name"].get("synonyms", [])]] for t in language["types"]}
    expected = set()
    for intent in language["intents"]:
        kinds = {slot["name"]: slot["type"] for slot in intent.get("slots", [])}
        for sample in intent.get("samples", []):
            names = [n for n in re.findall(r"\{([^{}]*)\}", sample) if kinds.get(n) in phrases]
            for choice in itertools.product(*(phrases[kinds[n]] for n in names)):
                text = sample
                for name, phrase in zip(names, choice):
                    text = text.replace("{" + name + "}", phrase, 1)
                expected.add(" ".join(text.lower().split()))
    assert model_rules.spoken_samples(model) == expected
