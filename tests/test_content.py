"""Every content item: from the article (or a safety line), within its word budget, doctor line present;
and a content editor who breaks a rule is told the file, the key and the problem."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from skill.runtime import speech
from skill.runtime.content import (
    ANSWER_WORD_BUDGET,
    OFFER_WORD_BUDGET,
    SOURCES,
    STEP_WORD_BUDGET,
    ContentError,
    hold_counts,
    load_content,
)
from skill.runtime.replies import Voice
from skill.runtime.resources import content_dir

ARTICLE = (Path(__file__).resolve().parents[2] / "shared" / "source-article.txt")


def every_line(content):
    return [pytest.param(line, id=line.key) for line in content.all_lines()]


def test_every_content_item_names_a_valid_source():
    content = load_content()
    for line in content.all_lines():
        assert line.source in SOURCES, line.key


def test_every_topic_answer_as_spoken_fits_the_answer_budget():
    content = load_content()
    for topic in content.topics.values():
        for index, answer in enumerate(topic.answers):
            extras = [answer.caution, answer.doctor_line]
            if topic.urgent:
                extras.append(content.safety["urgent_line"])
            for variant in answer.line.variants:
                words = speech.word_count(variant) + sum(e.longest_words() for e in extras if e)
                assert words <= ANSWER_WORD_BUDGET, f"{topic.name}.answers[{index}]: {words} words"


def test_every_walkthrough_step_as_spoken_fits_the_step_budget():
    content = load_content()
    voice = Voice(content)
    for index, step in enumerate(content.walkthrough.steps):
        reply = voice.step(index)
        spoken = speech.ssml_to_text(speech.wrap(reply.speech))
        cue = speech.ssml_to_text(speech.wrap(reply.reprompt))
        words = speech.word_count(spoken) - speech.word_count(cue)
        assert words <= STEP_WORD_BUDGET, f"steps[{index}]: {words} words: {spoken}"
        if step.hold_seconds:
            assert spoken.count("Hold it") == 1 and str(hold_counts(step.hold_seconds)) in spoken


def test_every_offer_is_one_short_question():
    content = load_content()
    for line in content.offers.values():
        for variant in line.variants:
            assert variant.endswith("?") and variant.count("?") == 1, line.key
            assert speech.word_count(variant) <= OFFER_WORD_BUDGET, line.key


def test_every_prompt_and_walkthrough_line_fits_the_answer_budget():
    content = load_content()
    for line in [*content.prompts.values(), *content.walkthrough.lines.values(), *content.safety.values()]:
        assert line.longest_words() <= ANSWER_WORD_BUDGET, line.key


def test_every_symptom_answer_carries_the_doctor_line():
    content = load_content()
    voice = Voice(content)
    symptom_topics = [t for t in content.topics.values() if t.symptom]
    assert {t.name for t in symptom_topics} >= {"cramp_now", "back_spasm", "contact_now", "emergency", "severe_cramp", "medicine", "causes", "see_doctor"}
    for topic in symptom_topics:
        for index in range(len(topic.answers)):
            for _ in range(10):  # every wording the voice may pick
                spoken = speech.ssml_to_text(speech.wrap(voice.answer(topic, index).speech))
                assert content.doctor_phrase in spoken.lower(), f"{topic.name}.answers[{index}]: {spoken}"


def test_answers_are_in_our_own_words_not_copied_from_the_article():
    """No run of eight words in a row is lifted from the article."""
    if not ARTICLE.exists():
        pytest.skip(f"the article is not beside the repo at {ARTICLE}")
    article_words = [w.strip(".,;:()").lower() for w in ARTICLE.read_text(encoding="utf-8").split()]
    runs = {tuple(article_words[i : i + 8]) for i in range(len(article_words) - 7)}
    for line in load_content().all_lines():
        for variant in line.variants:
            words = [w.strip(".,;:?!()").lower() for w in variant.split()]
            for i in range(len(words) - 7):
                assert tuple(words[i : i + 8]) not in runs, f"{line.key} copies the article: {variant}"


# -- a content editor's mistakes ----------------------------------------------------------------------
@pytest.fixture
def editable_content(tmp_path):
    folder = tmp_path / "content"
    shutil.copytree(content_dir(), folder)
    return folder


def edit(folder: Path, name: str, change) -> None:
    path = folder / name
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")


def problem(folder: Path) -> str:
    with pytest.raises(ContentError) as raised:
        load_content(folder)
    return str(raised.value)


def test_an_answer_over_budget_is_named_with_file_key_and_count(editable_content):
    edit(editable_content, "topics.yaml",
         lambda d: d["topics"]["food"]["answers"][2].update(text="word " * 35))  # and a 6-word offer
    assert problem(editable_content) == "content/topics.yaml: food.answers[2]: 41 words, budget is 40"


def test_a_symptom_answer_with_its_doctor_line_over_budget_is_caught(editable_content):
    edit(editable_content, "topics.yaml",
         lambda d: d["topics"]["cramp_now"]["answers"][1].update(text="word " * 30))
    message = problem(editable_content)
    assert message.startswith("content/topics.yaml: cramp_now.answers[1]: ") and "budget is 40" in message


def test_an_unknown_source_is_named(editable_content):
    edit(editable_content, "topics.yaml", lambda d: d["topics"]["food"]["answers"][0].update(source="blog"))
    assert problem(editable_content).startswith("content/topics.yaml: food.answers[0]: source 'blog' is not one of")


def test_a_doctor_line_that_forgets_the_doctor_is_caught(editable_content):
    edit(editable_content, "safety.yaml",
         lambda d: d["lines"]["doctor_line"]["variants"].append("If it hurts, rest a bit."))
    assert problem(editable_content) == (
        "content/safety.yaml: lines.doctor_line.variants[3]: a doctor line must say 'doctor or midwife'"
    )


def test_a_walkthrough_step_over_budget_is_named(editable_content):
    edit(editable_content, "walkthrough.yaml", lambda d: d["steps"][1].update(text="stretch " * 25))
    assert problem(editable_content).startswith("content/walkthrough.yaml: steps[1]: ")


def test_ssml_in_content_is_refused(editable_content):
    edit(editable_content, "prompts.yaml",
         lambda d: d["lines"]["help"].update(variants=["<speak>Help</speak>"]))
    assert problem(editable_content) == (
        "content/prompts.yaml: lines.help.variants[0]: must be plain text (the skill adds the SSML)"
    )


def test_a_missing_prompt_is_named(editable_content):
    edit(editable_content, "prompts.yaml", lambda d: d["lines"].pop("goodbye"))
    assert problem(editable_content) == "content/prompts.yaml: lines.goodbye: is missing"


def test_an_unknown_offer_is_named(editable_content):
    edit(editable_content, "topics.yaml", lambda d: d["topics"]["food"]["answers"][0].update(offer="dance"))
    assert problem(editable_content) == "content/topics.yaml: food.answers[0].offer: unknown offer 'dance'"


def test_broken_yaml_is_named(editable_content):
    (editable_content / "topics.yaml").write_text("topics: [unclosed\n", encoding="utf-8")
    assert problem(editable_content).startswith("content/topics.yaml: not valid YAML")


def test_a_missing_file_is_named(editable_content):
    (editable_content / "walkthrough.yaml").unlink()
    assert problem(editable_content) == "content/walkthrough.yaml: file is missing"


# -- the conversation's shape: what the loader (and so `cramp-coach check`) refuses -----------------
def offer(data: dict, name: str) -> dict:
    return data["offers"][name]


def answer_key(node: dict, answer: str):
    """PyYAML reads a bare ``yes:`` key as True and ``no:`` as False."""
    return next(k for k in node if k in (answer, answer == "yes"))


def test_an_offer_without_an_action_for_no_is_named(editable_content):
    edit(editable_content, "prompts.yaml", lambda d: offer(d, "walkthrough").pop(answer_key(offer(d, "walkthrough"), "no")))
    assert problem(editable_content) == (
        "content/prompts.yaml: offers.walkthrough.no: is missing: say what it does, one of "
        "answer, start, resume, more, repeat, listen, close, forget, change_reminder, cancel_reminder"
    )


def test_an_offer_with_an_action_the_skill_does_not_have_is_named(editable_content):
    edit(editable_content, "prompts.yaml",
         lambda d: offer(d, "food").update({answer_key(offer(d, "food"), "yes"): {"dance": "now"}}))
    assert problem(editable_content).startswith("content/prompts.yaml: offers.food.yes: dance: must be exactly one of")


def test_an_offer_that_answers_a_topic_that_does_not_exist_is_named(editable_content):
    edit(editable_content, "prompts.yaml",
         lambda d: offer(d, "food").update({answer_key(offer(d, "food"), "yes"): {"answer": "swimming"}}))
    assert problem(editable_content) == "content/prompts.yaml: offers.food.yes.answer: 'swimming' is not a topic"


def test_an_offer_with_one_wording_is_refused(editable_content):
    edit(editable_content, "prompts.yaml", lambda d: offer(d, "food").update(variants=["Want food tips?"]))
    assert problem(editable_content) == (
        "content/prompts.yaml: offers.food: an offer is heard often: give it at least 2 wordings"
    )


def test_a_prompt_heard_often_with_one_wording_is_refused(editable_content):
    edit(editable_content, "prompts.yaml", lambda d: d["lines"]["goodbye"].update(variants=["Goodnight."]))
    assert problem(editable_content) == "content/prompts.yaml: lines.goodbye: is heard often: give it at least 2 wordings"


def test_a_symptom_topic_that_names_no_doctor_line_is_refused(editable_content):
    edit(editable_content, "topics.yaml", lambda d: d["topics"]["cramp_now"].pop("doctor_line"))
    assert problem(editable_content).startswith(
        "content/topics.yaml: cramp_now.doctor_line: a symptom topic names its doctor line"
    )


def test_a_symptom_topic_with_a_doctor_line_worded_for_another_topic_is_refused(editable_content):
    edit(editable_content, "topics.yaml", lambda d: d["topics"]["back_spasm"].update(doctor_line="cause_doctor_line"))
    assert problem(editable_content) == (
        "content/topics.yaml: back_spasm.doctor_line: 'cause_doctor_line' is worded for causes, not back_spasm; "
        "name a doctor line that fits back_spasm, or add back_spasm to its fits: in safety.yaml"
    )


def test_a_topic_nothing_leads_to_is_refused(editable_content):
    edit(editable_content, "topics.yaml", lambda d: d["topics"]["cramp_now"]["body_parts"].pop("thigh"))
    assert problem(editable_content).startswith("content/topics.yaml: thigh_cramp: cannot be reached")


def test_an_intent_given_to_a_topic_and_a_control_is_refused(editable_content):
    edit(editable_content, "controls.yaml", lambda d: d["controls"]["help"].append("CrampNowIntent"))
    assert problem(editable_content) == "content/controls.yaml: controls.help: CrampNowIntent already asks for topic cramp_now"


def test_a_missing_control_is_named(editable_content):
    edit(editable_content, "controls.yaml", lambda d: d["controls"].pop("pause"))
    assert problem(editable_content) == "content/controls.yaml: controls.pause: is missing: list the intents that ask for it"


def test_every_offer_says_what_yes_and_no_do(content):
    assert set(content.offer_actions) == set(content.offers)


def test_a_drug_name_or_dose_is_refused_wherever_it_is_written(editable_content):
    edit(editable_content, "topics.yaml",
         lambda d: d["topics"]["back_spasm"]["answers"][0].update(text="Rest, and ask about paracetamol."))
    assert problem(editable_content) == (
        "content/topics.yaml: back_spasm.answers[0]: names a medicine or dose (paracetamol): "
        "only her doctor or midwife advises on medicines"
    )


def test_a_stretch_redirect_to_an_offer_that_does_not_exist_is_named(editable_content):
    edit(editable_content, "walkthrough.yaml", lambda d: d["not_for"]["back"].update(offer="back_massage"))
    assert problem(editable_content) == "content/walkthrough.yaml: not_for.back.offer: unknown offer 'back_massage'"
