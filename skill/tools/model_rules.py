"""Amazon's rules for a custom skill's interaction model, plus the skill's own, as one function.

``model_problems`` returns one line per broken rule (file, key, problem), so ``cramp-coach
check`` and the tests hold every locale's model to the same rules. The rules come from
Amazon's pages "Create Intents, Utterances, and Slots", "Choose the Invocation Name for a
Custom Skill" and "Standard Built-in Intents", and from the skill: every custom intent is
well trained and no phrase is claimed by two intents, as written or with its slots filled.
"""

from __future__ import annotations

import functools
import importlib.util
import itertools
import json
import re
from collections import Counter, defaultdict
from typing import Any, Collection, Iterable, Mapping, NamedTuple, Optional

from skill.tools.vocabulary import (
    FORBIDDEN_IN_INVOCATION,
    LAUNCH_PHRASES,
    LAUNCH_WORDS_IN_INVOCATION,
    WAKE_WORDS,
    normalize,
)

# "Standard Built-in Intents": every custom skill must include these.
REQUIRED_BUILT_INS = (
    "AMAZON.CancelIntent",
    "AMAZON.HelpIntent",
    "AMAZON.StopIntent",
    "AMAZON.NavigateHomeIntent",
    "AMAZON.FallbackIntent",
)
DERIVED = {
    "INVOCATION_NAME": "the invocation name (interaction_models/source/model.yaml)",
    "CUSTOM_INTENTS": "the skill's own intents: its topics' and controls' (content/)",
    "BUILT_INS_WE_USE": "Amazon's required built-in intents, then the others a control answers (content/controls.yaml)",
}
"""Names this module offers that are read from content/ and the model source, never written here again."""


@functools.lru_cache(maxsize=1)
def answered_intents() -> frozenset[str]:
    """Every intent a topic or control of the shipped content answers."""
    from skill.runtime.content import load_content

    return frozenset(load_content().intents())


@functools.lru_cache(maxsize=1)
def source_invocation_name() -> str:
    """The skill's invocation name, as the model source declares it."""
    from skill.tools.models import load_source

    return normalize(load_source()["invocation_name"])


def __getattr__(name: str) -> Any:
    if name == "INVOCATION_NAME":
        return source_invocation_name()
    if name == "CUSTOM_INTENTS":
        return tuple(sorted(i for i in answered_intents() if not i.startswith("AMAZON.")))
    if name == "BUILT_INS_WE_USE":
        others = sorted(i for i in answered_intents() if i.startswith("AMAZON.") and i not in REQUIRED_BUILT_INS)
        return REQUIRED_BUILT_INS + tuple(others)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


FALLBACK_INTENT = "AMAZON.FallbackIntent"

MIN_SAMPLES_PER_CUSTOM_INTENT = 150
"""The skill's own bar: a custom intent is trained on at least this many distinct (expanded) samples."""
MIN_HAND_WRITTEN_PER_CUSTOM_INTENT = 40
"""...written as at least this many distinct patterns or plain samples, so the variety is real."""
MAX_SAMPLES_PER_INTENT = 3000
"""The skill's own budget: more than this per intent is a pattern gone wide, not more variety."""
MAX_SAMPLES_PER_MODEL = 25000
"""The skill's own budget for a whole model, which keeps builds and the local tester quick."""

# Amazon's limits for a custom skill's interaction model ("Create Intents, Utterances, and
# Slots", "Custom Slot Types" and the interaction model schema).
MAX_UTTERANCE_CHARS = 200
"""A sample utterance is at most 200 characters."""
MAX_INTENTS = 250
"""A skill declares at most 250 intents, built-in ones included."""
MAX_CUSTOM_SLOT_VALUES = 50000
"""At most 50,000 custom slot values and synonyms, counted across every custom slot type of the
model (the older ASK docs say so of the whole skill; counting them all is the stricter reading)."""
MAX_SLOT_VALUE_CHARS = 140
"""A slot value or synonym is at most 140 characters."""
INTENT_NAME = re.compile(r"(?:AMAZON\.)?[A-Za-z_]+")
"""Intent and slot names: letters and underscores only (built-ins carry the AMAZON. prefix)."""

