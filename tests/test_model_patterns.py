"""Patterns in the model source: expanded at generation, held to Amazon's limits and the skill's bar.

Each rule is checked once over the whole model (every locale at once), naming every offender,
so the suite stays quick however many samples the patterns say.
"""

from __future__ import annotations

import json

import pytest

from skill.tools import model_rules, models
from skill.tools.check import run_checks
from skill.tools.patterns import PatternError, expand
from skill.runtime.resources import data_dir

LOCALES = models.locales()
SOURCE = models.load_source()
BUILT_INS = json.loads((data_dir("interaction_models") / "local-builtins.json").read_text(encoding="utf-8"))


def _problems(source, locale="en-US"):
    model = models.generate(locale, source)
    origins = models.sample_origins(locale, source)
    hand_written = {intent: models.hand_written(intent, locale, source) for intent in origins}
    return (model_rules.model_problems(model, BUILT_INS, name=f"{locale}.json", origins=origins)
            + model_rules.pattern_problems(origins, hand_written, models.deliberate(source), name="model.yaml"))


def test_a_pattern_says_every_choice_and_every_optional_word():
    said = expand("(what|which) (food|foods) should i (eat|avoid) [for <cramp>]", {"cramp": "(cramp|cramps)"})
    assert len(said) == 2 * 2 * 2 * 3
    assert "which foods should i avoid for cramps" in said and "what food should i eat" in said


def test_a_plain_sample_and_a_slot_come_through_unchanged():
    assert expand("my {bodyPart} is cramping") == ["my {bodyPart} is cramping"]
    assert expand("should i call my o.b.") == ["should i call my o.b."]
    assert sorted(expand("i've got a cramp [in my {bodyPart}]")) == ["i've got a cramp", "i've got a cramp in my {bodyPart}"]


def test_every_pattern_says_exactly_what_hassil_would_make_of_it():
    """patterns.py parses the common, well-nested patterns itself (hassil's parser was most of
    `check`'s time); what each says, and in which order, must be hassil's."""
    from hassil.parse_expression import parse_sentence
    from hassil.sample import sample_expression

    rules = {**SOURCE.get("rules", {}), "twice": "(one|two) <cramp>", "cramp": "(cramp|cramps)"}
    parsed_rules = {name: parse_sentence(body) for name, body in rules.items()}
    written = [entry if isinstance(entry, str) else entry["say"]
               for source in (SOURCE, models.load_pending()) for intent in source["intents"].values()
               for entry in intent["samples"]]
    awkward = ["  padded  twice ", "tab\tand\nnewline", "it\u2019s e\u0301 not \u00e9", "what?! no...",
               "(a||b) c", "[a|] b", "my(calf|foot)[s] hurts", "[[very] (bad|sore)] <twice>", "(x [y|z] | w)",
               "( | a)", "{bodyPart}[ again]", "<twice>|<cramp> now", "a  [ b ]  c"]
    for text in written + awkward:
        parsed = (" ".join(said.split()) for said in sample_expression(
            parse_sentence(text).expression, expansion_rules=parsed_rules, expand_lists=False))
        assert expand(text, rules) == [said for said in dict.fromkeys(parsed) if said], text


@pytest.mark.parametrize("pattern, problem", [
    ("what (helps|eases cramps", "cannot be parsed"),
    ("what helps <leg>", "Missing expansion rule <leg>; define it under rules:"),
    ("(a|b|c|d|e|f|g|h) (a|b|c|d|e|f|g|h) (a|b|c|d|e|f|g|h)", "says more than 400 sentences"),
])
def test_a_broken_pattern_is_refused_with_its_intent_and_the_reason(pattern, problem):
    source = models.load_source()
    source["intents"]["TellMeMoreIntent"]["samples"].append(pattern)
    with pytest.raises(models.ModelSourceError) as raised:
        models.generate("en-US", source)
    assert "intents.TellMeMoreIntent.samples" in str(raised.value) and problem in str(raised.value)
    assert repr(pattern) in str(raised.value)


def test_a_locale_mark_can_hold_a_pattern():
    gb = models.generate("en-GB")["interactionModel"]["languageModel"]["intents"]
    us = models.generate("en-US")["interactionModel"]["languageModel"]["intents"]
    said = {i["name"]: set(i["samples"]) for i in gb}
    assert "should i ring the g.p. about my cramps" in said["WhenToSeeDoctorIntent"]
    assert "should i ring the g.p. about my cramps" not in {s for i in us for s in i["samples"]}


