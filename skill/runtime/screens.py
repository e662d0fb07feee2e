"""What she reads: the card in the Alexa app and the data an Echo Show's screen is drawn from.

The card's text is what Alexa just said, as plain text; its title comes from where she is
(the topic she asked about, the stretch step, or the skill's name). The words around them
live in ``content/screens.yaml``; this module only composes, so a host can test a screen
without a device.
"""

from __future__ import annotations

import functools
import re
import string
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional

from skill.runtime import speech
from skill.runtime.content import Content, ContentError, Topic, read_yaml_mapping
from skill.runtime.resources import content_dir

SCREENS_FILE = "screens.yaml"
CARD_MAX_CHARACTERS = 8000
""""Include a Card in Your Skill's Response": a card's title and content together, at most."""
PLAIN_TEXT_CACHE_ENTRIES = 1024
"""Distinct replies whose card text is kept; far more than the content can say."""
PLAIN_TEXT_CACHE_MAX_CHARACTERS = 4096
"""Longer SSML is not cached: the skill's own replies are far shorter, so the cache stays small
even if a repeated "last speech" in the session attributes were made up by a caller."""

CARD_TITLES = {"general": set(), "walkthrough_step": {"number", "total"}}
SCREEN_LABELS = {"step_heading": {"number", "total"}, "hold": {"seconds"}, "step_hint": set(), "disclaimer": set()}

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
_HOLD_COUNT_NUMBER = re.compile(r'<say-as interpret-as="cardinal">\d+</say-as>')


@dataclass(frozen=True)
class ScreenWords:
    """The words of content/screens.yaml, validated."""

    card_titles: dict[str, str]
    labels: dict[str, str]


@dataclass(frozen=True)
class Card:
    title: str
    text: str


def load_screen_words(folder: Optional[Path] = None) -> ScreenWords:
    """Read content/screens.yaml; raise ContentError naming file, key and problem."""
    path = (folder or content_dir()) / SCREENS_FILE
    name = f"content/{SCREENS_FILE}"
    data = read_yaml_mapping(path, name)
    sections = {}
    for section, wanted in (("card_titles", CARD_TITLES), ("screen", SCREEN_LABELS)):
        raw = data.get(section)
        if not isinstance(raw, dict):
            raise ContentError(f"{name}: {section}: must be a mapping of keys")
        words = {}
        for key, placeholders in wanted.items():
            text = raw.get(key)
            if not isinstance(text, str) or not text.strip():
                raise ContentError(f"{name}: {section}.{key}: is missing")
            used = {field for _, field, _, _ in string.Formatter().parse(text) if field}
            if used - placeholders:
                allowed = ", ".join("{" + p + "}" for p in sorted(placeholders)) or "no placeholders"
                raise ContentError(f"{name}: {section}.{key}: may only use {allowed}")
            words[key] = " ".join(text.split())
        sections[section] = words
    return ScreenWords(card_titles=sections["card_titles"], labels=sections["screen"])


def plain_text(ssml: str) -> str:
    """What Alexa said, for reading: the SSML's words without the spoken hold count.

    Cached: every reply is built from the content's few hundred sentences, so the same SSML
    comes back again and again, and parsing it is a good part of a card's cost.
    """
    if len(ssml) > PLAIN_TEXT_CACHE_MAX_CHARACTERS:
        return _plain_text(ssml)
    return _cached_plain_text(ssml)


def _plain_text(ssml: str) -> str:
    return speech.ssml_to_text(_HOLD_COUNT_NUMBER.sub("", ssml))


_cached_plain_text = functools.lru_cache(maxsize=PLAIN_TEXT_CACHE_ENTRIES)(_plain_text)


def answered_topic(content: Content, topic_name: Optional[str], answer_index: int, text: str) -> Optional[Topic]:
    """The topic whose current answer ``text`` contains, if this turn answered one."""
    topic = content.topics.get(topic_name or "")
    if topic is None or not 0 <= answer_index < len(topic.answers):
        return None
    said = " ".join(text.split())
    return topic if any(v in said for v in topic.answers[answer_index].line.variants) else None


def step_card_title(words: ScreenWords, step: int, total: int) -> str:
    return words.card_titles["walkthrough_step"].format(number=step + 1, total=total)


def card(title: str, text: str) -> Card:
    """A card within Amazon's size limit (the text is cut, never the title)."""
    room = CARD_MAX_CHARACTERS - len(title)
    return Card(title=title, text=text if len(text) <= room else text[: room - 1].rstrip() + "…")


def sentences(text: str) -> list[str]:
    return [s for s in _SENTENCE_END.split(text.strip()) if s]


def answer_datasource(words: ScreenWords, title: str, text: str) -> dict[str, Any]:
    """A short list for the screen: what she was told, and the question Alexa is waiting on."""
    said = sentences(text)
    question = []
    while said and said[-1].endswith("?"):
        question.insert(0, said.pop())
    return {
        "answer": {
            "title": title,
            "items": said or question,
            "question": " ".join(question) if said else "",
            "disclaimer": words.labels["disclaimer"],
        }
    }


def step_datasource(words: ScreenWords, content: Content, step: int, paused_text: str = "") -> dict[str, Any]:
    """The stretch step on screen: "Step 2 of 6", the instruction, how long to hold, progress."""
    steps = content.walkthrough.steps
    current = steps[step]
    total = len(steps)
    hold = words.labels["hold"].format(seconds=current.hold_seconds) if current.hold_seconds else ""
    return {
        "stretch": {
            "heading": words.labels["step_heading"].format(number=step + 1, total=total),
            "instruction": current.line.variants[0],
            "hold": hold,
            "note": paused_text,
            "progressPercent": round(100 * (step + 1) / total),
            "hint": words.labels["step_hint"],
            "disclaimer": words.labels["disclaimer"],
        }
    }