# Samples that start like a built-in ("stop my cramp") are heard as that built-in unless a
# custom intent claims them on purpose: the source's ``deliberate:`` lists such openings.
BUILT_IN_OPENINGS = {
    "stop": "AMAZON.StopIntent", "cancel": "AMAZON.CancelIntent", "next": "AMAZON.NextIntent",
    "previous": "AMAZON.PreviousIntent", "go back": "AMAZON.PreviousIntent",
    "resume": "AMAZON.ResumeIntent", "continue": "AMAZON.ResumeIntent", "pause": "AMAZON.PauseIntent",
    "repeat": "AMAZON.RepeatIntent", "start over": "AMAZON.StartOverIntent", "help": "AMAZON.HelpIntent",
    "yes": "AMAZON.YesIntent", "no": "AMAZON.NoIntent",
}
LOCAL_BUILT_IN_PHRASES = (5, 15)
"""How many phrases the local tester keeps for each built-in intent (fewest, most)."""


# A sample is words of lowercase letters and apostrophes, abbreviations such as
# "a.m." or "o.b.", and slot references such as "{bodyPart}", separated by single spaces.
_WORD = r"(?:[a-z']+|(?:[a-z]\.)+|\{[A-Za-z_]+\})"
UTTERANCE_SHAPE = re.compile(rf"^{_WORD}(?: {_WORD})*$")
SLOT_REFERENCE = re.compile(r"\{([^{}]*)\}")
INVOCATION_SHAPE = re.compile(r"[a-z]+(?: [a-z]+)+")
_LAUNCH_OPENING = re.compile(rf"({'|'.join(re.escape(p) for p in LAUNCH_PHRASES)})(?: |$)")


MEMO_SIZE = 1 << 16
"""How many samples (and slot-filled samples) the rules remember between locales: the five
models share almost every sample, so each is judged once per run, not once per locale."""


class _Verdict(NamedTuple):
    """What the per-sample rules make of one sample, whichever locale's model it is in."""

    problems: tuple[str, ...]
    text: str  # the sample as Amazon compares it (normalised)
    alone: frozenset[str]  # its one spoken form when no custom slot is filled in
    referenced: tuple[str, ...]  # the slots it names, in order
    fillable: bool  # every slot it names is declared


@functools.lru_cache(maxsize=MEMO_SIZE)
def _verdict(intent_name: str, sample: str, declared: frozenset[str]) -> _Verdict:
    """The rules of one sample; cached, as a sample shared by every locale is judged the same in each."""
    problems = []
    where = f"intents.{intent_name}.samples: {sample!r}"
    if not UTTERANCE_SHAPE.match(sample):
        problems.append(f"{where} must be lowercase words, apostrophes, abbreviations like 'a.m.' and "
                        "{slot} references separated by single spaces (no digits, no other punctuation)")
    if len(sample) > MAX_UTTERANCE_CHARS:
        problems.append(f"{where} is {len(sample)} characters; the most is {MAX_UTTERANCE_CHARS}")
    referenced = SLOT_REFERENCE.findall(sample) if "{" in sample else []
    undeclared = [slot for slot in referenced if slot not in declared]
    if undeclared:
        problems.append(f"{where} uses undeclared slots {undeclared}")
    repeated = sorted({slot for slot in referenced if referenced.count(slot) > 1})
    if repeated:
        problems.append(f"{where} uses slots more than once: {repeated}")
    text = normalize(sample)
    words = text.split()
    if words and words[0] in WAKE_WORDS:
        problems.append(f"{where} starts with a wake word")
    launch = _LAUNCH_OPENING.match(text)
    if launch:
        problems.append(f"{where} starts with the launch phrase {launch.group(1)!r}")
    # "tell me more" is an ordinary request; "tell cramp coach ..." is a launch.
    if words and words[0] == "tell" and words[1:2] != ["me"]:
        problems.append(f"{where} starts with the launch phrase 'tell'")
    return _Verdict(tuple(problems), text, frozenset((text,)), tuple(referenced), not undeclared)


