"""Load and validate ``content/*.yaml`` once, into small frozen dataclasses.

Every word Alexa says comes from these files. Loading checks each item's article source,
word budget and doctor line, and fails with the file, key and problem, so a content editor
who breaks a rule finds out at start-up, never from a listener.
"""

from __future__ import annotations

import string
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping, Optional

from skill.runtime import speech, yaml_files
from skill.runtime.resources import content_dir

ARTICLE_SECTIONS = ("intro", "first", "second", "third", "precautions")
SOURCES = ARTICLE_SECTIONS + ("safety",)

ANSWER_WORD_BUDGET = 40
"""An answer as heard: urgent line, text, caution, doctor line and offer."""
ANSWER_SECONDS_BUDGET = 15
"""The same, in seconds at a calm pace (speech.WORDS_PER_MINUTE): nothing outside the stretch steps is longer."""
BRIEF_ANSWER_WORD_BUDGET = 25
"""A brief answer (a cramp right now), with its short doctor line and offer."""
BRIEF_ACTION_WITHIN_WORDS = 8
"""A brief answer says what to do within its first this many words."""
STEP_WORD_BUDGET = 30
"""A walkthrough step, with its heading and hold count."""
OFFER_WORD_BUDGET = 10
"""The one short question that ends an answer."""

HOLD_COUNT_INTERVAL_SECONDS = 2
"""One number of the hold count every two seconds."""

REQUIRED_OFFERS = (
    "walkthrough",
    "walkthrough_again",
    "more",
    "anything_else",
    "repeat",
    "back_relief",
    "resume_walkthrough",
    "restart_walkthrough",
    "back_to_stretch",
    "forget",
)
"""Offers the skill itself makes by name (the stretch, launch, urgency); topics may make any other."""
MIN_OFFER_WORDINGS = 2
"""An offer is heard often: at least this many wordings, so it does not sound robotic."""
VARIED_PROMPTS = ("welcome", "suggestions", "goodbye", "reprompt", "fallback")
"""Prompts heard often enough to need at least two wordings."""

ACTIONS = {
    "answer": "a topic",
    "start": "a line of walkthrough.yaml (said first)",
    "resume": None,
    "more": None,
    "repeat": None,
    "listen": "a line of prompts.yaml (said before listening)",
    "close": None,
    "forget": None,
    "change_reminder": None,
    "cancel_reminder": None,
}
"""What Yes or No can do after an offer (the skill's closed set; see content/prompts.yaml), with
the argument each takes: answer a topic, start the stretch, resume it, the topic's next answer,
say the last thing again, keep listening, end kindly, forget her record, move her bedtime reminder
to the time she just asked for, cancel it."""

CONTROLS = (
    "yes", "no", "next", "previous", "repeat", "start_over", "pause", "resume", "stop", "home",
    "help", "fallback", "start_stretch", "tell_me_more", "forget_me", "feeling_better",
    "set_reminder", "change_reminder", "reminder_when", "cancel_reminder",
)
"""The conversation's controls (content/controls.yaml maps each to its intents)."""
TOPIC_TURNS = {"mid_stretch": ("ease_off",), "after_urgency": ("repeat_urgent_line",)}
"""What a topic's intent may do instead of answering: mid-stretch, or once urgency sticks."""

