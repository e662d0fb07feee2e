"""An ASK interaction model (and the local built-in phrases) read into indexed samples and slot types.

Every problem in the model is a ModelError naming the file, the key and what is wrong.
"""

from __future__ import annotations

import itertools
import json
import math
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Mapping, Optional, Sequence

from skill.runtime.envelope import SlotFill
from skill.tools import spoken_times
from skill.tools.nlu.normalise import _key, _tokens, _trim, _words_pattern
from skill.tools.vocabulary import ASK_WORDS, CONNECTING_WORDS, OPEN_CONNECTORS, OPEN_WORDS, normalise

if TYPE_CHECKING:
    from skill.tools.nlu.match import LocalUnderstanding


TIME_SLOT_TYPE = "AMAZON.TIME"
BUILTIN_PHRASES_FILE = "local-builtins.json"

_PLACEHOLDER = re.compile(r"\{\s*([A-Za-z0-9_.]+)\s*\}")


class ModelError(ValueError):
    """The interaction model (or built-in phrase list) cannot be read as an ASK model."""


@dataclass(frozen=True)
class _SlotType:
    name: str
    custom: bool
    lookup: dict[str, tuple[str, str]]  # key(phrase) → (id, name)
    phrases: tuple[str, ...]  # normalised values and synonyms, longest first
    display: tuple[tuple[str, str], ...]  # (phrase, id) in model order, for fuzzy expansion
    finder: Optional[re.Pattern[str]] = None

    def resolve(self, spoken: str) -> SlotFill:
        """ER for one captured phrase: exact value or synonym, else with filler words trimmed."""
        if self.name == TIME_SLOT_TYPE:
            return _time_fill(spoken)
        slot_type = self.name if self.custom else ""
        words = spoken.split()
        candidates = [spoken, " ".join(_trim(words))]
        for candidate in candidates:
            found = self.lookup.get(_key(candidate))
            if found:
                return SlotFill(candidate, found[0], found[1], slot_type)
        return SlotFill(spoken, None, None, slot_type)

    def find(self, text: str) -> Optional[str]:
        """The first value or synonym named anywhere in ``text`` (longest wins), as she said it."""
        if self.name == TIME_SLOT_TYPE:
            return spoken_times.find_time(text)
        match = self.finder.search(text) if self.finder else None
        return match.group(0) if match else None


def _time_fill(spoken: str) -> SlotFill:
    """AMAZON.TIME carries the time itself ("21:30") as its value, as Alexa sends it; no resolutions."""
    value = spoken_times.alexa_time(spoken)
    return SlotFill(value, value) if value else SlotFill(spoken)


@dataclass(frozen=True)
class _Sample:
    intent: str
    original: str
    order: int
    parts: tuple[tuple[str, str], ...]  # ("text", words) and ("slot", slot name)
    slot_types: tuple[str, ...]  # the type of each slot, in order
    literal: frozenset[str]  # its words, apostrophes dropped, for the open-slot pre-filter
    tokens: tuple[str, ...]  # sorted stems, a slot as "{Type}", for the fuzzy index

    @property
    def groups(self) -> tuple[tuple[str, str], ...]:
        names = [value for kind, value in self.parts if kind == "slot"]
        return tuple((f"s{i}", name) for i, name in enumerate(names))

    def skeleton(self) -> str:
        """The sample with each slot as ``{Type}``, apostrophes dropped: the exact-match key."""
        types = iter(self.slot_types)
        return " ".join(_key(value) if kind == "text" else "{" + next(types) + "}" for kind, value in self.parts)

    def open_pattern(self) -> Optional[re.Pattern[str]]:
        return _open_pattern(self.parts)


@lru_cache(maxsize=None)
def _open_pattern(parts: tuple[tuple[str, str], ...]) -> Optional[re.Pattern[str]]:
    """Any words in each slot (step 2); compiled only for samples whose words she said."""
    pieces, groups = [], 0
    for kind, value in parts:
        if kind == "text":
            pieces.append(_words_pattern(value))
        else:
            pieces.append(rf"(?P<s{groups}>\S+(?: \S+)*?)")
            groups += 1
    literal_words = sum(len(value.split()) for kind, value in parts if kind == "text")
    # A sample that is only a slot would swallow any sentence; it must match by value.
    return re.compile(" ".join(pieces)) if groups and literal_words else None