def test_every_custom_intent_has_150_expanded_samples_from_40_hand_written_in_every_locale():
    thin = []
    for locale in LOCALES:
        origins = models.sample_origins(locale, SOURCE)
        for intent in model_rules.CUSTOM_INTENTS:
            written = len(models.hand_written(intent, locale, SOURCE))
            if len(origins[intent]) < model_rules.MIN_SAMPLES_PER_CUSTOM_INTENT or written < 40:
                thin.append(f"{locale} {intent}: {len(origins[intent])} samples from {written} patterns")
    assert not thin, thin


# The shipped model keeping every rule is tests/test_check_and_review.py's clean `check`.


def test_a_sample_two_intents_say_names_both_intents_and_both_patterns():
    source = models.load_source()
    source["intents"]["BedtimeIntent"]["samples"].append("(what|which) (foods|food) should i eat [tonight]")
    problems = _problems(source)
    assert ("en-US.json: samples: 'what should i eat' is claimed by BedtimeIntent (from "
            "'(what|which) (foods|food) should i eat [tonight]') and FoodAndDrinkIntent") not in problems
    assert any("'which foods should i eat' is claimed by BedtimeIntent (from '(what|which) (foods|food) should i "
               "eat [tonight]') and FoodAndDrinkIntent (from '(what|which) (food|foods) (should|can) i (eat|have)"
               in p for p in problems), problems


def test_a_sample_equal_to_a_built_in_phrase_is_reported_with_its_pattern():
    source = models.load_source()
    source["intents"]["CrampNowIntent"]["samples"].append("(stop|stop it)")
    problems = _problems(source)
    assert any("'stop' says 'stop', which belongs to AMAZON.StopIntent (claimed by CrampNowIntent "
               "(from '(stop|stop it)'))" in p for p in problems), problems


def test_stop_my_cramp_is_ours_on_purpose_and_an_unclaimed_opening_is_reported():
    samples = models.sample_origins("en-US", SOURCE)["CrampNowIntent"]
    assert "stop my cramp" in samples
    source = models.load_source()
    source["intents"]["CrampNowIntent"]["samples"].append("stop the (pain|aching)")
    problems = _problems(source)
    assert ("model.yaml: intents.CrampNowIntent.samples: 'stop the pain' (from 'stop the (pain|aching)') starts "
            "like AMAZON.StopIntent ('stop'); list its opening under deliberate: with CrampNowIntent if she "
            "means CrampNowIntent") in problems