REQUIRED_PROMPTS = (
    "welcome",
    "disclaimer",
    "suggestions",
    "reprompt",
    "help",
    "fallback",
    "not_caught",
    "what_would_you_like",
    "goodbye",
    "feeling_better",
    "what_else",
    "yes_without_offer",
    "no_more",
    "more_of_what",
    "nothing_to_repeat",
    "error",
    "welcome_back",
    "welcome_back_stretch",
    "welcome_back_old_stretch",
    "no_problem",
    "what_i_remember",
    "forgotten",
    "forget_failed",
)
PLACEHOLDERS = {"welcome_back_stretch": {"number"}, "step_heading": {"number", "total"}, "help": {"number", "total"}}
"""Lines that name numbers the skill fills in; no other line may use braces."""
REQUIRED_SAFETY = ("doctor_line", "short_doctor_line", "urgent_line", "safety_net", "emergency_line", "emergency_short", "urgent_short")
SAFETY_NET_WORD_BUDGET = 15
"""The safety line under every answer that did not understand her: short enough to hear whole."""
TIERS = {1: "emergency first", 2: "contact now", 3: "a severe cramp"}
"""The escalation tiers of safety.yaml: 1 and 2 make urgency stick for the rest of the session."""
STICKY_TIERS = (1, 2)
REQUIRED_WALKTHROUGH = (
    "intro",
    "step_heading",
    "hold_start",
    "hold_end",
    "next_cue",
    "recap",
    "recap_doctor_line",
    "paused",
    "resuming",
    "starting_over",
    "first_step_already",
    "stopped",
    "ease_off",
    "help",
    "not_started",
    "too_old",
    "not_for_back",
    "legs_only",
)
NEVER_SAID = frozenset({
    "ibuprofen", "paracetamol", "acetaminophen", "aspirin", "tylenol", "advil", "magnesium", "quinine",
    "mg", "milligrams", "tablet", "tablets", "dose", "dosage",
})
"""No drug names or doses, anywhere: medicines are for her doctor or midwife to advise on."""
ANY_TOPIC = "any"
"""``fits: any`` on a doctor line (safety.yaml): worded to suit every topic."""
MID_STRETCH_OFFER = "back_to_stretch"
"""The offer that ends an answer to a question asked mid-stretch."""
CONTROLS_FILE = "controls.yaml"
WALKTHROUGH_FILE = "walkthrough.yaml"
FALLBACK_TOPIC = "other_pain"
"""Where a body part the skill does not cover is answered."""


class ContentError(ValueError):
    """A content file breaks a rule; the message names file, key and problem."""


@dataclass(frozen=True)
class Line:
    """Something Alexa says, in one or more interchangeable wordings."""

    key: str
    source: str
    variants: tuple[str, ...]

    def longest_words(self) -> int:
        return max(speech.word_count(v) for v in self.variants)


@dataclass(frozen=True)
class Answer:
    """One piece of a topic, spoken as: [urgent line] text [caution] [doctor line] offer."""

    line: Line
    caution: Optional[Line]
    doctor_line: Optional[Line]
    offer: str
    short_doctor_line: Optional[Line] = None
    """Said instead of the doctor line once she has heard this topic's doctor line this session."""
    brief: bool = False


@dataclass(frozen=True)
class Topic:
    name: str
    intent: Optional[str]
    title: str
    symptom: bool
    urgent: bool
    calm: bool
    answers: tuple[Answer, ...]
    body_parts: Mapping[str, str] = field(default_factory=dict)
    lead: Optional[Line] = None
    """Spoken first, before the answer: the urgent line, or an escalation tier's first line."""
    tier: int = 0
    """Escalation tier (1 emergency first, 2 contact now, 3 a severe cramp); 0 for advice."""
    short: Optional[Line] = None
    """Tiers 1 and 2: the short urgent line repeated for the rest of the session."""
    triggers: tuple[str, ...] = ()
    """What an escalation tier is for, for the clinician's review."""
    mid_stretch: Optional[str] = None
    """What its intent does mid-stretch instead of answering (TOPIC_TURNS), if anything."""
    after_urgency: Optional[str] = None
    """What its intent does once urgency sticks instead of answering (TOPIC_TURNS), if anything."""


@dataclass(frozen=True)
class Action:
    """What Yes or No does after an offer: one of ACTIONS, with its argument."""

    kind: str
    target: tuple[str, ...] = ()
    calm: bool = False
    """For ``start``: in the quieter bedtime voice."""


@dataclass(frozen=True)
class OfferActions:
    yes: Action
    no: Action


@dataclass(frozen=True)
class Step:
    line: Line
    hold_seconds: int
    pause_seconds: int


@dataclass(frozen=True)
class Redirect:
    """Asked for the stretch for a body part it is not for: this line instead, then this offer."""

    say: str
    offer: str


@dataclass(frozen=True)
class Walkthrough:
    steps: tuple[Step, ...]
    lines: Mapping[str, Line]
    not_for: Mapping[str, Redirect] = field(default_factory=dict)

    def line(self, name: str) -> Line:
        return self.lines[name]