def _invocation_patterns(invocation_name: str) -> tuple[re.Pattern[str], re.Pattern[str]]:
    name = _words_pattern(invocation_name)
    verbs = "|".join(_words_pattern(verb) for verb in OPEN_WORDS)
    launch = re.compile(rf"(?:(?:{verbs}) )?(?:the )?{name}(?: skill)?")
    ask = "|".join(ASK_WORDS)
    ask_connectors = "|".join(CONNECTING_WORDS)
    open_connectors = "|".join(OPEN_CONNECTORS)
    one_shot = re.compile(
        rf"(?:(?:{ask}) (?:the )?{name}(?: (?:{ask_connectors}))?"
        rf"|(?:{verbs}) (?:the )?{name} (?:{open_connectors}))(?: (?P<rest>.*))?"
    )
    return launch, one_shot


def _idf_weights(samples: Sequence[_Sample]) -> dict[str, float]:
    """Rarer words carry more meaning: "eat" says more than "my" about which intent she means."""
    by_intent: dict[str, set[str]] = {}
    for sample in samples:
        by_intent.setdefault(sample.intent, set()).update(sample.tokens)
    count = len(by_intent)
    frequency: dict[str, int] = {}
    for tokens in by_intent.values():
        for token in tokens:
            frequency[token] = frequency.get(token, 0) + 1
    return {token: math.log((count + 1) / (seen + 0.5)) for token, seen in frequency.items()}


# -- compiling a model ----------------------------------------------------------------------------


def _compile(
    build: Callable[..., LocalUnderstanding],
    model: Mapping[str, Any],
    builtins: Mapping[str, Sequence[str]],
    locale: str,
    source: str,
    builtins_source: str,
) -> LocalUnderstanding:
    language, where = _language_model(model, source)
    invocation = normalise(str(language.get("invocationName", "")))
    if not invocation:
        raise ModelError(f"{where}.invocationName: missing; set it to the skill's invocation name")

    slot_types = _slot_types(language, where)
    intents = language.get("intents")
    if not isinstance(intents, list) or not intents:
        raise ModelError(f"{where}.intents: missing or empty; an ASK model lists its intents here")
    _check_builtins(builtins, builtins_source)

    intent_slots: dict[str, dict[str, str]] = {}
    samples: list[_Sample] = []
    order = itertools.count()
    for i, intent in enumerate(intents):
        at = f"{where}.intents[{i}]"
        name = intent.get("name") if isinstance(intent, Mapping) else None
        if not isinstance(name, str) or not name:
            raise ModelError(f"{at}.name: missing; every intent needs a name")
        declared: dict[str, str] = {}
        for j, slot in enumerate(intent.get("slots") or []):
            slot_name, type_name = slot.get("name"), slot.get("type")
            if not slot_name or not type_name:
                raise ModelError(f"{at}.slots[{j}]: needs both 'name' and 'type'")
            if type_name not in slot_types:
                if not str(type_name).startswith("AMAZON."):
                    raise ModelError(
                        f"{at}.slots[{j}]: type {type_name!r} is not defined in {where}.types"
                    )
                slot_types[type_name] = _SlotType(type_name, False, {}, (), ())
            declared[slot_name] = type_name
        intent_slots[name] = declared

        phrases = [(f"{at}.samples[{k}]", s) for k, s in enumerate(intent.get("samples") or [])]
        phrases += [(f"{builtins_source}: {name}[{k}]", s) for k, s in enumerate(builtins.get(name, []))]
        for sample_at, sample in phrases:
            if not isinstance(sample, str):
                raise ModelError(f"{sample_at}: expected a phrase, found {sample!r}")
            samples.append(_compile_sample(name, sample, next(order), declared, sample_at))

    return build(
        invocation_name=invocation, intent_slots=intent_slots, slot_types=slot_types,
        samples=samples, locale=locale,
    )


