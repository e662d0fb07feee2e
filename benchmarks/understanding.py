"""The local understanding with the expanded model: how long it takes to load, and to understand.

The baseline, in the same run and with the same code, is the model as written before patterns:
only the source's plain samples, nothing expanded; the ratio is what the larger model costs.
Loading is held to an absolute target (under a second), since `say`, `chat` and the console
load it once at start. Times are the process's CPU time, steadier than wall time on a shared
machine.
"""

from __future__ import annotations

import json
import time
from typing import Any

from benchmarks import report
from skill.tools import models
from skill.tools.evaluation import load_annotations
from skill.tools.nlu import BUILTIN_PHRASES_FILE, LocalUnderstanding
from skill.tools.patterns import is_pattern
from skill.runtime.resources import data_dir, interaction_model_path

LOAD_TARGET_SECONDS = 1.0


def _plain_model(locale: str) -> dict[str, Any]:
    """The model generated from the plain samples only: what the skill had before patterns."""
    source = models.load_source()
    for intent in source["intents"].values():
        intent["samples"] = [e for e in intent.get("samples", [])
                             if not is_pattern(e if isinstance(e, str) else e["say"])]
    return models.generate(locale, source)


def run(rounds: int = 5, locale: str = "en-US") -> dict[str, Any]:
    built_ins = json.loads((data_dir("interaction_models") / BUILTIN_PHRASES_FILE).read_text(encoding="utf-8"))
    shipped = json.loads(interaction_model_path(locale).read_text(encoding="utf-8"))
    plain = _plain_model(locale)
    utterances = [a.utterance for a in load_annotations(locale)]
    figures: dict[str, dict[str, list[float]]] = {"expanded": {"load": [], "each": []},
                                                  "plain": {"load": [], "each": []}}
    for _ in range(rounds):
        for name, model in (("expanded", shipped), ("plain", plain)):
            started = time.process_time()
            nlu = LocalUnderstanding.from_model(model, built_ins, locale=locale)
            figures[name]["load"].append(time.process_time() - started)
            started = time.process_time()
            for said in utterances:
                nlu.understand(said)
            figures[name]["each"].append((time.process_time() - started) / len(utterances) * 1000)
    result = {name: {kind: report.spread(values) for kind, values in kinds.items()} for name, kinds in figures.items()}
    result["samples"] = {name: sum(len(i.get("samples", [])) for i in m["interactionModel"]["languageModel"]["intents"])
                         for name, m in (("expanded", shipped), ("plain", plain))}
    result["utterances"] = len(utterances)
    return result


def show(result: dict[str, Any]) -> str:
    load = result["expanded"]["load"]["median"]
    per = report.ratio(result["expanded"]["each"], result["plain"]["each"])
    rows = [[name, f"{result['samples'][name]:,}", report.shown(result[name]["load"], " s", 2),
             report.shown(result[name]["each"], " ms", 2)] for name in ("expanded", "plain")]
    return "\n".join([
        report.table(["model", "samples", "load", f"per utterance ({result['utterances']} evaluation utterances)"], rows),
        f"load {load:.2f} s: {'met' if load < LOAD_TARGET_SECONDS else 'MISSED'} (< {LOAD_TARGET_SECONDS:g} s)",
        f"per utterance {per:.2f}× the plain-sample model (what the larger model costs; no target)",
    ])


if __name__ == "__main__":
    print(show(run()))
