"""What time she means for her nightly reminder, and when it first rings, in her own time zone.

Alexa's ``AMAZON.TIME`` slot gives "21:30", or "09:00" for "at nine" (it cannot know it is a
bedtime), or a part of the day ("EV", "NI"). A bedtime reminder is an evening thing, so a
morning hour is read as the evening one, and the confirmation says so, so she can correct it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Optional

EVENING_READING_HOURS = range(3, 12)
"""Hours Alexa gives for "at 9", "at 10:30": read as 15:00–23:59 (a 9 a.m. bedtime reminder is not one)."""
REMINDER_SECONDS = 0

_CLOCK = re.compile(r"(\d{1,2}):(\d{2})")


@dataclass(frozen=True)
class Bedtime:
    """The time of day of her reminder; ``assumed_evening`` when the skill turned "9" into 9 p.m."""

    hour: int
    minute: int
    assumed_evening: bool = False

    @property
    def slot_value(self) -> str:
        """As Alexa's AMAZON.TIME gives it ("21:30"): carried through the permission request's token."""
        return f"{self.hour:02d}:{self.minute:02d}"

    def spoken(self) -> str:
        """"9:30 PM", "10 PM", "12:15 AM": what Alexa reads naturally as a time."""
        hour12 = self.hour % 12 or 12
        half = "AM" if self.hour < 12 else "PM"
        return f"{hour12} {half}" if self.minute == 0 else f"{hour12}:{self.minute:02d} {half}"

    def recurrence_rule(self) -> str:
        """The daily rule of the Reminders API (RFC 5545 subset) at this time."""
        return f"FREQ=DAILY;BYHOUR={self.hour};BYMINUTE={self.minute};BYSECOND={REMINDER_SECONDS};INTERVAL=1;"

    def first_time(self, now_local: datetime) -> datetime:
        """The next time it rings after ``now_local`` (her wall clock): today, or tomorrow if that has passed."""
        today = datetime.combine(now_local.date(), time(self.hour, self.minute))
        return today if today > now_local.replace(tzinfo=None) else today + timedelta(days=1)


def read_slot(value: Optional[str]) -> Optional[Bedtime]:
    """Her bedtime from an AMAZON.TIME value; None for a part of the day or anything unreadable."""
    match = _CLOCK.fullmatch((value or "").strip())
    if not match:
        return None
    hour, minute = int(match.group(1)), int(match.group(2))
    if hour > 23 or minute > 59:
        return None
    if hour in EVENING_READING_HOURS:
        return Bedtime(hour + 12, minute, assumed_evening=True)
    return Bedtime(hour, minute)


def read_rule(rule: str) -> Optional[Bedtime]:
    """The time of a daily recurrence rule the skill wrote, read back from the API."""
    parts = dict(part.split("=", 1) for part in rule.strip(";").split(";") if "=" in part)
    try:
        hour, minute = int(parts["BYHOUR"]), int(parts.get("BYMINUTE", "0"))
    except (KeyError, ValueError):
        return None
    return Bedtime(hour, minute) if 0 <= hour <= 23 and 0 <= minute <= 59 else None