def _language_model(model: Mapping[str, Any], source: str) -> tuple[Mapping[str, Any], str]:
    if not isinstance(model, Mapping):
        raise ModelError(f"{source}: expected a JSON object with interactionModel.languageModel")
    if "interactionModel" in model:
        language = (model.get("interactionModel") or {}).get("languageModel")
        where = f"{source}: interactionModel.languageModel"
    else:
        language, where = model.get("languageModel", model), f"{source}: languageModel"
    if not isinstance(language, Mapping):
        raise ModelError(f"{where}: missing; expected the ASK languageModel object")
    return language, where


def _slot_types(language: Mapping[str, Any], where: str) -> dict[str, _SlotType]:
    types: dict[str, _SlotType] = {}
    for i, slot_type in enumerate(language.get("types") or []):
        name = slot_type.get("name")
        if not name:
            raise ModelError(f"{where}.types[{i}].name: missing")
        lookup: dict[str, tuple[str, str]] = {}
        display: list[tuple[str, str]] = []
        for j, value in enumerate(slot_type.get("values") or []):
            spoken = (value.get("name") or {}).get("value")
            if not spoken:
                raise ModelError(f"{where}.types[{i}].values[{j}].name.value: missing")
            value_id = str(value.get("id") or spoken)
            for phrase in [spoken, *((value.get("name") or {}).get("synonyms") or [])]:
                normal = normalise(phrase)
                if normal and _key(normal) not in lookup:
                    lookup[_key(normal)] = (value_id, spoken)
                    display.append((normal, value_id))
        phrases = tuple(sorted({p for p, _ in display}, key=lambda p: (-len(p), p)))
        alternatives = "|".join(_words_pattern(phrase) for phrase in phrases)
        finder = re.compile(rf"(?<!\S)(?:{alternatives})(?!\S)") if phrases else None
        types[name] = _SlotType(name, True, lookup, phrases, tuple(display), finder)
    return types


def _check_builtins(builtins: Mapping[str, Any], source: str) -> None:
    if not isinstance(builtins, Mapping):
        raise ModelError(f"{source}: expected an object of intent name → list of phrases")
    for intent, phrases in builtins.items():
        if not isinstance(phrases, list):
            raise ModelError(f"{source}: {intent}: expected a list of phrases, found {phrases!r}")


def _split_sample(sample: str) -> list[tuple[str, str]]:
    """A sample as ("text", words) and ("slot", name) parts, the words normalised."""
    parts: list[tuple[str, str]] = []
    position = 0
    for match in _PLACEHOLDER.finditer(sample):
        words = normalise(sample[position:match.start()])
        if words:
            parts.append(("text", words))
        parts.append(("slot", match.group(1)))
        position = match.end()
    words = normalise(sample[position:])
    if words:
        parts.append(("text", words))
    return parts


def _compile_sample(intent: str, sample: str, order: int, declared: Mapping[str, str], at: str) -> _Sample:
    parts = _split_sample(sample)
    if not parts:
        raise ModelError(f"{at}: empty sample; remove it or write the phrase")
    types = []
    for kind, value in parts:
        if kind == "slot":
            if value not in declared:
                known = ", ".join(declared) or "none"
                raise ModelError(f"{at}: {sample!r} uses {{{value}}} but {intent} declares slots: {known}")
            types.append(declared[value])
    words = " ".join(value for kind, value in parts if kind == "text")
    tokens = set(_tokens(words)) | {"{" + type_name + "}" for type_name in types}
    return _Sample(
        intent=intent, original=sample, order=order, parts=tuple(parts), slot_types=tuple(types),
        literal=frozenset(_key(words).split()), tokens=tuple(sorted(tokens)),
    )


def _read_json(path: Path, what: str) -> Any:
    try:
        with path.open(encoding="utf-8") as handle:
            return json.load(handle)
    except FileNotFoundError:
        raise FileNotFoundError(
            f"{path}: {what} is missing"
        ) from None
    except json.JSONDecodeError as error:
        raise ModelError(f"{path}:{error.lineno}:{error.colno}: not valid JSON: {error.msg}") from None


def _display_path(path: Path) -> str:
    return f"{path.parent.name}/{path.name}"
