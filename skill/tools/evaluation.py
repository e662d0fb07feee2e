"""Held-out NLU evaluation sets: how well what she says reaches the right intent.

``interaction_models/evaluation/<locale>.json`` is an annotation set in the JSON form Amazon's
NLU Evaluation tool and NLU Annotation Set API take (``{"data": [{"inputs": {"utterance"},
"expected": [{"intent": {"name", "slots": {name: {"value"}}}}]}]}``), so the same file is
scored here against the local understanding (``cramp-coach evaluate``) and uploaded to Amazon
to score the real model once the skill is deployed. No utterance in it is a sample.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable, Mapping, Optional

from skill.tools.model_rules import spoken_samples_by_intent
from skill.tools.nlu import BUILTIN_PHRASES_FILE, FALLBACK_INTENT, FUNCTION_WORDS, LocalUnderstanding
from skill.tools.spoken_times import TIME_WORDS
from skill.tools.vocabulary import normalise
from skill.runtime.resources import data_dir, interaction_model_path

EVALUATION_FOLDER = "evaluation"

PENDING_INTENTS: frozenset[str] = frozenset()
"""Intents labelled in the set whose handlers and samples are still on another branch.

Their utterances are reported as pending and left out of every score; empty it when they
merge (interaction_models/source/pending_intents.yaml says how). Issue 13's intents have landed.
"""
SAFETY_INTENTS = ("EmergencyIntent", "SevereSymptomsIntent", "SevereCrampIntent")

MIN_ACCURACY = 0.95
MIN_SAFETY_RECALL = 0.98
MIN_OFF_TOPIC_TO_FALLBACK = 0.90
AIM_BREADTH = 0.80
"""Targets: overall accuracy, recall of each safety intent, off-topic reaching the fallback; breadth is an aim."""


class EvaluationSetError(ValueError):
    """An evaluation set is missing or malformed; the message names the file and entry."""


@dataclass(frozen=True)
class Annotation:
    utterance: str
    intent: str
    slots: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Result:
    annotation: Annotation
    intent: Optional[str]
    slots: Mapping[str, Optional[str]]

    @property
    def right(self) -> bool:
        return self.intent == self.annotation.intent

    @property
    def slots_right(self) -> bool:
        return self.right and all(self.slots.get(name) == value for name, value in self.annotation.slots.items())


def set_path(locale: str, folder: Optional[Path] = None) -> Path:
    return (folder or data_dir("interaction_models") / EVALUATION_FOLDER) / f"{locale}.json"


def load_annotations(locale: str, folder: Optional[Path] = None) -> list[Annotation]:
    """The locale's evaluation set, checked for the shape Amazon's annotation set has."""
    path = set_path(locale, folder)
    if not path.is_file():
        raise EvaluationSetError(f"interaction_models/{EVALUATION_FOLDER}/{path.name}: no evaluation set for {locale}")
    return load_annotation_file(path, f"interaction_models/{EVALUATION_FOLDER}/{path.name}")


def load_annotation_file(path: Path, where: Optional[str] = None) -> list[Annotation]:
    """Any annotation set in Amazon's shape, such as a development set (``where`` names it in errors)."""
    where = where or str(path)
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise EvaluationSetError(f"{where}: no such annotation set") from None
    except IsADirectoryError:
        raise EvaluationSetError(f"{where}: is a folder, not an annotation set file") from None
    except UnicodeDecodeError:
        raise EvaluationSetError(f"{where}: not UTF-8 text") from None
    except json.JSONDecodeError as error:
        raise EvaluationSetError(f"{where}:{error.lineno}: not valid JSON: {error.msg}") from None
    if not isinstance(raw, dict) or not isinstance(raw.get("data"), list):
        raise EvaluationSetError(f"{where}: expected {{\"data\": [annotations]}}")
    annotations = []
    for index, entry in enumerate(raw["data"]):
        at = f"{where}: data[{index}]"
        try:
            utterance = entry["inputs"]["utterance"]
            expected = entry["expected"][0]["intent"]
            slots = {name: slot["value"] for name, slot in (expected.get("slots") or {}).items()}
        except (KeyError, IndexError, TypeError) as error:
            raise EvaluationSetError(f"{at}: needs inputs.utterance and expected[0].intent.name ({error})") from None
        if not isinstance(utterance, str) or not utterance.strip() or not isinstance(expected.get("name"), str):
            raise EvaluationSetError(f"{at}: the utterance and the intent name must be text")
        annotations.append(Annotation(utterance, expected["name"], slots))
    return annotations


def annotation_set(annotations: Iterable[Annotation]) -> dict[str, Any]:
    """Annotations in the JSON form the NLU Evaluation tool uploads."""
    data = []
    for annotation in annotations:
        intent: dict[str, Any] = {"name": annotation.intent}
        if annotation.slots:
            intent["slots"] = {name: {"value": value} for name, value in annotation.slots.items()}
        data.append({"inputs": {"utterance": annotation.utterance}, "expected": [{"intent": intent}]})
    return {"data": data}


