"""The conversation's memory between turns, behind small typed interfaces.

Handlers never touch raw attribute dicts: they read and write a ``ConversationState``
(what was just said and offered) and go through a ``WalkthroughStore`` for stretch progress,
so a persistent store can later keep the walkthrough without the handlers changing.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass
from typing import Any, Callable, MutableMapping, Optional, Protocol

from ask_sdk_core.handler_input import HandlerInput

MODE_TOPIC = "topic"
MODE_WALKTHROUGH = "walkthrough"


@dataclass(frozen=True)
class WalkthroughProgress:
    """Where she is in the guided stretch: ``step`` is 0-based."""

    step: int
    paused: bool = False
    calm: bool = False
    updated_at: float = 0.0

    def at(self, step: int, clock: Callable[[], float] = time.time) -> "WalkthroughProgress":
        return WalkthroughProgress(step=step, paused=False, calm=self.calm, updated_at=clock())

    def pause(self, clock: Callable[[], float] = time.time) -> "WalkthroughProgress":
        return WalkthroughProgress(step=self.step, paused=True, calm=self.calm, updated_at=clock())

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, raw: Any) -> Optional["WalkthroughProgress"]:
        """Rebuild from stored attributes; anything malformed counts as no progress."""
        if not isinstance(raw, dict):
            return None
        step = raw.get("step")
        if not isinstance(step, int) or isinstance(step, bool) or step < 0:
            return None
        updated_at = raw.get("updated_at", 0.0)
        return cls(
            step=step,
            paused=bool(raw.get("paused", False)),
            calm=bool(raw.get("calm", False)),
            updated_at=float(updated_at) if isinstance(updated_at, (int, float)) else 0.0,
        )


class WalkthroughStore(Protocol):
    """Keeps walkthrough progress for the person behind ``handler_input``."""

    def load(self, handler_input: HandlerInput) -> Optional[WalkthroughProgress]: ...

    def save(self, handler_input: HandlerInput, progress: WalkthroughProgress) -> None: ...

    def clear(self, handler_input: HandlerInput) -> None: ...


class SessionWalkthroughStore:
    """Walkthrough progress in session attributes: lasts as long as the Alexa session."""

    KEY = "walkthrough"

    def load(self, handler_input: HandlerInput) -> Optional[WalkthroughProgress]:
        attributes = handler_input.attributes_manager.session_attributes
        return WalkthroughProgress.from_dict(attributes.get(self.KEY))

    def save(self, handler_input: HandlerInput, progress: WalkthroughProgress) -> None:
        handler_input.attributes_manager.session_attributes[self.KEY] = progress.to_dict()

    def clear(self, handler_input: HandlerInput) -> None:
        handler_input.attributes_manager.session_attributes.pop(self.KEY, None)


class ConversationState:
    """What the skill last said and offered, kept in session attributes."""

    def __init__(self, attributes: MutableMapping[str, Any]) -> None:
        self._attributes = attributes

    @classmethod
    def of(cls, handler_input: HandlerInput) -> "ConversationState":
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

    @property
    def offer(self) -> Optional[str]:
        """The question that ended the last answer, so that Yes and No know what they answer."""
        return self._text("offer")

    @offer.setter
    def offer(self, name: Optional[str]) -> None:
        self._set("offer", name)

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
