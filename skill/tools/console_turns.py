"""The browser console's conversations: one per browser, bounded and forgotten when idle, and
each turn as the JSON the page shows and speaks.

The words go through the same ``LocalConversation`` and ``LocalUnderstanding`` as
``cramp-coach chat``. The console reports an APL screen, so the step screen the page draws comes
from the very data an Echo Show is sent.
"""

from __future__ import annotations

import secrets
import threading
import time
import uuid
import xml.etree.ElementTree as ElementTree
from collections import OrderedDict
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Iterable, Mapping, Optional

from ask_sdk_core.skill import CustomSkill

from skill.runtime import apl, speech
from skill.tools.conversation import LocalConversation, Turn
from skill.runtime.envelope import Session
from skill.tools.nlu import LocalUnderstanding, Understanding
from skill.runtime.screens import plain_text

if TYPE_CHECKING:
    from skill.tools.practice_api import PracticeAlexaApi

MAX_CONVERSATIONS = 256
"""Browsers remembered at once; the one unused longest is forgotten first."""
IDLE_SECONDS = 60 * 60
"""A conversation untouched this long is forgotten; her next words start a new one."""
CONSOLE_APL_RUNTIME = apl.SUPPORTED_APL_VERSIONS[-1]
CONSOLE_USER_PREFIX = "amzn1.ask.account.CONSOLE."
CONSOLE_DEVICE_PREFIX = "amzn1.ask.device.CONSOLE."
RENDER_DOCUMENT = "Alexa.Presentation.APL.RenderDocument"
PROSODY_RATES = {"x-slow": 0.6, "slow": 0.8, "medium": 1.0, "fast": 1.2, "x-fast": 1.4}
"""SSML's named rates as a multiple of normal speed, which is how browsers take a rate."""


def start_conversation(
    skill: CustomSkill, understanding: LocalUnderstanding, practice: Optional["PracticeAlexaApi"] = None,
) -> LocalConversation:
    """A new listener on a new screen device: her own user id, so her memory is hers alone
    (with ``practice``, her reminders go to the practice API: nothing is set on a device)."""
    session = Session(
        user_id=f"{CONSOLE_USER_PREFIX}{uuid.uuid4().hex}",
        device_id=f"{CONSOLE_DEVICE_PREFIX}{uuid.uuid4().hex}",
        locale=understanding.locale,
        supported_interfaces={"Alexa.Presentation.APL": {"runtime": {"maxVersion": CONSOLE_APL_RUNTIME}}},
    )
    return LocalConversation(skill, understanding, session, practice=practice)


@dataclass
class ConsoleConversation:
    """One browser's conversation; its lock keeps two quick taps from interleaving turns."""

    id: str
    conversation: LocalConversation
    last_used: float
    lock: threading.Lock = field(default_factory=threading.Lock)