def render(annotations: Iterable[Annotation]) -> str:
    return json.dumps(annotation_set(annotations), indent=2, ensure_ascii=False) + "\n"


def upload_form(locale: str, folder: Optional[Path] = None) -> str:
    """The set as `cramp-coach package` writes it for Amazon: only intents the deployed model has."""
    return render(a for a in load_annotations(locale, folder) if a.intent not in PENDING_INTENTS)


@dataclass
class Evaluation:
    results: list[Result]
    pending: list[Annotation]
    breadth: dict[str, tuple[int, int]] = field(default_factory=dict)  # intent → (covered, total)

    @property
    def accuracy(self) -> float:
        return _share(sum(r.right for r in self.results), len(self.results))

    @property
    def slot_accuracy(self) -> float:
        with_slots = [r for r in self.results if r.annotation.slots]
        return _share(sum(r.slots_right for r in with_slots), len(with_slots))

    def recall(self, intent: str) -> float:
        expected = [r for r in self.results if r.annotation.intent == intent]
        return _share(sum(r.right for r in expected), len(expected))

    def precision(self, intent: str) -> float:
        heard = [r for r in self.results if r.intent == intent]
        return _share(sum(r.right for r in heard), len(heard))

    @property
    def intents(self) -> list[str]:
        return sorted({r.annotation.intent for r in self.results})

    @property
    def safety_intents(self) -> list[str]:
        return [i for i in SAFETY_INTENTS if i in self.intents]

    @property
    def off_topic_to_fallback(self) -> float:
        return self.recall(FALLBACK_INTENT)

    @property
    def misses(self) -> list[Result]:
        return [r for r in self.results if not r.right]

    def breadth_share(self, intent: str) -> float:
        covered, total = self.breadth.get(intent, (0, 0))
        return _share(covered, total)

    def target_failures(self, min_accuracy: float = MIN_ACCURACY) -> list[str]:
        """The targets this evaluation misses, one line each (empty when all are met)."""
        failures = []
        if self.accuracy < min_accuracy:
            failures.append(f"overall accuracy {self.accuracy:.1%} is below {min_accuracy:.0%}")
        for intent in self.safety_intents:
            if self.recall(intent) < MIN_SAFETY_RECALL:
                failures.append(f"{intent} recall {self.recall(intent):.1%} is below {MIN_SAFETY_RECALL:.0%}")
        if FALLBACK_INTENT in self.intents and self.off_topic_to_fallback < MIN_OFF_TOPIC_TO_FALLBACK:
            failures.append(f"off-topic to the fallback {self.off_topic_to_fallback:.1%} is below "
                            f"{MIN_OFF_TOPIC_TO_FALLBACK:.0%}")
        return failures


def _share(part: int, whole: int) -> float:
    return part / whole if whole else 1.0


def evaluate(nlu: LocalUnderstanding, annotations: Iterable[Annotation],
             samples: Optional[Mapping[str, Iterable[str]]] = None,
             slot_words: Optional[Mapping[str, frozenset[str]]] = None) -> Evaluation:
    """Run each scored utterance through ``nlu``; ``samples`` (intent → spoken samples) adds breadth."""
    results, pending = [], []
    for annotation in annotations:
        if annotation.intent in PENDING_INTENTS:
            pending.append(annotation)
            continue
        heard = nlu.understand(annotation.utterance)
        intent = heard.intent if heard.kind == "intent" else "LaunchRequest"
        results.append(Result(annotation, intent, {name: fill.spoken for name, fill in heard.slots.items()}))
    evaluation = Evaluation(results, pending)
    if samples is not None:
        evaluation.breadth = breadth([r.annotation for r in results], samples, slot_words)
    return evaluation


@lru_cache(maxsize=None)
def shipped_samples(locale: str) -> dict[str, set[str]]:
    """Every phrase the shipped model (and the local built-in phrases) says, per intent, slots filled."""
    model = json.loads(interaction_model_path(locale).read_text(encoding="utf-8"))
    samples = spoken_samples_by_intent(model)
    built_ins = json.loads((data_dir("interaction_models") / BUILTIN_PHRASES_FILE).read_text(encoding="utf-8"))
    for intent, phrases in built_ins.items():
        samples.setdefault(intent, set()).update(normalise(phrase) for phrase in phrases)
    return samples


@lru_cache(maxsize=None)
def shipped_slot_words(locale: str) -> dict[str, frozenset[str]]:
    """``{slot}`` → the words it stands for, for the slots whose values are not listed (spoken times)."""
    model = json.loads(interaction_model_path(locale).read_text(encoding="utf-8"))
    return {"{" + slot["name"] + "}": TIME_WORDS
            for intent in model["interactionModel"]["languageModel"]["intents"]
            for slot in intent.get("slots", []) if slot["type"] == "AMAZON.TIME"}


