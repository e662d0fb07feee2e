"""`cramp-coach check` finds what an editor broke, by file and key; `cramp-coach review` puts the
whole skill on paper for a midwife or doctor to sign off."""

from __future__ import annotations

import dataclasses
import html
import json
import os
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

from skill.tools import model_rules
from skill.tools.check import run_checks
from skill.tools.review import build_review

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DATA_FOLDERS = ("skill", "content", "interaction_models", "apl")


def run_cli(root: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(root)
    return subprocess.run([sys.executable, "-m", "skill.tools.cli", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120)


@pytest.fixture
def project_copy(tmp_path: Path) -> Path:
    """A copy of the skill and its data an editor can break without touching the real one."""
    root = tmp_path / "project"
    for folder in DATA_FOLDERS:
        shutil.copytree(PROJECT_ROOT / folder, root / folder, ignore=shutil.ignore_patterns("__pycache__"))
    return root


@pytest.fixture
def data_copy(tmp_path: Path, monkeypatch):
    """A copy of the skill's data that the checks in this process read instead of the real one.

    The package finds its data beside itself (skill.runtime.resources); pointing that at the copy,
    and forgetting what model_rules remembered of the real source, lets a test break the copy and
    run the checks in-process.
    """
    import skill.tools.publish  # noqa: F401 - it binds the shipped invocation name at import: not the copy's

    root = tmp_path / "project"
    for folder in DATA_FOLDERS[1:]:
        shutil.copytree(PROJECT_ROOT / folder, root / folder)
    monkeypatch.setattr("skill.runtime.resources._PACKAGE_DIR", root / "skill")  # no data there: root's is used
    remembered = (model_rules.answered_intents, model_rules.source_invocation_name)
    for cache in remembered:
        cache.cache_clear()
    yield root
    for cache in remembered:
        cache.cache_clear()


def problems_of_checks() -> str:
    return "\n".join(run_checks().problems)


# --------------------------------------------------------------------------- check


@pytest.fixture(scope="module")
def shipped_check(tmp_path_factory) -> subprocess.CompletedProcess[str]:
    """`cramp-coach check` of the shipped project, run once, as she would, from another folder."""
    return run_cli(PROJECT_ROOT, tmp_path_factory.mktemp("elsewhere"), "check")


def test_the_shipped_skill_passes_every_check(shipped_check):
    assert shipped_check.returncode == 0, shipped_check.stderr
    assert shipped_check.stderr == ""


def test_check_prints_a_short_ok_summary_and_exits_zero_when_clean(shipped_check):
    lines = shipped_check.stdout.splitlines()
    assert len(lines) == 4 and all(line.startswith("ok  ") for line in lines)
    assert "en-IN" in shipped_check.stdout and "apl/answer.json" in shipped_check.stdout


def test_check_catches_an_offer_without_an_action_and_an_intent_nothing_answers(data_copy):
    prompts = data_copy / "content" / "prompts.yaml"
    text = prompts.read_text(encoding="utf-8")
    prompts.write_text(text.replace("    yes: {answer: food}\n", "", 1), encoding="utf-8")
    assert "content/prompts.yaml: offers.food.yes: is missing: say what it does" in problems_of_checks()

    prompts.write_text(text, encoding="utf-8")
    topics = data_copy / "content" / "topics.yaml"
    topics.write_text(topics.read_text(encoding="utf-8").replace("    intent: FoodAndDrinkIntent\n", ""), encoding="utf-8")
    assert ("interaction_models/en-GB.json: intents.FoodAndDrinkIntent: no handler answers it: give it a topic "
            "(content/topics.yaml) or a control (content/controls.yaml)") in problems_of_checks()


def test_check_catches_a_line_that_tells_her_an_invocation_name_the_model_does_not_have(data_copy):
    source = data_copy / "interaction_models" / "source" / "model.yaml"
    source.write_text(source.read_text(encoding="utf-8").replace("invocation_name: cramp coach",
                                                                  "invocation_name: calf coach"), encoding="utf-8")
    assert ("content/walkthrough.yaml: paused.variants[0]: tells her to say 'cramp coach', but the invocation "
            "name is 'calf coach' (interaction_models/source/model.yaml)") in problems_of_checks()


def test_check_names_the_file_and_key_of_every_problem_and_exits_one(project_copy, tmp_path):
    topics = project_copy / "content" / "topics.yaml"
    topics.write_text(topics.read_text(encoding="utf-8").replace(
        "text: Eat calcium-rich foods like milk,",
        "text: Eat " + "plenty and " * 10 + "more calcium-rich foods like milk,"),
        encoding="utf-8")
    model = project_copy / "interaction_models" / "en-GB.json"
    data = json.loads(model.read_text(encoding="utf-8"))
    intents = data["interactionModel"]["languageModel"]["intents"]
    next(i for i in intents if i["name"] == "TellMeMoreIntent")["samples"].append("alexa more")
    model.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    document = project_copy / "apl" / "answer.json"
    document.write_text(document.read_text(encoding="utf-8").replace("${answer.question}", "${answer.colour}"),
                        encoding="utf-8")

    result = run_cli(project_copy, tmp_path, "check")

    assert result.returncode == 1
    problems = result.stderr
    assert "content/topics.yaml: food.answers[0]:" in problems and "budget is 40" in problems
    assert "interaction_models/en-GB.json: differs from interaction_models/source/model.yaml" in problems
    assert "interaction_models/en-GB.json: intents.TellMeMoreIntent.samples: 'alexa more' starts with a wake word" in problems
    assert "apl/answer.json: binds ${answer.colour}" in problems
    assert "ok  " not in result.stdout


def test_check_reports_a_listing_that_breaks_amazons_rules(data_copy):
    listing = data_copy / "content" / "listing.yaml"
    text = listing.read_text(encoding="utf-8").replace("not a substitute for professional medical advice",
                                                       "a great substitute for a doctor")
    listing.write_text(text, encoding="utf-8")
    assert "content/listing.yaml → skill.json: publishingInformation.locales.en-US.description" in problems_of_checks()


# --------------------------------------------------------------------------- review


@pytest.fixture(scope="module")
def page() -> str:
    return build_review()


def test_the_review_lists_every_wording_of_every_content_item(page, content):
    missing = [f"{line.key}: {variant}" for line in content.all_lines() for variant in line.variants
               if html.escape(variant, quote=True) not in page]
    assert missing == []


def test_the_review_lists_every_intent_with_example_utterances(page, model):
    for intent in model["interactionModel"]["languageModel"]["intents"]:
        assert f"<td>{intent['name']}</td>" in page
    assert "“what helps leg cramps”" in page


def test_the_review_shows_each_answer_as_spoken_with_its_article_section(page, content):
    assert "Second (food and drink)" in page and "Safety line (beyond the article)" in page
    for topic in content.topics.values():
        assert html.escape(topic.title) in page


def test_the_review_says_for_every_symptom_answer_that_the_doctor_line_is_there(page, content):
    answers = sum(len(t.answers) for t in content.topics.values() if t.symptom)
    assert page.count('<span class="yes">yes</span> — ') >= answers
    assert '<span class="no">no</span> — not about a symptom' in page


def test_the_review_shows_the_three_tiers_with_their_triggers_and_wording_for_a_clinician(page, content):
    section = page[page.index("Escalation: when she is told to get help"):page.index("<h2>Answers</h2>")]
    tiers = content.tiers()
    assert [t.tier for t in tiers] == [1, 2, 3]
    for tier in tiers:
        for trigger in tier.triggers:
            assert html.escape(trigger, quote=True) in section
        for wording in tier.lead.variants + (tier.short.variants if tier.short else ()):
            assert html.escape(wording, quote=True) in section
    assert html.escape(content.safety["safety_net"].variants[0], quote=True) in section


def test_the_review_ends_with_a_sign_off_box(page):
    assert page.index("Clinical sign-off") > page.index("Guided stretch")
    for field in ("Name", "Role and registration number", "Signature", "Date"):
        assert f"<th>{field}</th>" in page or f'<th style="width:30%">{field}</th>' in page


def test_the_review_escapes_everything_it_prints(content):
    food = dataclasses.replace(content.topics["food"], title='Food & <b onclick="x">drink</b>')
    page = build_review(dataclasses.replace(content, topics={**content.topics, "food": food}))
    assert "Food &amp; &lt;b onclick=&quot;x&quot;&gt;drink&lt;/b&gt;" in page
    assert '<b onclick="x">' not in page


def test_the_review_is_well_formed_html(page):
    class TagBalance(HTMLParser):
        VOID = {"meta", "br", "link", "img", "input", "hr"}

        def __init__(self) -> None:
            super().__init__()
            self.open: list[str] = []
            self.errors: list[str] = []

        def handle_starttag(self, tag, attrs):
            if tag not in self.VOID:
                self.open.append(tag)

        def handle_endtag(self, tag):
            if not self.open or self.open.pop() != tag:
                self.errors.append(tag)

    parser = TagBalance()
    parser.feed(page)
    assert parser.errors == [] and parser.open == []


def test_review_writes_the_page_where_she_asks(project_copy, tmp_path):
    result = run_cli(project_copy, tmp_path, "review", "--out", "for-the-midwife.html")
    assert result.returncode == 0, result.stderr
    written = (tmp_path / "for-the-midwife.html").read_text(encoding="utf-8")
    assert written.startswith("<!DOCTYPE html>") and "Clinical sign-off" in written