@functools.lru_cache(maxsize=MEMO_SIZE // 64)
def _intent_verdicts(intent_name: str, samples: tuple[str, ...], declared: frozenset[str]) -> tuple[_Verdict, ...]:
    """The verdicts on one intent's samples; cached whole, as most intents are the same in every locale."""
    return tuple(_verdict(intent_name, sample, declared) for sample in samples)


@functools.lru_cache(maxsize=MEMO_SIZE)
def _filled(sample: str, fillers: tuple[tuple[str, tuple[str, ...]], ...]) -> frozenset[str]:
    """``sample`` with each named slot replaced by every phrase given for it (cached across locales)."""
    template = _fill_template(sample, fillers)
    if template is not None:
        text, order = template
        if order is None:
            return frozenset(text.format(*choice).strip() for choice in itertools.product(
                *(phrases for _, phrases in fillers)))
        return frozenset(text.format(*(choice[i] for i in order)).strip() for choice in itertools.product(
            *(phrases for _, phrases in fillers)))
    forms = set()
    for choice in itertools.product(*(phrases for _, phrases in fillers)):
        text = sample
        for (name, _), phrase in zip(fillers, choice):
            text = text.replace("{" + name + "}", phrase, 1)
        forms.add(normalize(text))
    return frozenset(forms)


def _fill_template(
    sample: str, fillers: tuple[tuple[str, tuple[str, ...]], ...],
) -> Optional[tuple[str, Optional[list[int]]]]:
    """``sample`` as a str.format template whose filled forms are already normalised, or None.

    Filling slot by slot and normalising each form (above) costs most of the rules' time on a
    wide model. With phrases that are normalised, non-empty and brace-free (as the type rules
    require), normalising the sample's literal parts once gives the same forms: whitespace runs
    never cross a phrase. Returns the template and, when the slots are not filled left to right,
    the order to pass the choices in.
    """
    references = len(SLOT_REFERENCE.findall(sample))
    if sample.count("{") != references or sample.count("}") != references:
        return None  # a stray brace: filling one slot could make another reference
    if not all(_plain_phrases(phrases) for _, phrases in fillers):
        return None
    spans = []  # (position, index in fillers): slot by slot, each takes the first place still unfilled
    searched_from: dict[str, int] = {}
    for index, (name, _) in enumerate(fillers):
        reference = "{" + name + "}"
        at = sample.find(reference, searched_from.get(name, 0))
        if at < 0:
            return None
        searched_from[name] = at + len(reference)
        spans.append((at, at + len(reference), index))
    spans.sort()
    parts, order, end = [], [], 0
    for start, stop, index in spans:
        parts.append(_collapsed(sample[end:start].lower()).replace("{", "{{").replace("}", "}}"))
        order.append(index)
        end = stop
    parts.append(_collapsed(sample[end:].lower()).replace("{", "{{").replace("}", "}}"))
    return "{}".join(parts), (None if order == sorted(order) else order)


@functools.lru_cache(maxsize=256)
def _plain_phrases(phrases: tuple[str, ...]) -> bool:
    """Every phrase normalised, non-empty and without braces (a slot type's values, checked once)."""
    return all(phrase and "{" not in phrase and "}" not in phrase and phrase == normalize(phrase)
               for phrase in phrases)


def _collapsed(text: str) -> str:
    """Each run of whitespace as one space, keeping whether ``text`` starts or ends with one."""
    words = " ".join(text.split())
    if not words:
        return " " if text else ""
    return (" " if text[0].isspace() else "") + words + (" " if text[-1].isspace() else "")


class _Model:
    """One interaction model, indexed for the rules."""

    def __init__(self, model: Mapping[str, Any]) -> None:
        self.raw = model
        self.language = model["interactionModel"]["languageModel"]
        self.intent_list = list(self.language.get("intents", []))
        self.intents = {intent["name"]: intent for intent in self.intent_list}
        self.types = {kind["name"]: kind for kind in self.language.get("types", [])}
        self.samples = [(intent["name"], sample) for intent in self.intent_list
                        for sample in intent.get("samples", [])]
        self.origins: Mapping[str, Mapping[str, str]] = {}
        self._phrases: dict[str, tuple[str, ...]] = {}
        self._slot_types: dict[str, dict[str, str]] = {}

    def claim(self, intent_name: str, sample: str) -> str:
        """``Intent (from 'pattern')``: who says a sample, and which hand-written pattern made it."""
        return f"{intent_name}{_from(self.origins.get(intent_name, {}).get(sample), sample)}"

    def slot_types(self, intent_name: str) -> dict[str, str]:
        if intent_name not in self._slot_types:
            self._slot_types[intent_name] = {slot["name"]: slot["type"]
                                             for slot in self.intents[intent_name].get("slots", [])}
        return self._slot_types[intent_name]

    @functools.cached_property
    def spans(self) -> list[tuple[str, int, int]]:
        """Each intent's samples as a slice of ``samples``: (intent name, start, stop)."""
        spans, start = [], 0
        for intent in self.intent_list:
            stop = start + len(intent.get("samples", []))
            spans.append((intent["name"], start, stop))
            start = stop
        return spans

    @functools.cached_property
    def verdicts(self) -> list[_Verdict]:
        """The per-sample rules' verdict on each of ``samples``, in the same order."""
        declared = {name: frozenset(self.slot_types(name)) for name in self.intents}
        verdicts: list[_Verdict] = []
        for intent in self.intent_list:
            name = intent["name"]
            verdicts.extend(_intent_verdicts(name, tuple(intent.get("samples", [])), declared[name]))
        return verdicts

    @functools.cached_property
    def texts(self) -> dict[str, str]:
        """Each sample as Amazon compares it (normalised)."""
        return {sample: verdict.text for (_, sample), verdict in zip(self.samples, self.verdicts)}

    @functools.cached_property
    def forms(self) -> list[frozenset[str]]:
        """What each of ``samples`` says, each custom slot filled by every value it accepts."""
        return [self._fill(name, sample, verdict) if verdict.referenced else verdict.alone
                for (name, sample), verdict in zip(self.samples, self.verdicts)]

    def phrases_for_type(self, type_name: str) -> tuple[str, ...]:
        if type_name not in self._phrases:
            phrases = []
            for value in self.types[type_name]["values"]:
                phrases.append(value["name"]["value"])
                phrases.extend(value["name"].get("synonyms", []))
            self._phrases[type_name] = tuple(normalize(phrase) for phrase in phrases)
        return self._phrases[type_name]

    def _fill(self, intent_name: str, sample: str, verdict: _Verdict) -> frozenset[str]:
        slot_types = self.slot_types(intent_name)
        names = [n for n in verdict.referenced if slot_types.get(n) in self.types]
        if not names:
            return verdict.alone
        return _filled(sample, tuple((n, self.phrases_for_type(slot_types[n])) for n in names))


def model_problems(
    model: Mapping[str, Any],
    local_built_ins: Mapping[str, Iterable[str]],
    *,
    name: str = "interaction model",
    invocation_name: Optional[str] = None,
    answered: Optional[Collection[str]] = None,
    origins: Optional[Mapping[str, Mapping[str, str]]] = None,
) -> list[str]:
    """Every broken rule of ``model`` (and the local built-in phrases beside it), one line each.

    ``answered``: the intents the skill's topics and controls answer (the shipped content's when not given).
    With ``origins`` (intent → sample → pattern, from skill.tools.models) a clash names the patterns too.
    """
    try:
        indexed = _Model(model)
    except (KeyError, TypeError) as error:
        return [f"{name}: not an ASK interaction model (missing {error})"]
    indexed.origins = origins or {}
    problems: list[str] = []
    expected = invocation_name or source_invocation_name()
    intents = frozenset(answered_intents() if answered is None else answered)
    problems.extend(_intents(indexed, intents))
    for rule in (_shape, _utterances, _slots, _types, _invocation, _fallback_sensitivity):
        problems.extend(rule(indexed, expected))
    problems.extend(_local_built_ins(indexed, {k: list(v) for k, v in local_built_ins.items()}))
    problems.extend(_smapi_round_trip(model))
    return [f"{name}: {problem}" for problem in problems]


def _shape(model: _Model, invocation_name: str) -> Iterable[str]:
    names = [intent["name"] for intent in model.intent_list]
    for duplicate in sorted({n for n in names if names.count(n) > 1}):
        yield f"intents.{duplicate}: declared more than once"
    if len(names) > MAX_INTENTS:
        yield f"intents: {len(names)} intents; Amazon allows at most {MAX_INTENTS}"
    for bad in sorted(n for n in names if not INTENT_NAME.fullmatch(n)):
        yield f"intents.{bad}: an intent name is letters and underscores only"
    for intent in model.intent_list:
        count = len(intent.get("samples", []))
        if count > MAX_SAMPLES_PER_INTENT:
            yield (f"intents.{intent['name']}.samples: {count} samples; the skill's budget is "
                   f"{MAX_SAMPLES_PER_INTENT} (narrow the widest patterns)")
        if intent.get("samples", []) != sorted(set(intent.get("samples", []))):
            yield f"intents.{intent['name']}.samples: not sorted and deduplicated; regenerate the model"
    if len(model.samples) > MAX_SAMPLES_PER_MODEL:
        yield f"samples: {len(model.samples)} in all; the skill's budget is {MAX_SAMPLES_PER_MODEL}"
    total_values = 0
    for type_name, kind in model.types.items():
        phrases = [p for value in kind["values"]
                   for p in [value["name"]["value"], *value["name"].get("synonyms", [])]]
        total_values += len(phrases)
        for long in sorted(p for p in phrases if len(p) > MAX_SLOT_VALUE_CHARS):
            yield f"types.{type_name}: {long!r} is over {MAX_SLOT_VALUE_CHARS} characters"
    if total_values > MAX_CUSTOM_SLOT_VALUES:
        yield f"types: {total_values} values and synonyms in all; Amazon allows {MAX_CUSTOM_SLOT_VALUES}"


def _intents(model: _Model, answered: frozenset[str]) -> Iterable[str]:
    for intent in REQUIRED_BUILT_INS:
        if intent not in model.intents:
            yield f"intents: {intent} is required by Amazon but missing"
    for intent in sorted(i for i in answered if i.startswith("AMAZON.") and i not in REQUIRED_BUILT_INS):
        if intent not in model.intents:
            yield f"intents: {intent} is handled by the skill but missing"
    for intent in sorted(set(model.intents) - answered - set(REQUIRED_BUILT_INS)):
        yield (f"intents.{intent}: no handler answers it: give it a topic (content/topics.yaml) "
               "or a control (content/controls.yaml)")
    for intent in sorted(i for i in answered if not i.startswith("AMAZON.")):
        if intent not in model.intents:
            yield f"intents: custom intent {intent} is missing"
            continue
        count = len(model.intents[intent].get("samples", []))
        if count < MIN_SAMPLES_PER_CUSTOM_INTENT:
            yield f"intents.{intent}.samples: {count} samples; needs at least {MIN_SAMPLES_PER_CUSTOM_INTENT}"


def _utterances(model: _Model, invocation_name: str) -> Iterable[str]:
    for (intent_name, sample), verdict in zip(model.samples, model.verdicts):
        yield from verdict.problems
        if invocation_name in verdict.text:
            yield f"intents.{intent_name}.samples: {sample!r} contains the invocation name"
    for intent_name, intent in model.intents.items():
        counts = Counter(map(model.texts.__getitem__, intent.get("samples", [])))
        for repeated in sorted(s for s, n in counts.items() if n > 1):
            yield f"intents.{intent_name}.samples: {repeated!r} is listed more than once"
    written = _clashes(model, [verdict.alone for verdict in model.verdicts])
    for sample, claims in sorted(written.items()):
        who = " and ".join(model.claim(n, s) for n, s in sorted(claims.items()))
        yield f"samples: {sample!r} is claimed by {who}"
    empty: frozenset[str] = frozenset()
    spoken = _clashes(model, [forms if verdict.fillable else empty
                              for forms, verdict in zip(model.forms, model.verdicts)])
    for form, claims in sorted(spoken.items()):
        if form not in written:  # written clashes are reported above
            who = " and ".join(f"{model.claim(n, s)} as {s!r}" for n, s in sorted(claims.items()))
            yield f"samples: once its slots are filled, {form!r} is claimed by {who}"


def _clashes(model: _Model, said: list[frozenset[str]]) -> dict[str, dict[str, str]]:
    """Each phrase two or more intents say → {intent: its first sample that says it}.

    ``said[i]`` is what ``model.samples[i]`` says. Sets find the shared phrases; only the samples
    that say one are looked at one by one.
    """
    by_intent: dict[str, set[str]] = {}
    for intent_name, start, stop in model.spans:
        by_intent.setdefault(intent_name, set()).update(*said[start:stop])
    seen: set[str] = set()
    shared: set[str] = set()
    for phrases in by_intent.values():
        shared |= phrases & seen
        seen |= phrases
    clashes: dict[str, dict[str, str]] = {}
    if shared:
        for (intent_name, sample), phrases in zip(model.samples, said):
            if not shared.isdisjoint(phrases):
                for phrase in shared.intersection(phrases):
                    clashes.setdefault(phrase, {}).setdefault(intent_name, sample)
    return clashes


def _slots(model: _Model, invocation_name: str) -> Iterable[str]:
    for intent_name, intent in model.intents.items():
        slots = intent.get("slots", [])
        names = [slot["name"] for slot in slots]
        if len(names) != len(set(names)):
            yield f"intents.{intent_name}.slots: a slot is declared twice: {names}"
        for slot in slots:
            if not (slot["type"].startswith("AMAZON.") or slot["type"] in model.types):
                yield (f"intents.{intent_name}.slots.{slot['name']}: type {slot['type']!r} "
                       "is not declared under 'types'")
        used = {n for s in intent.get("samples", []) for n in SLOT_REFERENCE.findall(s)}
        for unused in sorted(set(names) - used):
            yield f"intents.{intent_name}.slots.{unused}: no sample uses it"
    used_types = {slot["type"] for intent in model.intent_list for slot in intent.get("slots", [])}
    for unused in sorted(set(model.types) - used_types):
        yield f"types.{unused}: no intent uses it"


def _types(model: _Model, invocation_name: str) -> Iterable[str]:
    for type_name, kind in model.types.items():
        ids = Counter(value["id"] for value in kind["values"])
        for repeated in sorted(i for i, count in ids.items() if count > 1):
            yield f"types.{type_name}: id {repeated!r} is used twice"
        seen: dict[str, str] = {}
        for value in kind["values"]:
            for phrase in [value["name"]["value"], *value["name"].get("synonyms", [])]:
                if not UTTERANCE_SHAPE.match(phrase) or "{" in phrase:
                    yield f"types.{type_name}.{value['id']}: {phrase!r} must be lowercase words"
                key = normalize(phrase)
                if key in seen:
                    yield f"types.{type_name}: {phrase!r} is under both {seen[key]!r} and {value['id']!r}"
                seen.setdefault(key, value["id"])


FALLBACK_SENSITIVITY = "LOW"
"""The skill's choice for modelConfiguration.fallbackIntentSensitivity (see the README)."""


def _fallback_sensitivity(model: _Model, invocation_name: str) -> Iterable[str]:
    level = ((model.language.get("modelConfiguration") or {}).get("fallbackIntentSensitivity") or {}).get("level")
    if level != FALLBACK_SENSITIVITY:
        yield (f"modelConfiguration.fallbackIntentSensitivity.level: {level!r}; the skill chose "
               f"{FALLBACK_SENSITIVITY!r} so a symptom is not swallowed by the fallback")


def _invocation(model: _Model, invocation_name: str) -> Iterable[str]:
    name = model.language.get("invocationName", "")
    if name != invocation_name:
        yield f"invocationName: {name!r}; every locale's is {invocation_name!r}"
    if not INVOCATION_SHAPE.fullmatch(name):
        yield f"invocationName: {name!r} must be two or more words of lowercase letters"
    banned = [w for w in name.split() if w in FORBIDDEN_IN_INVOCATION + LAUNCH_WORDS_IN_INVOCATION]
    if banned:
        yield f"invocationName: contains words Alexa reserves: {banned}"


def _local_built_ins(model: _Model, local: dict[str, list[str]]) -> Iterable[str]:
    expected = {name for name in model.intents if name.startswith("AMAZON.")} - {FALLBACK_INTENT}
    where = "local-builtins.json"
    if FALLBACK_INTENT in local:
        yield f"{where}: {FALLBACK_INTENT} has no phrases of its own; it catches what nothing else matches"
    for missing in sorted(expected - set(local)):
        yield f"{where}: {missing} has no phrases"
    for extra in sorted(set(local) - expected - {FALLBACK_INTENT}):
        yield f"{where}: {extra} is not a built-in intent of the model"
    fewest, most = LOCAL_BUILT_IN_PHRASES
    owner: dict[str, str] = {}
    for intent_name, phrases in local.items():
        if not fewest <= len(phrases) <= most:
            yield f"{where}: {intent_name} has {len(phrases)} phrases; keep {fewest} to {most}"
        if len(phrases) != len(set(phrases)):
            yield f"{where}: {intent_name} repeats a phrase"
        for phrase in phrases:
            if not UTTERANCE_SHAPE.match(phrase) or "{" in phrase:
                yield f"{where}: {intent_name}: {phrase!r} must be lowercase words without slots"
            key = normalize(phrase)
            if key in owner and owner[key] != intent_name:
                yield f"{where}: {phrase!r} belongs to both {owner[key]} and {intent_name}"
            owner.setdefault(key, intent_name)
    owned = frozenset(owner)  # a set, so isdisjoint walks the sample's few forms, not every phrase
    for (intent_name, sample), verdict, forms in zip(model.samples, model.verdicts, model.forms):
        if not verdict.fillable or forms.isdisjoint(owned):
            continue
        for form in forms:
            if form in owner:
                yield (f"intents.{intent_name}.samples: {sample!r} says {form!r}, "
                       f"which belongs to {owner[form]} (claimed by {model.claim(intent_name, sample)})")


def _smapi_round_trip(model: Mapping[str, Any]) -> Iterable[str]:
    """Keys Amazon's own model types do not know (a misspelt key), when ask-smapi-model is installed."""
    if importlib.util.find_spec("ask_smapi_model") is None:
        return []  # an optional (test) dependency; every other rule still applies
    from ask_sdk_core.serialize import DefaultSerializer

    serializer = DefaultSerializer()
    kind = "ask_smapi_model.v1.skill.interaction_model.interaction_model_data.InteractionModelData"
    shape = _with_one_sample_each(model)
    try:
        data = serializer.deserialize(json.dumps(shape), kind)
    except Exception as error:  # noqa: BLE001 - any failure here means "not the ASK shape"
        return [f"does not parse as an ASK interaction model: {error}"]
    return [f"{path}: not in the ASK schema (check the spelling)"
            for path in keys_lost(shape, serializer.serialize(data))]


def _with_one_sample_each(model: Mapping[str, Any]) -> Mapping[str, Any]:
    """``model`` with each intent's list of sample strings cut to its first: the round trip is about keys.

    A list of strings goes through SMAPI's ``list[str]`` unchanged whatever its length, so one
    string stands for thousands; any other kind of sample list is kept whole.
    """
    try:
        language = model["interactionModel"]["languageModel"]
        intents = language["intents"]
    except (KeyError, TypeError):
        return model
    if not isinstance(intents, list):
        return model
    cut = []
    for intent in intents:
        samples = intent.get("samples") if isinstance(intent, dict) else None
        if isinstance(samples, list) and len(samples) > 1 and all(isinstance(s, str) for s in samples):
            intent = {**intent, "samples": samples[:1]}
        cut.append(intent)
    return {**model, "interactionModel": {**model["interactionModel"], "languageModel": {**language, "intents": cut}}}


def keys_lost(original: Any, round_tripped: Any, path: str = "$") -> list[str]:
    """Paths of keys (or values) in ``original`` that did not survive a round trip through SMAPI types."""
    if isinstance(original, dict):
        if not isinstance(round_tripped, dict):
            return [path]
        lost = []
        for key, value in original.items():
            if key not in round_tripped:
                lost.append(f"{path}.{key}")
            else:
                lost.extend(keys_lost(value, round_tripped[key], f"{path}.{key}"))
        return lost
    if isinstance(original, list):
        if not isinstance(round_tripped, list) or len(original) != len(round_tripped):
            return [path]
        lost = []
        for index, (a, b) in enumerate(zip(original, round_tripped)):
            label = a["name"] if isinstance(a, dict) and isinstance(a.get("name"), str) else index
            lost.extend(keys_lost(a, b, f"{path}[{label}]"))
        return lost
    return [] if original == round_tripped else [f"{path} ({original!r} became {round_tripped!r})"]


def pattern_problems(
    origins: Mapping[str, Mapping[str, str]],
    hand_written: Mapping[str, Iterable[str]],
    deliberate: Mapping[str, str],
    *,
    name: str = "interaction model source",
) -> list[str]:
    """Rules only the source can check: hand-written variety, and openings that sound like a built-in.

    ``origins`` maps intent → generated sample → the pattern that produced it; ``deliberate``
    maps an opening such as "stop my" to the custom intent that claims it on purpose.
    """
    problems: list[str] = []
    for intent in sorted(i for i in origins if not i.startswith("AMAZON.")):
        count = len(set(hand_written.get(intent, ())))
        if count < MIN_HAND_WRITTEN_PER_CUSTOM_INTENT:
            problems.append(f"intents.{intent}.samples: {count} hand-written patterns or samples; "
                            f"needs at least {MIN_HAND_WRITTEN_PER_CUSTOM_INTENT}")
    for intent, samples in sorted(origins.items()):
        claimed = tuple(normalize(prefix) + " " for prefix, owner in deliberate.items() if owner == intent)
        opened = [(sample, match.group(1)) for sample in samples if (match := _BUILT_IN_OPENING.match(sample))]
        for sample, opening in sorted(opened):
            if not (sample + " ").startswith(claimed):
                pattern = samples[sample]
                problems.append(f"intents.{intent}.samples: {sample!r}{_from(pattern, sample)} starts like "
                                f"{BUILT_IN_OPENINGS[opening]} ({opening!r}); list its opening under "
                                f"deliberate: with {intent} if she means {intent}")
    for prefix, owner in sorted(deliberate.items()):
        if owner not in origins:
            problems.append(f"deliberate: {prefix!r} names {owner}, which is not a custom intent of the model")
    return [f"{name}: {problem}" for problem in problems]


_BUILT_IN_OPENING = re.compile(
    "({}) ".format("|".join(re.escape(o) for o in sorted(BUILT_IN_OPENINGS, key=len, reverse=True))))
"""The longest of BUILT_IN_OPENINGS a sample starts with, followed by more words."""


def _from(pattern: Optional[str], sample: str) -> str:
    return f" (from {pattern!r})" if pattern and pattern != sample else ""


class SpokenSamples:
    """``phrase in SpokenSamples(model)``: whether the model's samples say ``phrase``, slots filled.

    For a few phrases (a listing's examples): the samples without slots answer most of them, and
    every slot is filled (``spoken_samples``) only when they do not.
    """

    def __init__(self, model: Mapping[str, Any]) -> None:
        self._model = _Model(model)
        self._plain = {verdict.text for verdict in self._model.verdicts if not verdict.referenced}
        self._every: Optional[set[str]] = None

    def __contains__(self, phrase: object) -> bool:
        if phrase in self._plain:
            return True
        if self._every is None:
            self._every = set().union(*self._model.forms)
        return phrase in self._every


def spoken_samples(model: Mapping[str, Any]) -> set[str]:
    """Every phrase the model's samples say, with custom slots filled (for matching example phrases)."""
    return set().union(*_Model(model).forms)


def spoken_samples_by_intent(model: Mapping[str, Any]) -> dict[str, set[str]]:
    """Each intent's samples as spoken, custom slots filled with every value (for held-out checks)."""
    indexed = _Model(model)
    spoken: dict[str, set[str]] = defaultdict(set)
    for (intent_name, _), forms in zip(indexed.samples, indexed.forms):
        spoken[intent_name] |= forms
    return dict(spoken)