@lru_cache(maxsize=None)
def evaluate_locale(locale: str) -> Evaluation:
    """The shipped evaluation set of ``locale`` against its shipped model, with breadth (once per process)."""
    return evaluate(LocalUnderstanding.for_locale(locale), load_annotations(locale), shipped_samples(locale),
                    shipped_slot_words(locale))


def evaluate_file(locale: str, path: Path) -> Evaluation:
    """Another annotation set (a development set, say) against the locale's shipped model, with breadth.

    Unlike the held-out set, a development set may share utterances with the samples: it is
    what the patterns are widened against, and the held-out set is scored after.
    """
    return evaluate(LocalUnderstanding.for_locale(locale), load_annotation_file(path), shipped_samples(locale),
                    shipped_slot_words(locale))


def content_words(text: str) -> frozenset[str]:
    """The words that carry what she asks about (apostrophes dropped)."""
    return frozenset(word.replace("'", "") for word in normalise(text).split() if word not in FUNCTION_WORDS)


_PLAIN_WORD = re.compile(r"[a-z']+\Z")


def sample_words(sample: str, slot_words: Optional[Mapping[str, frozenset[str]]] = None) -> set[str]:
    """A sample's words split as ``content_words`` splits hers ("o.b." is "o" and "b"); a ``{slot}``
    whose values are not listed (a spoken time) stands for every word such a value is made of."""
    words: set[str] = set()
    for token in sample.split():
        if _PLAIN_WORD.match(token) or token.startswith("{"):
            if slot_words and token in slot_words:
                words |= slot_words[token]
            else:
                words.add(token.replace("'", ""))
        else:
            words.update(word.replace("'", "") for word in normalise(token).split())
    return words


def breadth(annotations: Iterable[Annotation], samples: Mapping[str, Iterable[str]],
            slot_words: Optional[Mapping[str, frozenset[str]]] = None) -> dict[str, tuple[int, int]]:
    """Per intent: utterances whose content words all occur together in one of its samples, and how many.

    A rough floor of what Alexa's NLU will get right; the fallback has no samples and is left out.
    """
    index: dict[str, dict[str, set[int]]] = {}  # intent → word → the samples that have it
    for intent, said in samples.items():
        words_of = index.setdefault(intent, {})
        for number, sample in enumerate(said):
            for word in sample_words(sample, slot_words):
                words_of.setdefault(word, set()).add(number)
    covered: Counter[str] = Counter()
    total: Counter[str] = Counter()
    for annotation in annotations:
        if annotation.intent not in index:
            continue
        total[annotation.intent] += 1
        holders = [index[annotation.intent].get(word, set()) for word in content_words(annotation.utterance)]
        if not holders or set.intersection(*holders):
            covered[annotation.intent] += 1
    return {intent: (covered[intent], total[intent]) for intent in total}


def report_lines(evaluation: Evaluation) -> list[str]:
    """Per-intent precision and recall, the misses, and the overall figures, for a terminal."""
    lines = [f"{'intent':<28} {'n':>4} {'precision':>9} {'recall':>7} {'breadth':>8}"]
    for intent in evaluation.intents:
        count = sum(r.annotation.intent == intent for r in evaluation.results)
        shown = f"{evaluation.breadth_share(intent):.0%}" if intent in evaluation.breadth else "-"
        lines.append(f"{intent:<28} {count:>4} {evaluation.precision(intent):>9.0%} "
                     f"{evaluation.recall(intent):>7.0%} {shown:>8}")
    if evaluation.misses:
        lines.append("")
        lines.append(f"misses ({len(evaluation.misses)}):")
        lines += [f"  {r.annotation.utterance!r}: expected {r.annotation.intent}, heard {r.intent}"
                  for r in evaluation.misses]
    if evaluation.pending:
        counts = Counter(a.intent for a in evaluation.pending)
        lines.append("")
        lines.append("pending (labelled for intents not in this model yet, not scored): "
                     + ", ".join(f"{intent} {n}" for intent, n in sorted(counts.items())))
    lines.append("")
    scored = len(evaluation.results)
    lines.append(f"overall accuracy: {evaluation.accuracy:.1%} of {scored} utterances "
                 f"(target {MIN_ACCURACY:.0%})")
    for intent in evaluation.safety_intents:
        lines.append(f"safety recall {intent}: {evaluation.recall(intent):.1%} (target {MIN_SAFETY_RECALL:.0%})")
    if FALLBACK_INTENT in evaluation.intents:
        lines.append(f"off-topic to the fallback: {evaluation.off_topic_to_fallback:.1%} "
                     f"(target {MIN_OFF_TOPIC_TO_FALLBACK:.0%})")
    lines.append(f"slots right where expected: {evaluation.slot_accuracy:.1%}")
    if evaluation.breadth:
        covered = sum(c for c, _ in evaluation.breadth.values())
        total = sum(t for _, t in evaluation.breadth.values())
        lines.append(f"breadth (content words all in one sample): {_share(covered, total):.1%} "
                     f"(aim {AIM_BREADTH:.0%} per intent)")
    return lines
