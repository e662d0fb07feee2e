"""``cramp-coach check``: everything a content editor or release can break, checked at once.

Content and the conversation's shape (every offer's yes and no, every symptom topic's doctor
line, every topic reachable: the loader's rules), the words on screens and in the store listing,
every locale's interaction model (against Amazon's rules, against its source, and every intent a
topic's or a control's), and the APL documents with the data the skill sends them. Each problem
is one line naming the file and key.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Callable, Optional, TypeVar

from skill.runtime import apl

from skill.tools import models
from skill.runtime.content import Content, load_content
from skill.tools.model_rules import model_problems, pattern_problems
from skill.tools.vocabulary import normalize
from skill.runtime.reminder_words import load_reminder_words
from skill.runtime import yaml_files
from skill.runtime.resources import content_dir, data_dir
from skill.runtime.screens import ScreenWords, answer_datasource, load_screen_words, step_datasource

T = TypeVar("T")

EXAMPLE_LAMBDA_ARN = "arn:aws:lambda:us-east-1:000000000000:function:cramp-coach"
"""Stands in for the real endpoint when checking the listing (the endpoint is chosen at package time)."""


@dataclass
class CheckReport:
    problems: list[str] = field(default_factory=list)
    checked: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def run_checks() -> CheckReport:
    """Run every check; a failing part is reported and the others still run."""
    report = CheckReport()
    content = _attempt(report, load_content)
    words = _attempt(report, load_screen_words)
    reminder_words = _attempt(report, load_reminder_words)
    if content is not None and reminder_words is not None:
        report.checked.append(f"content: {len(content.all_lines())} items in {len(content.topics)} topics, "
                              f"{len(content.walkthrough.steps)} stretch steps; {len(content.offer_actions)} offers "
                              f"with their yes and no, {len(content.controls)} controls, every topic reachable; "
                              f"{len(reminder_words.all_lines())} bedtime reminder lines")
    generated = _attempt(report, _GeneratedModels.from_source)
    if generated is not None:
        _check_models(report, content, generated)
        if content is not None:
            _check_invocation_in_content(report, content, generated.source)
    _check_apl(report, content, words)
    _check_listing(report, generated)
    if content is not None:
        _check_content_snapshot(report)
    return report


def _check_content_snapshot(report: CheckReport) -> None:
    """The parsed snapshot the skill starts from holds every content file as it is now."""
    stale = yaml_files.stale_snapshot(content_dir())
    if stale:
        report.problems.append(f"content/{yaml_files.SNAPSHOT_NAME}: does not hold {', '.join(stale)} as they are now; "
                               "run python -m skill.tools.models (until then the skill parses the YAML, more slowly)")


@dataclass(frozen=True)
class _GeneratedModels:
    """The model source and every locale's model made from it, once for all the checks."""

    source: dict
    by_locale: dict[str, dict]

    @classmethod
    def from_source(cls) -> "_GeneratedModels":
        source = models.load_source()
        return cls(source, models.generate_all(source))


def _attempt(report: CheckReport, load: Callable[[], T]) -> Optional[T]:
    try:
        return load()
    except ValueError as error:  # ContentError and friends: the message names file and key
        if str(error) not in report.problems:  # e.g. the reminder words, which the models' dialog reads too
            report.problems.append(str(error))
        return None


def _check_models(report: CheckReport, content: Optional[Content], generated: _GeneratedModels) -> None:
    """Every locale's model against Amazon's rules and the skill's: each intent a topic's or a control's."""
    source = generated.source
    report.problems.extend(models.stale_models(generated=generated.by_locale))
    folder = data_dir("interaction_models")
    try:
        local_built_ins = json.loads((folder / "local-builtins.json").read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as error:
        report.problems.append(f"interaction_models/local-builtins.json: cannot be read: {error}")
        return
    before = len(report.problems)
    for locale in generated.by_locale:
        path = models.model_path(locale)
        try:
            model = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as error:
            report.problems.append(f"interaction_models/{path.name}: cannot be read: {error}")
            continue
        # with content that does not load (reported above), which intents it answers cannot be known
        answered = content.intents() if content is not None else _declared_intents(model)
        origins = models.sample_origins(locale, source)
        report.problems.extend(model_problems(model, local_built_ins, name=f"interaction_models/{path.name}",
                                              invocation_name=normalize(source["invocation_name"]),
                                              answered=answered, origins=origins))
        hand_written = {intent: models.hand_written(intent, locale, source) for intent in origins}
        report.problems.extend(pattern_problems(origins, hand_written, models.deliberate(source),
                                                name=f"{models.SOURCE_NAME} ({locale})"))
    if len(report.problems) == before:
        report.checked.append(f"interaction models: {', '.join(generated.by_locale)} "
                              f"(generated from {models.SOURCE_NAME})")


_TOLD_TO_SAY = re.compile(r"\balexa, (?:ask|open|tell) (.+?)(?: to\b|[.,?!]|$)", re.IGNORECASE)
"""Where a line tells her what to say to reach the skill: "say, Alexa, ask cramp coach to …"."""


def _check_invocation_in_content(report: CheckReport, content: Content, source: dict) -> None:
    """A line that tells her how to call the skill uses the model's invocation name (written once, in model.yaml)."""
    name = normalize(source["invocation_name"])
    for line in content.all_lines():
        for index, variant in enumerate(line.variants):
            for said in _TOLD_TO_SAY.findall(variant):
                if normalize(said) != name:
                    report.problems.append(f"{line.key}.variants[{index}]: tells her to say {said!r}, but the "
                                           f"invocation name is {name!r} ({models.SOURCE_NAME})")


def _declared_intents(model: dict) -> set[str]:
    intents = model.get("interactionModel", {}).get("languageModel", {}).get("intents", [])
    return {intent.get("name", "") for intent in intents if isinstance(intent, dict)}


def _check_apl(report: CheckReport, content: Optional[Content], words: Optional[ScreenWords]) -> None:
    """Each document's shape; and, when the content loads, its bindings against the data the skill sends."""
    try:
        documents = apl.load_documents()
    except ValueError as error:
        report.problems.append(str(error))
        return
    sent: dict[str, list[Optional[dict]]] = {name: [None] for name in documents}
    if words is not None:
        sent[apl.ANSWER] = [answer_datasource(words, "Title", "An answer. Another tip. A question?")]
        if content is not None:
            steps = range(len(content.walkthrough.steps))
            sent[apl.WALKTHROUGH_STEP] = [step_datasource(words, content, step) for step in steps]
    before = len(report.problems)
    for name, document in documents.items():
        for datasources in sent[name]:
            for problem in apl.document_problems(name, document, datasources):
                if problem not in report.problems:
                    report.problems.append(problem)
    if len(report.problems) == before:
        report.checked.append(f"APL documents: {', '.join(f'apl/{n}.json' for n in documents)}")


def _check_listing(report: CheckReport, generated: Optional[_GeneratedModels]) -> None:
    from skill.tools import publish

    listing = _attempt(report, publish.load_listing)
    if listing is None or generated is None:
        return  # reported above
    locales = list(generated.by_locale)
    manifest = publish.build_manifest(listing, locales, publish.endpoint_for(lambda_arn=EXAMPLE_LAMBDA_ARN))
    problems = publish.manifest_problems(manifest, generated.by_locale)
    report.problems.extend(f"content/{publish.LISTING_FILE} → {problem}" for problem in problems)
    if not problems:
        report.checked.append(f"store listing: {len(listing.example_phrases)} example phrases, "
                              f"{len(locales)} locales, category {publish.CATEGORY}")