@dataclass(frozen=True)
class Content:
    """Everything the skill can say, validated."""

    topics: Mapping[str, Topic]
    prompts: Mapping[str, Line]
    offers: Mapping[str, Line]
    safety: Mapping[str, Line]
    walkthrough: Walkthrough
    doctor_phrase: str
    offer_actions: Mapping[str, OfferActions] = field(default_factory=dict)
    """What Yes and No do after each offer."""
    controls: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """Each control (CONTROLS) and the intents that ask for it."""

    def intents(self) -> set[str]:
        """Every intent the skill answers: the topics' and the controls'."""
        named = {t.intent for t in self.topics.values() if t.intent}
        return named | {intent for intents in self.controls.values() for intent in intents}

    def tiers(self) -> list[Topic]:
        """The escalation tiers, tier 1 first."""
        return sorted((t for t in self.topics.values() if t.tier), key=lambda t: t.tier)

    def topic_for_intent(self, intent_name: str) -> Optional[Topic]:
        return next((t for t in self.topics.values() if t.intent == intent_name), None)

    def all_lines(self) -> list[Line]:
        """Every content item, for reviews and tests."""
        lines: list[Line] = []
        for topic in self.topics.values():
            lines.extend(a.line for a in topic.answers)
        lines.extend(self.prompts.values())
        lines.extend(self.offers.values())
        lines.extend(self.safety.values())
        lines.extend(s.line for s in self.walkthrough.steps)
        lines.extend(self.walkthrough.lines.values())
        return lines


def read_yaml_mapping(path: Path, name: str, error: type[ValueError] = ContentError) -> dict[str, Any]:
    """A YAML file whose top level is a mapping; ``error`` names ``name`` and the problem."""
    return yaml_files.read_yaml_mapping(path, name, error)


