"""SSML for Alexa: escaping, pauses, the calm bedtime voice, and plain text for cards and the CLI.

Content is plain text; this module is the only place that turns it into SSML, so every
response is well-formed and uses only tags Alexa supports.
"""

from __future__ import annotations

import functools
import re
import xml.etree.ElementTree as ElementTree

MAX_BREAK_SECONDS = 10.0
"""Alexa rejects a <break> longer than 10 seconds."""
WORDS_PER_MINUTE = 150
"""A calm speaking pace, for estimating how long an answer takes to hear."""

TEXT_CACHE_ENTRIES = 2048
"""Distinct content sentences kept as SSML: more than the content has, even with numbers filled in."""

CALM_RATE = "90%"
CALM_VOLUME = "soft"

_BREAK_TIME = re.compile(r"^(\d+(?:\.\d+)?)(ms|s)$")
_BREAK_STRENGTH_SECONDS = {"none": 0.0, "x-weak": 0.1, "weak": 0.25, "medium": 0.5, "strong": 0.75, "x-strong": 1.0}
_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9'’\-]*")
_SPACES = re.compile(r"\s+")
_XML_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})
"""What xml.sax.saxutils.escape does, without importing urllib and http with it (Lambda cold start)."""


@functools.lru_cache(maxsize=TEXT_CACHE_ENTRIES)
def text(plain: str) -> str:
    """Plain content text as an SSML fragment (``&``, ``<`` and ``>`` escaped); cached, as the content is."""
    return _SPACES.sub(" ", plain.strip()).translate(_XML_ESCAPES)


def pause(seconds: float) -> str:
    """A silent pause, capped at Alexa's 10-second limit."""
    seconds = max(0.0, min(seconds, MAX_BREAK_SECONDS))
    if seconds == int(seconds):
        return f'<break time="{int(seconds)}s"/>'
    return f'<break time="{int(seconds * 1000)}ms"/>'


def number(value: int) -> str:
    """A number Alexa reads as a cardinal ("three")."""
    return f'<say-as interpret-as="cardinal">{int(value)}</say-as>'


def calm(fragment: str) -> str:
    """The quieter, slower voice for bedtime: same words, gentler delivery."""
    return f'<prosody rate="{CALM_RATE}" volume="{CALM_VOLUME}">{fragment}</prosody>'


def join(*fragments: str) -> str:
    """Join SSML fragments with single spaces, skipping empty ones."""
    return " ".join(f for f in fragments if f)


def wrap(fragment: str) -> str:
    """A complete SSML document."""
    return f"<speak>{fragment}</speak>"


def ssml_to_text(ssml: str) -> str:
    """What the SSML says, as plain text (for cards, the CLI and word counts)."""
    body = ssml.strip()
    if not body.startswith("<speak>"):
        body = wrap(body)
    root = ElementTree.fromstring(body)
    return _SPACES.sub(" ", "".join(root.itertext())).strip()


def word_count(plain: str) -> int:
    """Spoken words in plain text (numbers count as words)."""
    return len(_WORD.findall(plain))


def spoken_seconds(ssml: str) -> float:
    """About how long Alexa takes to say ``ssml``: words at a calm pace, plus every pause."""
    body = ssml.strip()
    root = ElementTree.fromstring(body if body.startswith("<speak>") else wrap(body))
    pauses = sum(break_seconds(element) for element in root.iter("break"))
    return word_count(ssml_to_text(body)) * 60 / WORDS_PER_MINUTE + pauses


def break_seconds(element: ElementTree.Element) -> float:
    """How long one ``<break>`` is silent: its time, else its strength as Alexa times it."""
    match = _BREAK_TIME.match(element.get("time", ""))
    if match:
        return float(match.group(1)) / (1000 if match.group(2) == "ms" else 1)
    return _BREAK_STRENGTH_SECONDS.get(element.get("strength", "medium"), 0.5)
