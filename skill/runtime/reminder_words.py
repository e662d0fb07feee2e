"""The words of the bedtime reminder (content/reminders.yaml), loaded and checked once at start.

What her Echo says each night is a short bedtime tip from the article (source ``first``, at most
``REMINDER_TIP_WORD_BUDGET`` words) and the invitation to the guided stretch; the lines around
setting it are short sentences with the time filled in.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Optional

from skill.runtime.content import ANSWER_WORD_BUDGET, Line, _Reader
from skill.runtime.resources import content_dir

REMINDERS_FILE = "reminders.yaml"
REMINDER_TIP_WORD_BUDGET = 20
"""The tip her Echo reads each night, before the invitation to the stretch."""
REMINDER_TIP_SOURCE = "first"
"""The article's bedtime prevention advice."""
INVITATION = "walk me through a stretch"
"""The invitation names the stretch's own sample utterance, so saying it works."""
REQUIRED_LINES = {
    "ask_time": set(),
    "ask_time_again": set(),
    "set": {"time"},
    "set_assumed_evening": {"time"},
    "already_set": {"time", "new_time"},
    "when": {"time"},
    "none_set": set(),
    "changed": {"time"},
    "cancelled": set(),
    "ask_permission": set(),
    "permission_card": set(),
    "permission_revoked": set(),
    "denied": set(),
    "not_answered": set(),
    "device_limit": set(),
    "busy": set(),
    "unavailable": set(),
}
"""Every line the reminder handlers say, with the {placeholders} each may use."""


@dataclass(frozen=True)
class ReminderWords:
    tip: Line
    invitation: Line
    lines: Mapping[str, Line]

    def all_lines(self) -> list[Line]:
        return [self.tip, self.invitation, *self.lines.values()]


def load_reminder_words(folder: Optional[Path] = None) -> ReminderWords:
    """Read and check content/reminders.yaml; ContentError names the file, key and problem."""
    reader = _Reader((folder or content_dir()) / REMINDERS_FILE)
    reminder = reader.section("reminder")
    tip = reader.line(reminder.get("tip"), "reminder.tip", placeholders=set())
    if tip.source != REMINDER_TIP_SOURCE:
        raise reader.fail("reminder.tip", f"source must be {REMINDER_TIP_SOURCE!r}, the article's bedtime advice")
    reader.budget("reminder.tip", tip.longest_words(), REMINDER_TIP_WORD_BUDGET)
    invitation = reader.line(reminder.get("invitation"), "reminder.invitation", placeholders=set())
    for index, variant in enumerate(invitation.variants):
        if INVITATION not in variant.lower():
            raise reader.fail(f"reminder.invitation.variants[{index}]", f"must say {INVITATION!r}")
    raw_lines = reader.section("lines")
    lines = {}
    for name, allowed in REQUIRED_LINES.items():
        if name not in raw_lines:
            raise reader.fail(f"lines.{name}", "is missing")
        lines[name] = reader.line(raw_lines[name], f"lines.{name}", placeholders=allowed)
        reader.budget(f"lines.{name}", lines[name].longest_words(), ANSWER_WORD_BUDGET)
    unknown = sorted(set(raw_lines) - set(REQUIRED_LINES))
    if unknown:
        raise reader.fail(f"lines.{unknown[0]}", "is not a line the reminder handlers say")
    return ReminderWords(tip=tip, invitation=invitation, lines=lines)
