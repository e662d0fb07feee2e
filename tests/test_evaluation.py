"""The held-out NLU evaluation set, its targets, and `cramp-coach evaluate`.

The set is Amazon's annotation-set JSON; the local understanding is scored against it here
and Amazon's NLU Evaluation tool scores the deployed model against the same file.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from ask_sdk_core.serialize import DefaultSerializer
from click.testing import CliRunner

from skill.tools import evaluation, models
from skill.tools.cli import main
from skill.tools.evaluation import (
    PENDING_INTENTS,
    SAFETY_INTENTS,
    Annotation,
    evaluate,
    evaluate_locale,
    load_annotations,
    shipped_samples,
)
from skill.tools.model_rules import BUILT_INS_WE_USE, CUSTOM_INTENTS
from skill.tools.nlu import FALLBACK_INTENT, LocalUnderstanding
from skill.tools.vocabulary import normalise

ANNOTATIONS = load_annotations("en-US")


@pytest.fixture(scope="module")
def scored() -> evaluation.Evaluation:
    return evaluate_locale("en-US")


def test_the_set_is_an_annotation_set_amazons_types_read():
    raw = json.loads(evaluation.set_path("en-US").read_text(encoding="utf-8"))
    serializer = DefaultSerializer()
    kind = "list[ask_smapi_model.v1.skill.nlu.evaluations.test_case.TestCase]"
    cases = serializer.deserialize(json.dumps(raw["data"]), kind)
    assert len(cases) == len(ANNOTATIONS)
    assert cases[0].inputs.utterance == ANNOTATIONS[0].utterance
    assert cases[0].expected[0].intent.name == ANNOTATIONS[0].intent
    with_slots = next(c for c in cases if c.expected[0].intent.slots)
    assert all(slot.value for slot in with_slots.expected[0].intent.slots.values())


def test_the_set_is_large_and_covers_every_intent_the_skill_hears():
    counts = {intent: sum(a.intent == intent for a in ANNOTATIONS) for intent in {a.intent for a in ANNOTATIONS}}
    assert len(ANNOTATIONS) >= 400
    missing = [i for i in (*CUSTOM_INTENTS, *BUILT_INS_WE_USE, *PENDING_INTENTS) if not counts.get(i)]
    assert not [i for i in counts if i not in (*CUSTOM_INTENTS, *BUILT_INS_WE_USE, *PENDING_INTENTS)]
    assert not missing
    assert sum(counts.get(i, 0) for i in SAFETY_INTENTS) >= 60
    assert counts[FALLBACK_INTENT] >= 40


def test_no_evaluation_utterance_is_also_a_sample():
    said = set().union(*shipped_samples("en-US").values())
    pending = models.load_pending()["intents"]
    said |= {s for intent in pending.values() for e in intent["samples"]
             for s in __import__("skill.tools.patterns", fromlist=["expand"]).expand(e, models.load_source().get("rules"))}
    seen = sorted(a.utterance for a in ANNOTATIONS if normalise(a.utterance) in said)
    assert not seen, f"these evaluation utterances are samples, so not held out: {seen}"


def test_the_pending_intents_are_exactly_those_waiting_in_pending_intents_yaml():
    assert PENDING_INTENTS == frozenset(models.load_pending()["intents"])


def test_the_local_understanding_meets_every_target(scored, figures):
    figures("\n".join(evaluation.report_lines(scored)))
    assert scored.target_failures() == []
    assert scored.accuracy >= evaluation.MIN_ACCURACY
    assert all(scored.recall(i) >= evaluation.MIN_SAFETY_RECALL for i in scored.safety_intents)
    assert scored.off_topic_to_fallback >= evaluation.MIN_OFF_TOPIC_TO_FALLBACK


def test_breadth_is_reported_for_every_intent_with_samples(scored, figures):
    assert set(scored.breadth) == set(scored.intents) - {FALLBACK_INTENT}
    figures("breadth: " + ", ".join(f"{i} {scored.breadth_share(i):.0%}" for i in sorted(scored.breadth)))


def test_breadth_reads_abbreviations_alike_and_a_time_slot_as_the_time_she_says():
    samples = {"WhenToSeeDoctorIntent": {"should i call my o.b."}, "SetBedtimeReminderIntent": {"remind me at {time}"}}
    asked = [evaluation.Annotation("call my o.b.", "WhenToSeeDoctorIntent"),
             evaluation.Annotation("remind me at nine thirty pm", "SetBedtimeReminderIntent"),
             evaluation.Annotation("remind me at bedtime", "SetBedtimeReminderIntent")]
    time_slot = {"{time}": evaluation.TIME_WORDS}
    assert evaluation.breadth(asked, samples, time_slot) == {"WhenToSeeDoctorIntent": (1, 1),
                                                             "SetBedtimeReminderIntent": (1, 2)}
    assert evaluation.breadth(asked, samples) == {"WhenToSeeDoctorIntent": (1, 1), "SetBedtimeReminderIntent": (0, 2)}


def test_off_topic_requests_reach_the_fallback():
    nlu = LocalUnderstanding.for_locale("en-US")
    for said in ("tell me a joke", "start a workout", "what's the weather"):
        assert nlu.understand(said).intent == FALLBACK_INTENT, said


def test_a_pending_intent_is_reported_but_not_scored(monkeypatch):
    monkeypatch.setattr(evaluation, "PENDING_INTENTS", frozenset({"LabourIntent"}))
    nlu = LocalUnderstanding.for_locale("en-US")
    annotations = [Annotation("what should i eat for breakfast", "FoodAndDrinkIntent"),
                   Annotation("i think i'm in labour", "LabourIntent")]
    result = evaluate(nlu, annotations)
    assert [a.intent for a in result.pending] == ["LabourIntent"]
    assert len(result.results) == 1 and result.accuracy == 1.0
    assert any("pending" in line and "LabourIntent 1" in line for line in evaluation.report_lines(result))


def test_a_miss_is_listed_with_what_was_heard_and_lowers_precision_and_recall():
    nlu = LocalUnderstanding.for_locale("en-US")
    annotations = [Annotation("what should i eat for breakfast", "FoodAndDrinkIntent"),
                   Annotation("what should i eat for dinner", "BedtimeIntent")]
    result = evaluate(nlu, annotations)
    assert result.accuracy == 0.5 and result.recall("BedtimeIntent") == 0.0
    assert result.precision("FoodAndDrinkIntent") == 0.5
    assert "  'what should i eat for dinner': expected BedtimeIntent, heard FoodAndDrinkIntent" in (
        evaluation.report_lines(result))


def test_a_malformed_set_is_refused_with_the_file_and_entry(tmp_path):
    (tmp_path / "en-US.json").write_text(json.dumps({"data": [{"inputs": {"utterance": "hi"}, "expected": []}]}))
    with pytest.raises(evaluation.EvaluationSetError, match=r"en-US.json: data\[0\]: needs inputs.utterance"):
        load_annotations("en-US", tmp_path)


def test_evaluate_prints_the_figures_and_exits_by_the_threshold():
    runner = CliRunner()
    passed = runner.invoke(main, ["evaluate", "--locale", "en-US", "--min-accuracy", "0.95"])
    assert passed.exit_code == 0, passed.output
    assert "overall accuracy: " in passed.output and "CrampNowIntent" in passed.output
    assert "precision" in passed.output and "recall" in passed.output
    failed = runner.invoke(main, ["evaluate", "--min-accuracy", "1"])
    assert failed.exit_code == (0 if "misses (" not in failed.output else 1)
    assert runner.invoke(main, ["evaluate", "--min-accuracy", "2"]).exit_code == 2


def test_evaluate_names_a_locale_without_a_set():
    result = CliRunner().invoke(main, ["evaluate", "--locale", "en-GB"])
    assert result.exit_code == 1
    assert "interaction_models/evaluation/en-GB.json: no evaluation set for en-GB" in result.output


DEV_SET = Path(__file__).parent / "data" / "nlu_dev_en-US.json"


def test_the_development_set_covers_every_custom_intent_with_25_phrasings():
    annotations = evaluation.load_annotation_file(DEV_SET)
    counts = {intent: sum(a.intent == intent for a in annotations) for intent in CUSTOM_INTENTS}
    assert all(count >= 25 for count in counts.values()), counts
    assert len({a.utterance for a in annotations}) == len(annotations)


def test_evaluate_scores_a_development_set_given_with_set():
    result = CliRunner().invoke(main, ["evaluate", "--set", str(DEV_SET)])
    assert "MedicineTakenIntent" in result.output and "breadth (content words all in one sample): " in result.output
    total = len(evaluation.load_annotation_file(DEV_SET))
    assert f"of {total} utterances" in result.output


def test_evaluate_names_a_development_set_it_cannot_read(tmp_path):
    missing = CliRunner().invoke(main, ["evaluate", "--set", str(tmp_path / "dev.json")])
    assert missing.exit_code == 1
    assert f"{tmp_path / 'dev.json'}: no such annotation set" in missing.output
    (tmp_path / "dev.json").write_text(json.dumps({"data": [{"inputs": {"utterance": "hi"}}]}))
    malformed = CliRunner().invoke(main, ["evaluate", "--set", str(tmp_path / "dev.json")])
    assert malformed.exit_code == 1
    assert "dev.json: data[0]: needs inputs.utterance and expected[0].intent.name" in malformed.output


def test_package_writes_the_set_as_the_nlu_evaluation_tool_uploads_it(tmp_path):
    from skill.tools.publish import Hosting, package

    written = package(tmp_path, Hosting(lambda_arn="arn:aws:lambda:us-east-1:123456789012:function:cramp-coach"))
    upload = tmp_path / "nlu-evaluation" / "en-US.json"
    assert upload in written
    data = json.loads(upload.read_text(encoding="utf-8"))["data"]
    assert len(data) == len([a for a in ANNOTATIONS if a.intent not in PENDING_INTENTS])
    assert {entry["expected"][0]["intent"]["name"] for entry in data}.isdisjoint(PENDING_INTENTS)
    assert set(data[0]) == {"inputs", "expected"} and "utterance" in data[0]["inputs"]
    assert not (tmp_path / "nlu-evaluation" / "en-GB.json").exists()  # only locales that have a set
