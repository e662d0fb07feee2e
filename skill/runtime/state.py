"""The conversation's memory between turns, behind small typed interfaces.

Handlers never touch raw attribute dicts: they read and write a ``ConversationState``
(what was just said and offered, for this session), ``Memory`` (what lasts between
sessions), and go through a ``WalkthroughStore`` for stretch progress.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass
from typing import Any, MutableMapping, Optional, Protocol

from ask_sdk_core.handler_input import HandlerInput

from skill.runtime.stores import UnavailableAttributes

MODE_TOPIC = "topic"
MODE_WALKTHROUGH = "walkthrough"


def _whole(value: Any) -> Optional[int]:
    """A whole number from stored attributes (DynamoDB returns Decimal), else None."""
    if isinstance(value, bool) or not isinstance(value, numbers.Number):
        return None
    try:
        whole = int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError, OverflowError):
        return None
    return whole if whole == value else None


@dataclass(frozen=True)
class WalkthroughProgress:
    """Where she is in the guided stretch: ``step`` is 0-based; ``updated_at`` in epoch seconds."""

    step: int
    paused: bool = False
    calm: bool = False
    updated_at: int = 0

    def at(self, step: int, now: int) -> "WalkthroughProgress":
        return WalkthroughProgress(step=step, paused=False, calm=self.calm, updated_at=now)

    def pause(self, now: int) -> "WalkthroughProgress":
        return WalkthroughProgress(step=self.step, paused=True, calm=self.calm, updated_at=now)

    def age(self, now: int) -> int:
        return max(0, now - self.updated_at)

    def to_dict(self) -> dict[str, Any]:
        return {"step": self.step, "paused": self.paused, "calm": self.calm, "updated_at": self.updated_at}

    @classmethod
    def from_dict(cls, raw: Any) -> Optional["WalkthroughProgress"]:
        """Rebuild from stored attributes; anything malformed counts as no progress."""
        if not isinstance(raw, dict):
            return None
        step = _whole(raw.get("step"))
        if step is None or step < 0:
            return None
        return cls(
            step=step,
            paused=bool(raw.get("paused", False)),
            calm=bool(raw.get("calm", False)),
            updated_at=_whole(raw.get("updated_at")) or 0,
        )


class WalkthroughStore(Protocol):
    """Keeps walkthrough progress for the person behind ``handler_input``."""

    def load(self, handler_input: HandlerInput) -> Optional[WalkthroughProgress]: ...

    def save(self, handler_input: HandlerInput, progress: WalkthroughProgress) -> None: ...

    def clear(self, handler_input: HandlerInput) -> None: ...


class Memory:
    """What the skill remembers about her between sessions (ask-sdk persistent attributes).

    Only what the conversation needs: whether she has heard the introduction, and her place in
    the stretch. Never anything she said, never a topic or symptom (a topic names her health:
    "severe" after "I'm bleeding"). Records from schema 1 held ``last_topic``; it is removed the
    first time her record is read, and so gone from the store at that turn's write.

    Her record is read from the store once a session, at its first request, and then carried
    in the session's attributes: every later turn starts from that copy, and every change is
    still written to the store at once. One read a session instead of one a turn (DynamoDB bills
    reads; SQLite's cost a request ~30 µs). Within a session its copy is the truth; a change made
    meanwhile in another session, on another device, is overwritten by this one's next change
    (a "forget me" there included: this session's next change writes its copy back).
    A failed read is never copied, so the next turn tries the store again.
    """

    SCHEMA = 2
    RETIRED_KEYS = ("last_topic",)
    """Keys older versions stored that name her health; dropped from any record read."""
    SESSION_COPY = "memory"
    """The session attribute that carries her record between the turns of a session."""
    _DIRTY = "memory_changed"
    _LOADED = "memory_loaded"

    def __init__(self, handler_input: HandlerInput) -> None:
        self._manager = handler_input.attributes_manager
        if not self._manager.request_attributes.get(self._LOADED):
            carried = _session_copy(handler_input)
            if carried is not None:
                self._manager.persistent_attributes = dict(carried)
            self._manager.request_attributes[self._LOADED] = True
        self._attributes = self._manager.persistent_attributes
        if any(key in self._attributes for key in self.RETIRED_KEYS):
            for key in self.RETIRED_KEYS:
                self._attributes.pop(key, None)
            self._changed()

    def _changed(self) -> None:
        self._attributes["schema"] = self.SCHEMA
        self._manager.request_attributes[self._DIRTY] = True

    @property
    def intro_heard(self) -> bool:
        return bool(self._attributes.get("intro_heard"))

    def heard_intro(self) -> None:
        if not self.intro_heard:
            self._attributes["intro_heard"] = True
            self._changed()

    @property
    def walkthrough(self) -> Optional[WalkthroughProgress]:
        return WalkthroughProgress.from_dict(self._attributes.get("walkthrough"))

    @walkthrough.setter
    def walkthrough(self, progress: Optional[WalkthroughProgress]) -> None:
        if progress is None:
            if self._attributes.pop("walkthrough", None) is not None:
                self._changed()
        elif progress != self.walkthrough:
            self._attributes["walkthrough"] = progress.to_dict()
            self._changed()

    @classmethod
    def save_if_changed(cls, handler_input: HandlerInput) -> None:
        """Write her record once, after the handler, only when something changed; carry it to the next turn."""
        manager = handler_input.attributes_manager
        if manager.request_attributes.get(cls._DIRTY):
            manager.save_persistent_attributes()
            manager.request_attributes[cls._DIRTY] = False
        if manager.request_attributes.get(cls._LOADED) and handler_input.request_envelope.session is not None:
            record = manager.persistent_attributes
            if isinstance(record, UnavailableAttributes):
                manager.session_attributes.pop(cls.SESSION_COPY, None)
            else:
                manager.session_attributes[cls.SESSION_COPY] = dict(record)

    @classmethod
    def forget(cls, handler_input: HandlerInput) -> None:
        """Delete her record (raises StoreUnavailable when the store cannot), and the session's copy."""
        manager = handler_input.attributes_manager
        manager.delete_persistent_attributes()
        manager.request_attributes[cls._LOADED] = False
        if handler_input.request_envelope.session is not None:
            manager.session_attributes.pop(cls.SESSION_COPY, None)


def _session_copy(handler_input: HandlerInput) -> Optional[dict[str, Any]]:
    """Her record as an earlier turn of this session left it, if there is one."""
    session = handler_input.request_envelope.session
    if session is None or session.new:
        return None
    carried = handler_input.attributes_manager.session_attributes.get(Memory.SESSION_COPY)
    return carried if isinstance(carried, dict) else None


class PersistentWalkthroughStore:
    """Walkthrough progress in her persistent record, so a stretch survives the session."""

    def load(self, handler_input: HandlerInput) -> Optional[WalkthroughProgress]:
        return Memory(handler_input).walkthrough

    def save(self, handler_input: HandlerInput, progress: WalkthroughProgress) -> None:
        Memory(handler_input).walkthrough = progress

    def clear(self, handler_input: HandlerInput) -> None:
        Memory(handler_input).walkthrough = None


KEEP_LAST_OUTPUT = "keep_last_output"
"""Request attribute: this turn's speech is not what Repeat should say again (an apology, not an answer)."""


class ConversationState:
    """What the skill last said and offered, kept in session attributes."""

    def __init__(self, attributes: MutableMapping[str, Any]) -> None:
        self._attributes = attributes

    @classmethod
    def of(cls, handler_input: HandlerInput) -> "ConversationState":
        """The session's state; an empty one for requests outside a session (skill events)."""
        if handler_input.request_envelope.session is None:
            return cls({})
        return cls(handler_input.attributes_manager.session_attributes)

    def _text(self, key: str) -> Optional[str]:
        value = self._attributes.get(key)
        return value if isinstance(value, str) and value else None

    def _set(self, key: str, value: Any) -> None:
        if value is None:
            self._attributes.pop(key, None)
        else:
            self._attributes[key] = value

    @property
    def topic(self) -> Optional[str]:
        """The topic of the last answer."""
        return self._text("topic")

    @property
    def answer_index(self) -> int:
        value = self._attributes.get("answer")
        return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else 0

    def answered(self, topic: str, index: int) -> None:
        self._set("topic", topic)
        self._set("answer", index)
        self.mode = MODE_TOPIC

    def doctor_heard(self, topic: str) -> bool:
        """Whether she has heard ``topic``'s full doctor line this session (then a short form is said)."""
        heard = self._attributes.get("doctor_heard")
        return isinstance(heard, list) and topic in heard

    def heard_doctor(self, topic: str) -> None:
        heard = self._attributes.get("doctor_heard")
        heard = list(heard) if isinstance(heard, list) else []
        if topic not in heard:
            self._attributes["doctor_heard"] = heard + [topic]

    @property
    def urgent(self) -> Optional[str]:
        """The escalation topic (tier 1 or 2) she heard this session: its urgency sticks until the session ends."""
        return self._text("urgent")

    @urgent.setter
    def urgent(self, topic: Optional[str]) -> None:
        self._set("urgent", topic)

    @property
    def offer(self) -> Optional[str]:
        """The question that ended the last answer, so that Yes and No know what they answer."""
        return self._text("offer")

    @offer.setter
    def offer(self, name: Optional[str]) -> None:
        self._set("offer", name)

    @property
    def reminder_new_time(self) -> Optional[str]:
        """The bedtime she asked for ("22:00") while the skill asks whether to change her existing reminder."""
        return self._text("reminder_new_time")

    @reminder_new_time.setter
    def reminder_new_time(self, value: Optional[str]) -> None:
        self._set("reminder_new_time", value)

    @property
    def mode(self) -> Optional[str]:
        """Whether she is in the walkthrough or hearing about a topic (for Next)."""
        return self._text("mode")

    @mode.setter
    def mode(self, mode: Optional[str]) -> None:
        self._set("mode", mode)

    @property
    def last_speech(self) -> Optional[str]:
        return self._text("last_speech")

    @property
    def last_reprompt(self) -> Optional[str]:
        return self._text("last_reprompt")

    def remember_output(self, speech: Optional[str], reprompt: Optional[str]) -> None:
        """Keep the last SSML spoken, for Repeat."""
        self._set("last_speech", speech)
        self._set("last_reprompt", reprompt)