def test_amazons_limits_are_enforced():
    model = models.generate("en-US")
    language = model["interactionModel"]["languageModel"]
    language["intents"] += [{"name": f"Extra{chr(65 + i // 26)}{chr(65 + i % 26)}Intent", "samples": []}
                            for i in range(model_rules.MAX_INTENTS)]
    language["intents"][0]["samples"] = ["b", "a", "open the stretch", "talk to me"]
    language["types"][0]["values"][0]["name"]["synonyms"].append("x" * 141)
    letters = ("".join(chr(97 + (i // 26 ** k) % 26) for k in range(4)) for i in range(model_rules.MAX_CUSTOM_SLOT_VALUES))
    language["types"].append({"name": "Crowded", "values": [{"id": word, "name": {"value": word}} for word in letters]})
    problems = "\n".join(model_rules.model_problems(model, BUILT_INS, name="en-US.json"))
    assert f"Amazon allows at most {model_rules.MAX_INTENTS}" in problems
    assert "intents.AMAZON.CancelIntent.samples: not sorted and deduplicated" in problems
    assert "is over 140 characters" in problems
    assert f"values and synonyms in all; Amazon allows {model_rules.MAX_CUSTOM_SLOT_VALUES}" in problems
    assert "'open the stretch' starts with the launch phrase 'open'" in problems
    assert "'talk to me' starts with the launch phrase 'talk to'" in problems


def test_cramp_coach_check_reports_a_clash_with_both_intents_and_the_pattern(tmp_path, monkeypatch):
    source_text = (data_dir("interaction_models") / models.SOURCE_FILE).read_text(encoding="utf-8")
    clashing = source_text.replace("      - what do i do about my back\n",
                                   "      - what do i do about my back\n      - (what|which) foods should i eat\n")
    assert clashing != source_text
    folder = tmp_path / "interaction_models"
    (folder / "source").mkdir(parents=True)
    (folder / models.SOURCE_FILE).write_text(clashing, encoding="utf-8")
    (folder / "local-builtins.json").write_text(json.dumps(BUILT_INS), encoding="utf-8")
    real_data_dir = data_dir
    monkeypatch.setattr("skill.tools.models.data_dir", lambda name: folder if name == "interaction_models"
                        else real_data_dir(name))
    monkeypatch.setattr("skill.tools.check.data_dir", lambda name: folder if name == "interaction_models"
                        else real_data_dir(name))
    models.write_models(folder)
    report = run_checks()
    assert any("'which foods should i eat' is claimed by BackSpasmIntent (from '(what|which) foods should i eat') "
               "and FoodAndDrinkIntent (from" in p for p in report.problems), report.problems


def test_the_pending_intents_splice_into_the_model_cleanly():
    """issue 13's intents: their patterns keep every rule once spliced in, and are not too thin.

    en-US stands for every locale: the pending patterns carry no locale marks.
    """
    pending = models.load_pending()
    source = models.load_source()
    source["intents"].update(pending["intents"])
    problems, thin = [], []
    for locale in ["en-US"]:
        origins = models.sample_origins(locale, source)
        model = models.generate(locale, source)
        problems += [p for p in model_rules.model_problems(model, BUILT_INS, name=locale, origins=origins)
                     if "no handler answers it" not in p]
        hand_written = {intent: models.hand_written(intent, locale, source) for intent in origins}
        problems += model_rules.pattern_problems(origins, hand_written, models.deliberate(source), name=locale)
        for intent in pending["intents"]:
            if len(origins[intent]) < model_rules.MIN_SAMPLES_PER_CUSTOM_INTENT or len(hand_written[intent]) < 40:
                thin.append(f"{locale} {intent}: {len(origins[intent])} from {len(hand_written[intent])}")
    assert problems == [] and thin == []


def test_tier_one_phrasings_are_the_emergency_intents_not_severe_symptoms():
    origins = models.sample_origins("en-US")
    for phrase in ("i have chest pain", "i'm short of breath", "i can't breathe", "i fainted", "i'm bleeding heavily"):
        assert phrase in origins["EmergencyIntent"] and phrase not in origins["SevereSymptomsIntent"]


def test_cramp_coach_check_reports_a_broken_pattern_once_without_a_traceback(tmp_path, monkeypatch):
    source_text = (data_dir("interaction_models") / models.SOURCE_FILE).read_text(encoding="utf-8")
    broken = source_text.replace("      - what do i do about my back\n", "      - what do i do (about my back\n")
    folder = tmp_path / "interaction_models"
    (folder / "source").mkdir(parents=True)
    (folder / models.SOURCE_FILE).write_text(broken, encoding="utf-8")
    real_data_dir = data_dir
    monkeypatch.setattr("skill.tools.models.data_dir", lambda name: folder if name == "interaction_models"
                        else real_data_dir(name))
    report = run_checks()
    pattern_lines = [p for p in report.problems if "'what do i do (about my back' cannot be parsed" in p]
    assert len(pattern_lines) == 1 and pattern_lines[0].startswith(
        "interaction_models/source/model.yaml: intents.BackSpasmIntent.samples: ")


def test_the_fallback_sensitivity_is_the_one_the_skill_chose():
    model = models.generate("en-US")
    assert model["interactionModel"]["languageModel"]["modelConfiguration"] == {
        "fallbackIntentSensitivity": {"level": "LOW"}}
    model["interactionModel"]["languageModel"]["modelConfiguration"]["fallbackIntentSensitivity"]["level"] = "HIGH"
    problems = model_rules.model_problems(model, BUILT_INS, name="en-US.json")
    assert any("fallbackIntentSensitivity.level: 'HIGH'; the skill chose 'LOW'" in p for p in problems)
    source = models.load_source()
    source["fallback_intent_sensitivity"] = "SOMETIMES"
    with pytest.raises(models.ModelSourceError, match="fallback_intent_sensitivity: 'SOMETIMES' is not one of"):
        models.generate("en-US", source)
