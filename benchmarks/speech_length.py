"""How long she listens: every answer and every stretch step, in words and in seconds (150 words
a minute, pauses and hold counts included), over every wording Alexa may pick, against the
budgets tests/test_speech_length.py holds the content to.
"""

from __future__ import annotations

import random
import statistics
from typing import Any

from benchmarks import report, use_test_helpers
from skill.runtime import speech
from skill.runtime.content import load_content
from skill.runtime.replies import Voice

use_test_helpers()
from test_speech_length import ANSWER_SECONDS_BUDGET, STEP_SECONDS_BUDGET  # noqa: E402

SEEDS = 20
"""Voices with different seeds pick different wordings; the longest over these is reported."""


def _measure(ssml: str) -> tuple[int, float]:
    return speech.word_count(speech.ssml_to_text(speech.wrap(ssml))), speech.spoken_seconds(ssml)


def run() -> dict[str, Any]:
    content = load_content()
    longest: dict[tuple[str, str], tuple[int, float]] = {}
    for seed in range(SEEDS):
        voice = Voice(content, random.Random(seed))
        items = [("answer", f"{topic.name}.answers[{index}]", voice.answer(topic, index).speech)
                 for topic in content.topics.values() for index in range(len(topic.answers))]
        items += [("step", f"steps[{index}]", voice.step(index).speech) for index in range(voice.step_count)]
        for kind, key, ssml in items:
            words, seconds = _measure(ssml)
            previous = longest.get((kind, key), (0, 0.0))
            longest[(kind, key)] = (max(words, previous[0]), max(seconds, previous[1]))
    rows = []
    for kind, budget in (("answer", ANSWER_SECONDS_BUDGET), ("step", STEP_SECONDS_BUDGET)):
        figures = {key: value for (k, key), value in longest.items() if k == kind}
        seconds = [value[1] for value in figures.values()]
        worst = max(figures, key=lambda key: figures[key][1])
        rows.append({
            "kind": kind, "count": len(figures), "budget_seconds": budget,
            "words": {"median": statistics.median(v[0] for v in figures.values()),
                      "max": max(v[0] for v in figures.values())},
            "seconds": {"median": statistics.median(seconds), "max": max(seconds)},
            "longest": {"key": worst, "words": figures[worst][0], "seconds": figures[worst][1]},
            "within_budget": all(value <= budget for value in seconds),
        })
    return {"settings": {"seeds": SEEDS, "words_per_minute": speech.WORDS_PER_MINUTE}, "rows": rows}


def show(result: dict[str, Any]) -> str:
    lines = [[f"{row['kind']}s", str(row["count"]), f"{row['words']['median']:.0f} / {row['words']['max']}",
              f"{row['seconds']['median']:.1f} / {row['seconds']['max']:.1f} s", f"{row['budget_seconds']:.0f} s",
              f"{row['longest']['key']} ({row['longest']['seconds']:.1f} s)",
              "met" if row["within_budget"] else "MISSED"]
             for row in result["rows"]]
    return report.table(["what", "how many", "words median / max", "seconds median / max", "budget", "longest",
                         "all within budget"], lines)
