"""Typed or transcribed times → the value Alexa's AMAZON.TIME slot would carry, for ``say`` and ``chat``.

Alexa turns "nine thirty" into "09:30", "10 pm" into "22:00" and "midnight" into "00:00"; an hour
said without a.m. or p.m. stays as said (the skill decides what "at 9" means for a bedtime).
The text arrives normalised by the local NLU: lowercase words, "9:30" as "9 30", "p.m." as "p m".
"""

from __future__ import annotations

from typing import Optional

_UNITS = ("zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
          "fifteen sixteen seventeen eighteen nineteen").split()
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50}
_AFTERNOON = (("pm",), ("p", "m"), ("in", "the", "evening"), ("at", "night"), ("tonight",), ("in", "the", "afternoon"))
_MORNING = (("am",), ("a", "m"), ("in", "the", "morning"))
_DURATION_WORDS = frozenset({"minute", "minutes", "hour", "hours", "second", "seconds", "mins", "hrs"})
_NAMED = {("midnight",): (0, 0), ("noon",): (12, 0), ("midday",): (12, 0)}
TIME_WORDS = frozenset(_UNITS) | frozenset(_TENS) | frozenset(w for p in _AFTERNOON + _MORNING for w in p) | frozenset(
    w for p in _NAMED for w in p) | frozenset({"oclock", "half", "quarter", "past"}) | frozenset(str(n) for n in range(60))
"""Every word a spoken time is made of: what an AMAZON.TIME slot in a sample stands for (NLU breadth)."""


def alexa_time(phrase: str) -> Optional[str]:
    """"HH:MM" for a phrase that is a time and nothing else; None otherwise."""
    words = tuple(phrase.split())
    if words in _NAMED:
        return _clock(*_NAMED[words])
    words, half = _day_half(words)
    if words[-1:] == ("o'clock",) or words[-1:] == ("oclock",):
        words = words[:-1]
    parsed = _past_or_to(words) or _hour_minute(words)
    if parsed is None:
        return None
    hour, minute = parsed
    if half == "pm" and hour < 12:
        hour += 12
    elif half == "am" and hour == 12:
        hour = 0
    return _clock(hour, minute) if hour <= 23 and minute <= 59 else None


def find_time(text: str) -> Optional[str]:
    """The longest run of words in ``text`` that is a time, as she said it ("five minutes" is a duration)."""
    words = text.split()
    for length in range(len(words), 0, -1):
        for start in range(len(words) - length + 1):
            span = " ".join(words[start:start + length])
            after = words[start + length] if start + length < len(words) else ""
            if alexa_time(span) is not None and after not in _DURATION_WORDS:
                return span
    return None


def _clock(hour: int, minute: int) -> str:
    return f"{hour:02d}:{minute:02d}"


def _day_half(words: tuple[str, ...]) -> tuple[tuple[str, ...], Optional[str]]:
    for suffixes, half in ((_AFTERNOON, "pm"), (_MORNING, "am")):
        for suffix in suffixes:
            if len(words) > len(suffix) and words[-len(suffix):] == suffix:
                return words[:-len(suffix)], half
    return words, None


def _past_or_to(words: tuple[str, ...]) -> Optional[tuple[int, int]]:
    """"half past nine", "quarter past ten", "quarter to eleven", "ten past nine"."""
    for joiner, sign in (("past", 1), ("after", 1), ("to", -1)):
        if joiner in words:
            at = words.index(joiner)
            hour = _number(words[at + 1:], 1, 12)
            minutes = {"half": 30, "quarter": 15}.get(" ".join(words[:at])) or _number(words[:at], 1, 59)
            if hour is None or minutes is None or (sign < 0 and minutes > 30):
                return None
            return (hour, minutes) if sign > 0 else ((hour - 1) % 12 or 12, 60 - minutes)
    return None


def _hour_minute(words: tuple[str, ...]) -> Optional[tuple[int, int]]:
    """"9", "9 30", "nine thirty", "ten oh five", "21 00", "930"."""
    if len(words) == 1 and words[0].isdigit() and len(words[0]) in (3, 4):
        words = (words[0][:-2], words[0][-2:])
    for split in range(1, len(words) + 1):
        hour = _number(words[:split], 0, 23)
        if hour is None:
            continue
        rest = words[split:]
        if not rest:
            return hour, 0
        if rest[0] in ("oh", "o") and len(rest) == 2:
            minute = _number(rest[1:], 1, 9)
        else:
            minute = _number(rest, 0, 59)
        if minute is not None:
            return hour, minute
    return None


def _number(words: tuple[str, ...], low: int, high: int) -> Optional[int]:
    """A number from low to high written as digits or words ("forty five")."""
    value: Optional[int] = None
    if len(words) == 1 and words[0].isdigit():
        value = int(words[0])
    elif len(words) == 1 and words[0] in _UNITS:
        value = _UNITS.index(words[0])
    elif len(words) == 1 and words[0] in _TENS:
        value = _TENS[words[0]]
    elif len(words) == 2 and words[0] in _TENS and words[1] in _UNITS[1:10]:
        value = _TENS[words[0]] + _UNITS.index(words[1])
    return value if value is not None and low <= value <= high else None