class _Reader:
    """Reads one YAML file and reports problems with its name and the key path."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.name = f"content/{path.name}"
        self.data = read_yaml_mapping(path, self.name)

    def fail(self, key: str, problem: str) -> ContentError:
        return ContentError(f"{self.name}: {key}: {problem}")

    def mapping(self, node: Any, key: str) -> dict[str, Any]:
        if not isinstance(node, dict):
            raise self.fail(key, "must be a mapping of keys")
        return node

    def section(self, key: str) -> dict[str, Any]:
        if key not in self.data:
            raise self.fail(key, "is missing")
        return self.mapping(self.data[key], key)

    def line(self, node: Any, key: str, text_key: str = "variants", placeholders: Optional[set[str]] = None) -> Line:
        """``placeholders``: the {names} its wordings may use (PLACEHOLDERS' entry for its key by default)."""
        node = self.mapping(node, key)
        source = node.get("source")
        if source not in SOURCES:
            raise self.fail(key, f"source {source!r} is not one of {', '.join(SOURCES)}")
        if text_key == "text":
            raw = node.get("text")
            variants = [raw] if raw is not None else None
        else:
            variants = node.get("variants")
        if not isinstance(variants, list) or not variants:
            raise self.fail(key, f"needs {'text' if text_key == 'text' else 'a list of variants'}")
        cleaned = []
        for index, variant in enumerate(variants):
            where = key if text_key == "text" else f"{key}.variants[{index}]"
            if not isinstance(variant, str) or not variant.strip():
                raise self.fail(where, "must be non-empty text")
            if "<" in variant or ">" in variant:
                raise self.fail(where, "must be plain text (the skill adds the SSML)")
            named = sorted({w.strip(".,?!;:").lower() for w in variant.split()} & NEVER_SAID)
            if named:
                raise self.fail(where, f"names a medicine or dose ({', '.join(named)}): only her doctor or "
                                       "midwife advises on medicines")
            allowed = PLACEHOLDERS.get(key.rsplit(".", 1)[-1], set()) if placeholders is None else placeholders
            try:
                used = _placeholders(variant)
            except ValueError:
                used = {"?"}
            if used - allowed:
                named = ", ".join("{" + name + "}" for name in sorted(allowed)) or "no {placeholders}"
                raise self.fail(where, f"may only use {named}")
            cleaned.append(" ".join(variant.split()))
        if len(set(cleaned)) != len(cleaned):
            raise self.fail(key, "has the same variant twice")
        return Line(key=f"{self.name}: {key}", source=source, variants=tuple(cleaned))

    def lines(self, node: Any, key: str, required: tuple[str, ...]) -> dict[str, Line]:
        node = self.mapping(node, key)
        for name in required:
            if name not in node:
                raise self.fail(f"{key}.{name}", "is missing")
        return {name: self.line(value, f"{key}.{name}") for name, value in node.items()}

    def budget(self, key: str, words: int, budget: int) -> None:
        if words > budget:
            raise self.fail(key, f"{words} words, budget is {budget}")


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def _check_doctor_phrase(reader: _Reader, line: Line, phrase: str) -> None:
    for index, variant in enumerate(line.variants):
        if phrase not in variant.lower():
            raise reader.fail(
                line.key.split(": ", 1)[1] + f".variants[{index}]",
                f"a doctor line must say {phrase!r}",
            )


def _load_safety(reader: _Reader) -> tuple[dict[str, Line], str, dict[str, tuple[str, ...]]]:
    """The safety lines, the doctor phrase, and which topics each doctor line was written for."""
    phrase = reader.data.get("doctor_phrase")
    if not isinstance(phrase, str) or not phrase.strip():
        raise reader.fail("doctor_phrase", "must be the words every doctor line contains")
    phrase = phrase.strip().lower()
    lines = reader.lines(reader.data.get("lines"), "lines", REQUIRED_SAFETY)
    fits: dict[str, tuple[str, ...]] = {}
    for name, line in lines.items():
        if line.source != "safety":
            raise reader.fail(f"lines.{name}", "safety lines must have source 'safety'")
        raw_fits = reader.data["lines"][name].get("fits")
        if raw_fits is not None:
            if raw_fits != ANY_TOPIC and (not isinstance(raw_fits, list) or not all(isinstance(t, str) for t in raw_fits)):
                raise reader.fail(f"lines.{name}.fits", f"must list the topics it is worded for, or say {ANY_TOPIC}")
            fits[name] = (ANY_TOPIC,) if raw_fits == ANY_TOPIC else tuple(raw_fits)
        if name in fits or name.endswith(("doctor_line", "_short")) or name in ("urgent_line", "safety_net"):
            _check_doctor_phrase(reader, line, phrase)
    reader.budget("lines.safety_net", lines["safety_net"].longest_words(), SAFETY_NET_WORD_BUDGET)
    return lines, phrase, fits


def _load_prompts(reader: _Reader) -> tuple[dict[str, Line], dict[str, Line], dict[str, OfferActions]]:
    prompts = reader.lines(reader.data.get("lines"), "lines", REQUIRED_PROMPTS)
    for name, line in prompts.items():
        reader.budget(f"lines.{name}", line.longest_words(), ANSWER_WORD_BUDGET)
    for name in VARIED_PROMPTS:
        if len(prompts[name].variants) < 2:
            raise reader.fail(f"lines.{name}", "is heard often: give it at least 2 wordings")
    raw_offers = reader.mapping(reader.data.get("offers"), "offers")
    offers = reader.lines({n: _without(v, *_ANSWER_KEYS) for n, v in raw_offers.items()}, "offers", REQUIRED_OFFERS)
    actions = {}
    for name, line in offers.items():
        reader.budget(f"offers.{name}", line.longest_words(), OFFER_WORD_BUDGET)
        if len(line.variants) < MIN_OFFER_WORDINGS:
            raise reader.fail(f"offers.{name}", f"an offer is heard often: give it at least {MIN_OFFER_WORDINGS} wordings")
        for index, variant in enumerate(line.variants):
            if not variant.endswith("?"):
                raise reader.fail(f"offers.{name}.variants[{index}]", "an offer is a question: end it with '?'")
        raw = raw_offers[name]
        actions[name] = OfferActions(*(_action(reader, f"offers.{name}.{answer}", _answer_to(raw, answer))
                                       for answer in ("yes", "no")))
    return prompts, offers, actions


_ANSWER_KEYS = ("yes", "no", True, False)
"""YAML 1.1 (PyYAML) reads a bare ``yes:`` or ``no:`` key as true or false; both spellings are accepted."""


def _answer_to(offer: dict[Any, Any], answer: str) -> Any:
    return offer.get(answer, offer.get(answer == "yes"))


def _without(node: Any, *keys: Any) -> Any:
    return {k: v for k, v in node.items() if k not in keys} if isinstance(node, dict) else node


def _action(reader: _Reader, key: str, raw: Any) -> Action:
    """``close``, or ``{answer: food}``, ``{start: intro, calm: true}``, ``{listen: [no_problem, ...]}``."""
    known = ", ".join(ACTIONS)
    if raw is None:
        raise reader.fail(key, f"is missing: say what it does, one of {known}")
    if isinstance(raw, str):
        raw = {raw: None}
    if not isinstance(raw, dict):
        raise reader.fail(key, f"must be one of {known}, or a mapping such as {{answer: food}}")
    calm = raw.get("calm", False)
    kinds = [k for k in raw if k != "calm"]
    if len(kinds) != 1 or kinds[0] not in ACTIONS:
        raise reader.fail(key, f"{', '.join(map(str, kinds)) or 'nothing'}: must be exactly one of {known}")
    kind = kinds[0]
    argument = raw[kind]
    wanted = ACTIONS[kind]
    targets = [argument] if isinstance(argument, str) else argument
    if wanted is None and argument is not None:
        raise reader.fail(f"{key}.{kind}", "takes nothing")
    if wanted is not None and (not isinstance(targets, list) or not targets or not all(isinstance(t, str) for t in targets)):
        raise reader.fail(f"{key}.{kind}", f"needs {wanted}")
    if not isinstance(calm, bool) or (calm and kind != "start"):
        raise reader.fail(f"{key}.calm", "only a start can be calm (true or false)")
    return Action(kind=kind, target=tuple(targets or ()), calm=calm)


def _load_topics(
    reader: _Reader, safety: Mapping[str, Line], offers: Mapping[str, Line], phrase: str,
    fits: Mapping[str, tuple[str, ...]], escalation: Optional[tuple[_Reader, dict[str, Any]]] = None,
) -> dict[str, Topic]:
    """The topics of topics.yaml, then the escalation tiers of safety.yaml (as topics with a tier)."""
    topics: dict[str, Topic] = {}
    intents: dict[str, str] = {}
    routes: list[tuple[str, str]] = []
    for name, raw in reader.section("topics").items():
        topics[name] = _topic(reader, name, reader.mapping(raw, name), safety, offers, phrase, intents, fits)
        routes.extend((f"{name}.body_parts.{part}", target) for part, target in topics[name].body_parts.items())
    if escalation is not None:
        tier_reader, raw_tiers = escalation
        for name, raw in raw_tiers.items():
            key = f"escalation.{name}"
            if name in topics:
                raise tier_reader.fail(key, f"topic {name!r} is already in topics.yaml")
            topics[name] = _topic(tier_reader, key, tier_reader.mapping(raw, key), safety, offers, phrase, intents, fits)
        found = sorted(t.tier for t in topics.values() if t.tier)
        if found != sorted(TIERS):
            raise tier_reader.fail("escalation", f"needs exactly one topic for each tier {sorted(TIERS)}, found {found}")
    for key, target in routes:
        if target not in topics:
            raise reader.fail(key, f"unknown topic {target!r}")
    if FALLBACK_TOPIC not in topics or not topics[FALLBACK_TOPIC].symptom:
        raise reader.fail(FALLBACK_TOPIC, "is needed (a symptom topic) for body parts the skill does not cover")
    return topics


def _topic(
    reader: _Reader, key_prefix: str, raw: dict[str, Any], safety: Mapping[str, Line],
    offers: Mapping[str, Line], phrase: str, intents: dict[str, str], fits: Mapping[str, tuple[str, ...]],
) -> Topic:
    name = key_prefix.rsplit(".", 1)[-1]
    intent = raw.get("intent")
    if intent is not None:
        if not isinstance(intent, str) or not intent.endswith("Intent"):
            raise reader.fail(f"{key_prefix}.intent", "must be an intent name of the interaction model")
        if intent in intents:
            raise reader.fail(f"{key_prefix}.intent", f"{intent} already answers topic {intents[intent]}")
        intents[intent] = name
    title = raw.get("title")
    if not isinstance(title, str) or not title.strip():
        raise reader.fail(f"{key_prefix}.title", "is missing")
    tier = 0
    lead: Optional[Line] = None
    short: Optional[Line] = None
    triggers: tuple[str, ...] = ()
    if key_prefix.startswith("escalation."):
        tier = raw.get("tier")
        if tier not in TIERS:
            raise reader.fail(f"{key_prefix}.tier", f"must be one of {sorted(TIERS)}")
        lead = _safety_line(reader, f"{key_prefix}.first", raw.get("first"), safety)
        if tier in STICKY_TIERS:
            short = _safety_line(reader, f"{key_prefix}.short", raw.get("short"), safety)
            _check_doctor_phrase(reader, short, phrase)
        elif raw.get("short") is not None:
            raise reader.fail(f"{key_prefix}.short", "only tiers 1 and 2 make urgency stick")
        raw_triggers = raw.get("triggers")
        if not isinstance(raw_triggers, list) or not raw_triggers or not all(isinstance(t, str) for t in raw_triggers):
            raise reader.fail(f"{key_prefix}.triggers", "needs a list of what this tier is for")
        triggers = tuple(raw_triggers)
        if tier == 1 and "emergency services" not in lead.variants[0].lower():
            raise reader.fail(f"{key_prefix}.first", "tier 1 must first tell her to call emergency services")
        if tier > 1:
            _check_doctor_phrase(reader, lead, phrase)
    elif raw.get("urgent"):
        lead = safety["urgent_line"]
    symptom = bool(raw.get("symptom", False)) or tier > 0
    doctor_key = _doctor_line_for(reader, key_prefix, name, raw.get("doctor_line"), symptom and lead is None, fits)
    last_offer = raw.get("last_offer", "anything_else")
    if last_offer not in offers:
        raise reader.fail(f"{key_prefix}.last_offer", f"unknown offer {last_offer!r}")
    raw_answers = raw.get("answers")
    if not isinstance(raw_answers, list) or not raw_answers:
        raise reader.fail(f"{key_prefix}.answers", "needs at least one answer")
    answers = []
    for index, raw_answer in enumerate(raw_answers):
        key = f"{key_prefix}.answers[{index}]"
        line = reader.line(raw_answer, key, text_key="text")
        caution_key = raw_answer.get("safety")
        if caution_key is not None and caution_key not in safety:
            raise reader.fail(f"{key}.safety", f"{caution_key!r} is not a line in safety.yaml")
        caution = safety[caution_key] if caution_key else None
        mentions_doctor = phrase in line.variants[0].lower()
        brief = bool(raw_answer.get("brief", False))
        needs_doctor = symptom and lead is None and not mentions_doctor
        short_doctor = safety["short_doctor_line"] if needs_doctor else None
        doctor_line = (short_doctor if brief else safety[doctor_key]) if needs_doctor else None
        default_offer = "more" if index + 1 < len(raw_answers) else last_offer
        offer = raw_answer.get("offer", default_offer)
        if offer not in offers:
            raise reader.fail(f"{key}.offer", f"unknown offer {offer!r}")
        # asked mid-stretch, an advice topic ends by offering to go back to the stretch instead
        ending = [offer] if tier else [offer, MID_STRETCH_OFFER]
        words = line.longest_words() + max(offers[name].longest_words() for name in ending)
        for extra in (caution, doctor_line, lead):
            words += extra.longest_words() if extra else 0
        reader.budget(key, words, BRIEF_ANSWER_WORD_BUDGET if brief else ANSWER_WORD_BUDGET)
        seconds = words * 60 / speech.WORDS_PER_MINUTE
        if seconds > ANSWER_SECONDS_BUDGET:
            raise reader.fail(key, f"about {seconds:.0f} s as heard, budget is {ANSWER_SECONDS_BUDGET} s")
        if brief and speech.word_count(line.variants[0].split(".")[0]) > BRIEF_ACTION_WITHIN_WORDS:
            raise reader.fail(key, f"a brief answer's first sentence, what to do, is at most {BRIEF_ACTION_WITHIN_WORDS} words")
        answers.append(Answer(line=line, caution=caution, doctor_line=doctor_line, offer=offer,
                              short_doctor_line=short_doctor, brief=brief))
    body_parts = reader.mapping(raw.get("body_parts", {}), f"{key_prefix}.body_parts")
    return Topic(
        name=name,
        intent=intent,
        title=title.strip(),
        symptom=symptom,
        urgent=short is not None or bool(raw.get("urgent", False)),
        calm=bool(raw.get("calm", False)),
        answers=tuple(answers),
        body_parts=dict(body_parts),
        lead=lead,
        tier=tier,
        short=short,
        triggers=triggers,
        **_turns(reader, key_prefix, raw),
    )


def _turns(reader: _Reader, key_prefix: str, raw: dict[str, Any]) -> dict[str, Optional[str]]:
    """A topic's ``mid_stretch`` and ``after_urgency``: what its intent does instead of answering."""
    turns = {}
    for key, allowed in TOPIC_TURNS.items():
        value = raw.get(key)
        if value is not None and value not in allowed:
            raise reader.fail(f"{key_prefix}.{key}", f"{value!r}: must be one of {', '.join(allowed)}")
        turns[key] = value
    return turns


def _doctor_line_for(
    reader: _Reader, key_prefix: str, topic: str, named: Any, needed: bool, fits: Mapping[str, tuple[str, ...]]
) -> str:
    """The doctor line a symptom topic names: one of safety.yaml's, written for this topic (its ``fits``)."""
    key = f"{key_prefix}.doctor_line"
    if named is None:
        if needed:
            raise reader.fail(key, "a symptom topic names its doctor line: a line of safety.yaml whose fits: "
                                   "lists this topic (or says any)")
        return ""
    if named not in fits:
        raise reader.fail(key, f"{named!r} is not a doctor line in safety.yaml (one with fits:)")
    if ANY_TOPIC not in fits[named] and topic not in fits[named]:
        raise reader.fail(key, f"{named!r} is worded for {', '.join(fits[named])}, not {topic}; name a doctor line "
                               f"that fits {topic}, or add {topic} to its fits: in safety.yaml")
    return named


def _safety_line(reader: _Reader, key: str, name: Any, safety: Mapping[str, Line]) -> Line:
    if name not in safety:
        raise reader.fail(key, f"{name!r} is not a line in safety.yaml")
    return safety[name]


def _load_walkthrough(reader: _Reader, phrase: str, offers: Mapping[str, Line]) -> Walkthrough:
    lines = {}
    for name in REQUIRED_WALKTHROUGH:
        if name not in reader.data:
            raise reader.fail(name, "is missing")
        lines[name] = reader.line(reader.data[name], name)
    for name, line in lines.items():
        reader.budget(name, line.longest_words(), ANSWER_WORD_BUDGET)
    _check_doctor_phrase(reader, lines["recap_doctor_line"], phrase)
    _check_doctor_phrase(reader, lines["stopped"], phrase)
    _check_doctor_phrase(reader, lines["ease_off"], phrase)
    raw_steps = reader.data.get("steps")
    if not isinstance(raw_steps, list) or not raw_steps:
        raise reader.fail("steps", "needs at least one step")
    steps = []
    for index, raw in enumerate(raw_steps):
        key = f"steps[{index}]"
        line = reader.line(raw, key, text_key="text")
        timing = {}
        for field_name in ("hold_seconds", "pause_seconds"):
            value = raw.get(field_name, 0)
            if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 60:
                raise reader.fail(f"{key}.{field_name}", "must be a whole number of seconds from 0 to 60")
            timing[field_name] = value
        step = Step(line=line, **timing)
        words = line.longest_words() + lines["step_heading"].longest_words()
        if step.hold_seconds:
            words += lines["hold_start"].longest_words() + lines["hold_end"].longest_words()
            words += hold_counts(step.hold_seconds)
        reader.budget(key, words, STEP_WORD_BUDGET)
        steps.append(step)
    not_for = {}
    for part, raw in reader.mapping(reader.data.get("not_for", {}), "not_for").items():
        raw = reader.mapping(raw, f"not_for.{part}")
        if raw.get("say") not in lines:
            raise reader.fail(f"not_for.{part}.say", f"{raw.get('say')!r} is not a line of walkthrough.yaml")
        if raw.get("offer") not in offers:
            raise reader.fail(f"not_for.{part}.offer", f"unknown offer {raw.get('offer')!r}")
        not_for[str(part)] = Redirect(say=raw["say"], offer=raw["offer"])
    return Walkthrough(steps=tuple(steps), lines=lines, not_for=not_for)


def hold_counts(hold_seconds: int) -> int:
    """How many numbers the hold count says for a hold of ``hold_seconds``."""
    return max(1, hold_seconds // HOLD_COUNT_INTERVAL_SECONDS)


def load_content(folder: Optional[Path] = None) -> Content:
    """Read and validate every content file; raise ContentError naming file, key and problem."""
    folder = folder or content_dir()
    safety_reader = _Reader(folder / "safety.yaml")
    safety, phrase, fits = _load_safety(safety_reader)
    prompts_reader = _Reader(folder / "prompts.yaml")
    prompts, offers, offer_actions = _load_prompts(prompts_reader)
    escalation = safety_reader.section("escalation")
    topics_reader = _Reader(folder / "topics.yaml")
    topics = _load_topics(topics_reader, safety, offers, phrase, fits, (safety_reader, escalation))
    walkthrough = _load_walkthrough(_Reader(folder / WALKTHROUGH_FILE), phrase, offers)
    controls = _load_controls(_Reader(folder / CONTROLS_FILE), topics)
    content = Content(
        topics=topics,
        prompts=prompts,
        offers=offers,
        safety=safety,
        walkthrough=walkthrough,
        doctor_phrase=phrase,
        offer_actions=offer_actions,
        controls=controls,
    )
    _check_graph(content, prompts_reader, topics_reader)
    return content


def _load_controls(reader: _Reader, topics: Mapping[str, Topic]) -> dict[str, tuple[str, ...]]:
    """Every control of CONTROLS with the intents that ask for it; no intent asks for two things."""
    raw = reader.section("controls")
    owner = {t.intent: f"topic {t.name}" for t in topics.values() if t.intent}
    controls = {}
    for raw_name, intents in raw.items():
        name = {True: "yes", False: "no"}.get(raw_name, raw_name)  # YAML 1.1 reads a bare yes: as true
        key = f"controls.{name}"
        if name not in CONTROLS:
            raise reader.fail(key, f"unknown control; the skill has {', '.join(CONTROLS)}")
        if not isinstance(intents, list) or not intents or not all(isinstance(i, str) and i.endswith("Intent") for i in intents):
            raise reader.fail(key, "must list the intents that ask for it")
        for intent in intents:
            if intent in owner:
                raise reader.fail(key, f"{intent} already asks for {owner[intent]}")
            owner[intent] = f"control {name}"
        controls[name] = tuple(intents)
    missing = [name for name in CONTROLS if name not in controls]
    if missing:
        raise reader.fail(f"controls.{missing[0]}", "is missing: list the intents that ask for it")
    return controls


def _check_graph(content: Content, prompts: _Reader, topics: _Reader) -> None:
    """Every offer's actions point at something real, and every topic can be reached."""
    for name, actions in content.offer_actions.items():
        for answer, action in (("yes", actions.yes), ("no", actions.no)):
            key = f"offers.{name}.{answer}.{action.kind}"
            known = {"answer": content.topics, "start": content.walkthrough.lines, "listen": content.prompts}
            for target in action.target:
                if target not in known.get(action.kind, {}):
                    raise prompts.fail(key, f"{target!r} is not {ACTIONS[action.kind]}")
    reached = {FALLBACK_TOPIC} | {t.name for t in content.topics.values() if t.intent}
    reached |= {target for t in content.topics.values() for target in t.body_parts.values()}
    reached |= {a.target[0] for actions in content.offer_actions.values() for a in (actions.yes, actions.no)
                if a.kind == "answer"}
    for name in content.topics:
        if name not in reached:
            raise topics.fail(name, "cannot be reached: give it an intent, or send her there from a body part "
                                    "or an offer ({answer: " + name + "})")