class ConsoleConversations:
    """Conversations by random id, held in this worker's memory (hence one worker with --console)."""

    def __init__(
        self,
        start: Callable[[], LocalConversation],
        *,
        capacity: int = MAX_CONVERSATIONS,
        idle_seconds: float = IDLE_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._start = start
        self._capacity = capacity
        self._idle_seconds = idle_seconds
        self._clock = clock
        self._lock = threading.Lock()
        self._by_id: OrderedDict[str, ConsoleConversation] = OrderedDict()  # least recently used first

    def __len__(self) -> int:
        return len(self._by_id)

    def find_or_start(self, conversation_id: Optional[str]) -> tuple[ConsoleConversation, bool]:
        """The conversation with this id, or a new one (and True) if it is unknown or forgotten."""
        with self._lock:
            now = self._clock()
            self._forget_idle(now)
            found = self._by_id.get(conversation_id) if conversation_id else None
            if found is not None:
                found.last_used = now
                self._by_id.move_to_end(found.id)
                return found, False
            started = ConsoleConversation(id=secrets.token_urlsafe(18), conversation=self._start(), last_used=now)
            self._by_id[started.id] = started
            while len(self._by_id) > self._capacity:
                self._by_id.popitem(last=False)
            return started, True

    def forget(self, conversation_id: Optional[str]) -> Optional[ConsoleConversation]:
        """Drop one conversation; returns it, so its session can be ended, or None if unknown."""
        with self._lock:
            return self._by_id.pop(conversation_id, None) if conversation_id else None

    def _forget_idle(self, now: float) -> None:
        while self._by_id:
            oldest = next(iter(self._by_id.values()))
            if now - oldest.last_used <= self._idle_seconds:
                return
            self._by_id.popitem(last=False)


@dataclass(frozen=True)
class SpokenPart:
    """A stretch of speech for the browser's synthesiser, at one rate, then a silence."""

    text: str
    rate: float = 1.0
    pause_ms: int = 0


def spoken_parts(ssml: str) -> list[SpokenPart]:
    """The SSML as the browser can say it: split at every pause and change of pace.

    A browser speaks plain text only, so the held counts ("one … two …") and the slower
    bedtime voice survive as separate parts with their rate and the silence after them.
    """
    body = ssml.strip()
    root = ElementTree.fromstring(body if body.startswith("<speak>") else speech.wrap(body))
    parts: list[SpokenPart] = []
    pending, pending_rate = "", 1.0
    for words, rate, pause_ms in _reading_order(root, 1.0):
        if words.strip() and pending.strip() and rate != pending_rate:
            _close(parts, pending, pending_rate, 0)
            pending = ""
        if words.strip() and not pending.strip():
            pending_rate = rate
        pending += words
        if pause_ms:
            _close(parts, pending, pending_rate, pause_ms)
            pending = ""
    _close(parts, pending, pending_rate, 0)
    return parts


def _reading_order(element: ElementTree.Element, rate: float) -> Iterable[tuple[str, float, int]]:
    """(text, rate, silence) in the order Alexa reads them; a break is empty text with a silence."""
    inner = _rate(element, rate)
    yield element.text or "", inner, 0
    for child in element:
        if child.tag == "break":
            yield "", inner, round(speech.break_seconds(child) * 1000)
        else:
            yield from _reading_order(child, inner)
        yield child.tail or "", inner, 0


def _close(parts: list[SpokenPart], text: str, rate: float, pause_ms: int) -> None:
    words = " ".join(text.split())
    if words:
        parts.append(SpokenPart(words, rate, pause_ms))
    elif parts and pause_ms:
        last = parts[-1]
        parts[-1] = SpokenPart(last.text, last.rate, last.pause_ms + pause_ms)


def _rate(element: ElementTree.Element, rate: float) -> float:
    if element.tag != "prosody" or not element.get("rate"):
        return rate
    value = element.get("rate", "").strip()
    if value.endswith("%"):
        try:
            return rate * float(value[:-1]) / 100
        except ValueError:
            return rate
    return rate * PROSODY_RATES.get(value, 1.0)


def turn_json(turn: Turn) -> dict[str, Any]:
    """What the page needs from one turn: what was heard, said, shown, and whether to listen again."""
    body = turn.response.get("response") or {}
    card = body.get("card")
    reprompt = turn.reprompt_ssml
    return {
        "heard": heard_json(turn.heard),
        "text": plain_text(turn.ssml) if turn.ssml else turn.text,
        "ssml": turn.ssml,
        "speech": [asdict(part) for part in spoken_parts(turn.ssml)] if turn.ssml
        else [asdict(SpokenPart(turn.text))] if turn.text else [],
        "reprompt": plain_text(reprompt) if reprompt else None,
        "card": {"title": card.get("title", ""), "text": card.get("content", "")} if card else None,
        "screen": screen_json(body.get("directives") or []),
        "session_ended": turn.session_ended,
        "expects_reply": not turn.session_ended,
        "practice": turn.practice_note,
    }


def heard_json(heard: Understanding) -> dict[str, Any]:
    """Which intent and slots her words became, and how sure the match was (as ``chat --show-intent``)."""
    return {
        "kind": heard.kind,
        "intent": heard.intent,
        "slots": {name: {"spoken": fill.spoken, "resolved": fill.resolved_name}
                  for name, fill in heard.slots.items()},
        "method": heard.method,
        "score": round(heard.score, 2),
    }


def screen_json(directives: Iterable[Mapping[str, Any]]) -> Optional[dict[str, Any]]:
    """The APL screen's data sources, as sent: ``{"kind": "stretch", "data": {"heading": …}}``."""
    for directive in directives:
        if directive.get("type") == RENDER_DOCUMENT:
            for kind, data in (directive.get("datasources") or {}).items():
                return {"kind": kind, "data": data}
    return None
