"""In process: envelope dict → response dict, per request type, Cramp Coach against the minimal SDK skill.

Each round measures every skill on every request type (the order rotating from round to round),
``samples`` timed calls each after a warm-up; a round gives a median and a p99, and the table shows
the median of those over the rounds, with their range.
"""

from __future__ import annotations

import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from benchmarks import report, requests
from benchmarks.baselines.minimal_skill import build_minimal_skill, sdk_invoke
from skill.runtime.builder import SkillConfig, build_skill
from skill.runtime.envelope import Session
from skill.runtime.invoke import invoke
from skill.runtime.stores import StoreConfig, open_store

P99_TARGET = 1.3
WARM_UP_CALLS = 200

Call = Callable[[], dict[str, Any]]


@dataclass
class Subject:
    """One skill answering one request type: ``next_call`` cycles through its envelopes."""

    name: str
    calls: list[Call]
    expect: str
    position: int = 0

    def __call__(self) -> dict[str, Any]:
        call = self.calls[self.position]
        self.position = (self.position + 1) % len(self.calls)
        return call()


def _cramp_coach(fast: bool = True, sqlite: Path | None = None) -> Any:
    store = open_store(StoreConfig(kind="sqlite", sqlite_path=sqlite)) if sqlite else None
    return build_skill(SkillConfig(seed=0, fast_serializer=fast, persistence_adapter=store))


def _subjects(case: str, workdir: Path) -> list[Subject]:
    """Cramp Coach (compiled reader; ask-sdk's reader) and the minimal skill, ready for ``case``."""
    minimal = build_minimal_skill()
    ours_fast = _cramp_coach(fast=True, sqlite=workdir / f"{case}.sqlite3" if case.endswith("SQLite") else None)
    ours_sdk = _cramp_coach(fast=False, sqlite=workdir / f"{case}-sdk.sqlite3" if case.endswith("SQLite") else None)
    subjects = []
    for number, (name, skill, run) in enumerate((("cramp-coach", ours_fast, invoke),
                                                  ("cramp-coach, SDK serializer", ours_sdk, invoke),
                                                  ("minimal SDK skill", minimal, sdk_invoke))):
        session = requests.listener(number)
        envelopes, expect = _envelopes(case, session, lambda envelope: run(skill, envelope))
        if name == "minimal SDK skill":
            expect = ""
        subjects.append(Subject(name, [lambda e=e, s=skill, r=run: r(s, e) for e in envelopes], expect))
    return subjects


def _envelopes(case: str, session: Session, send: Callable[[dict], dict]) -> tuple[list[dict], str]:
    """The envelopes one sample cycles through, after whatever set-up makes them mean ``case``."""
    if case == "launch":
        send(requests.launch(session))  # she has heard the welcome: from now on, the returning greeting
        return [requests.launch(session)], ""
    if case == "topic answer":
        return [requests.topic(session)], "toes"
    if case == "fallback":
        return [requests.fallback(session)], ""
    # a walkthrough step: Next and Previous in turn, mid-stretch; each saves her place
    send(requests.start_walkthrough(session))
    mid = requests.walking(session)
    return [requests.next_step(mid), requests.previous_step(mid)], "Step"


CASES = ("launch", "topic answer", "walkthrough step", "fallback", "walkthrough step, SQLite")


def _measure(subject: Subject, samples: int) -> dict[str, float]:
    for _ in range(WARM_UP_CALLS):
        subject()
    timings = []
    clock = time.perf_counter_ns
    for _ in range(samples):
        started = clock()
        subject()
        timings.append((clock() - started) / 1000)
    timings.sort()
    return {"p50": report.percentile(timings, 0.50), "p99": report.percentile(timings, 0.99)}


def run(rounds: int = 5, samples: int = 2000) -> dict[str, Any]:
    figures: dict[tuple[str, str], dict[str, list[float]]] = {}
    with tempfile.TemporaryDirectory(prefix="cramp-coach-bench-") as workdir:
        subjects_by_case = {case: _subjects(case, Path(workdir)) for case in CASES}
        for case, subjects in subjects_by_case.items():
            for subject in subjects:
                answer = subject()
                speech = answer["response"].get("outputSpeech", {}).get("ssml", "")
                assert subject.expect in speech, f"{subject.name}, {case}: unexpected answer {speech[:120]!r}"
        for round_number in range(rounds):
            for case, subjects in subjects_by_case.items():
                shift = round_number % len(subjects)
                for subject in subjects[shift:] + subjects[:shift]:
                    measured = _measure(subject, samples)
                    entry = figures.setdefault((case, subject.name), {"p50": [], "p99": []})
                    entry["p50"].append(measured["p50"])
                    entry["p99"].append(measured["p99"])
            print(f"  round {round_number + 1}/{rounds} done", flush=True)
    rows = []
    for case in CASES:
        baseline = {key: report.spread(values) for key, values in figures[(case, "minimal SDK skill")].items()}
        for name in ("cramp-coach", "cramp-coach, SDK serializer", "minimal SDK skill"):
            measured = {key: report.spread(values) for key, values in figures[(case, name)].items()}
            rows.append({
                "request": case, "skill": name, "p50_us": measured["p50"], "p99_us": measured["p99"],
                "p50_ratio": report.ratio(measured["p50"], baseline["p50"]),
                "p99_ratio": report.ratio(measured["p99"], baseline["p99"]),
            })
    return {"settings": {"rounds": rounds, "samples_per_round": samples, "warm_up_calls": WARM_UP_CALLS,
                         "p99_target_ratio": P99_TARGET}, "rows": rows}


def show(result: dict[str, Any]) -> str:
    lines = []
    for row in result["rows"]:
        target = ""
        if row["skill"] == "cramp-coach":
            target = report.verdict(row["p99_ratio"], P99_TARGET)
        lines.append([row["request"], row["skill"], report.shown(row["p50_us"], " µs"),
                      report.shown(row["p99_us"], " µs"),
                      f"{row['p50_ratio']:.2f}×", f"{row['p99_ratio']:.2f}×", target])
    return report.table(["request", "skill", "median", "p99", "median ×min", "p99 ×min", "target p99"], lines)
