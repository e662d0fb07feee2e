"""Generate every locale's interaction model from one source, so the locales never drift.

``interaction_models/source/model.yaml`` holds the intents, samples and slot types once;
a sample may be a compact pattern (``(a|b)``, ``[optional]``, ``<rule>``; see skill/tools/patterns.py),
expanded here into sorted, deduplicated samples. A sample or synonym marked
``{say: ..., only: [en-GB, en-AU]}`` is said only in those locales. ``python -m skill.tools.models`` rewrites ``interaction_models/<locale>.json``;
``python -m skill.tools.models --check`` (and the tests) fail when a checked-in model differs.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any, Optional

from skill.runtime import yaml_files
from skill.runtime.content import read_yaml_mapping
from skill.tools.patterns import PatternError, expand
from skill.runtime.resources import content_dir, data_dir

SOURCE_FILE = "source/model.yaml"
SOURCE_NAME = f"interaction_models/{SOURCE_FILE}"
FALLBACK_SENSITIVITY_LEVELS = ("LOW", "MEDIUM", "HIGH")
"""How readily Alexa sends a request to AMAZON.FallbackIntent (modelConfiguration in the ASK schema)."""
PENDING_FILE = "source/pending_intents.yaml"
"""Patterns for intents whose handlers live on another branch; spliced into model.yaml at merge."""
PENDING_NAME = f"interaction_models/{PENDING_FILE}"


class ModelSourceError(ValueError):
    """The model source breaks a rule; the message names the file, key and problem."""


def source_path() -> Path:
    return data_dir("interaction_models") / SOURCE_FILE


def load_source(path: Optional[Path] = None) -> dict[str, Any]:
    """The model source, checked for the shape the generator relies on."""
    path = path or source_path()
    source = read_yaml_mapping(path, SOURCE_NAME, ModelSourceError)
    for key, kind in (("locales", list), ("invocation_name", str), ("built_in_intents", list),
                      ("intents", dict), ("types", dict)):
        if not isinstance(source.get(key), kind):
            raise ModelSourceError(f"{SOURCE_NAME}: {key}: must be a {kind.__name__}")
    _check_rules(source.get("rules"), SOURCE_NAME)
    if not isinstance(source.get("deliberate", {}), dict):
        raise ModelSourceError(f"{SOURCE_NAME}: deliberate: must map an opening to the intent that claims it")
    return source


def deliberate(source: Optional[dict[str, Any]] = None) -> dict[str, str]:
    """Openings like "stop my" that a custom intent claims from a built-in on purpose."""
    return dict((source or load_source()).get("deliberate") or {})


def load_pending(path: Optional[Path] = None) -> dict[str, Any]:
    """The pending intents' patterns (``intents:`` and optional ``rules:``), same syntax as the source."""
    path = path or data_dir("interaction_models") / PENDING_FILE
    pending = read_yaml_mapping(path, PENDING_NAME, ModelSourceError)
    if not isinstance(pending.get("intents"), dict):
        raise ModelSourceError(f"{PENDING_NAME}: intents: must be a mapping")
    _check_rules(pending.get("rules"), PENDING_NAME)
    return pending


def _check_rules(rules: Any, where: str) -> None:
    if rules is None:
        return
    if not isinstance(rules, dict) or not all(isinstance(v, str) for v in rules.values()):
        raise ModelSourceError(f"{where}: rules: must map a rule name to a pattern")


def locales(source: Optional[dict[str, Any]] = None) -> list[str]:
    """The locales the skill is published in, in the source's order."""
    return list((source or load_source())["locales"])


def _said_in(entry: Any, locale: str, known: list[str], key: str) -> Optional[str]:
    """The phrase ``entry`` stands for in ``locale``, or None when that locale does not say it."""
    if isinstance(entry, str):
        return entry
    if not isinstance(entry, dict) or not isinstance(entry.get("say"), str) or "only" not in entry:
        raise ModelSourceError(f"{SOURCE_NAME}: {key}: must be a phrase or {{say: ..., only: [locales]}}")
    only = entry["only"]
    if not isinstance(only, list) or not only:
        raise ModelSourceError(f"{SOURCE_NAME}: {key}.only: must list the locales that say it")
    unknown = [name for name in only if name not in known]
    if unknown:
        raise ModelSourceError(f"{SOURCE_NAME}: {key}.only: unknown locales {unknown}; the skill has {known}")
    return entry["say"] if locale in only else None


def _phrases(entries: Any, locale: str, known: list[str], key: str) -> list[str]:
    if not isinstance(entries, list):
        raise ModelSourceError(f"{SOURCE_NAME}: {key}: must be a list")
    said = (_said_in(entry, locale, known, f"{key}[{index}]") for index, entry in enumerate(entries))
    return [phrase for phrase in said if phrase is not None]


def expand_samples(
    entries: Any, locale: str, known: list[str], key: str, rules: Optional[dict[str, str]] = None,
    where: str = SOURCE_NAME,
) -> dict[str, str]:
    """Each sample an intent's patterns say in ``locale``, mapped to the first pattern that says it."""
    origins: dict[str, str] = {}
    for index, pattern in enumerate(_phrases(entries, locale, known, key)):
        try:
            expanded = expand(pattern, rules)
        except PatternError as error:
            raise ModelSourceError(f"{where}: {key}: {pattern!r} {error}") from None
        for sample in expanded:
            origins.setdefault(sample, pattern)
    return origins


def sample_origins(locale: str, source: Optional[dict[str, Any]] = None) -> dict[str, dict[str, str]]:
    """For each custom intent, each generated sample → the hand-written pattern that produced it."""
    source = source or load_source()
    known = locales(source)
    return {
        name: expand_samples((raw or {}).get("samples"), locale, known, f"intents.{name}.samples",
                             source.get("rules"))
        for name, raw in source["intents"].items()
    }


def hand_written(intent: str, locale: str, source: Optional[dict[str, Any]] = None) -> list[str]:
    """The distinct patterns and plain samples written for ``intent`` in ``locale``."""
    source = source or load_source()
    entries = (source["intents"].get(intent) or {}).get("samples")
    return list(dict.fromkeys(_phrases(entries, locale, locales(source), f"intents.{intent}.samples")))


def generate(locale: str, source: Optional[dict[str, Any]] = None) -> dict[str, Any]:
    """The ASK interaction model for ``locale``, as Amazon's JSON format has it."""
    source = source or load_source()
    known = locales(source)
    if locale not in known:
        raise ModelSourceError(f"{SOURCE_NAME}: locales: {locale!r} is not one of {known}")
    intents: list[dict[str, Any]] = [{"name": name, "samples": []} for name in source["built_in_intents"]]
    dialog: list[dict[str, str]] = []
    for name, raw in source["intents"].items():
        if not isinstance(raw, dict):
            raise ModelSourceError(f"{SOURCE_NAME}: intents.{name}: must be a mapping with samples")
        intent: dict[str, Any] = {"name": name}
        slots = raw.get("slots") or {}
        elicit = _elicited(raw, name, slots)
        if slots:
            intent["slots"] = [
                {"name": slot, "type": kind,
                 "samples": _phrases(elicit.get(slot, []), locale, known, f"intents.{name}.elicit.{slot}")}
                for slot, kind in slots.items()
            ]
        expanded = expand_samples(raw.get("samples"), locale, known, f"intents.{name}.samples", source.get("rules"))
        intent["samples"] = sorted(expanded)
        intents.append(intent)
        dialog.extend({"name": name, "slot": slot, "type": slots[slot]} for slot in elicit)
    types = []
    for type_name, values in source["types"].items():
        rendered = []
        for index, value in enumerate(values or []):
            key = f"types.{type_name}[{index}]"
            if not isinstance(value, dict) or not isinstance(value.get("id"), str):
                raise ModelSourceError(f"{SOURCE_NAME}: {key}: needs an id")
            name: dict[str, Any] = {"value": value.get("value", value["id"])}
            if "synonyms" in value:
                name["synonyms"] = _phrases(value["synonyms"], locale, known, f"{key}.synonyms")
            rendered.append({"id": value["id"], "name": name})
        types.append({"name": type_name, "values": rendered})
    language_model: dict[str, Any] = {"invocationName": source["invocation_name"], "intents": intents,
                                      "types": types}
    sensitivity = source.get("fallback_intent_sensitivity")
    if sensitivity is not None:
        if sensitivity not in FALLBACK_SENSITIVITY_LEVELS:
            raise ModelSourceError(f"{SOURCE_NAME}: fallback_intent_sensitivity: {sensitivity!r} is not one of "
                                   f"{', '.join(FALLBACK_SENSITIVITY_LEVELS)}")
        language_model["modelConfiguration"] = {"fallbackIntentSensitivity": {"level": sensitivity}}
    model: dict[str, Any] = {"languageModel": language_model}
    if dialog:
        model.update(_dialog_model(dialog))
    return {"interactionModel": model}


def _elicited(raw: dict[str, Any], intent: str, slots: dict[str, Any]) -> dict[str, Any]:
    """The intent's slots the skill asks for (Dialog.ElicitSlot), each with what she may answer."""
    elicit = raw.get("elicit") or {}
    if not isinstance(elicit, dict):
        raise ModelSourceError(f"{SOURCE_NAME}: intents.{intent}.elicit: must map slot names to their answers")
    for slot in elicit:
        if slot not in slots:
            raise ModelSourceError(f"{SOURCE_NAME}: intents.{intent}.elicit.{slot}: not one of the intent's slots")
    return elicit


def _dialog_model(elicited: list[dict[str, str]]) -> dict[str, Any]:
    """The dialog model Dialog.ElicitSlot needs: the skill asks (SKILL_RESPONSE), with the words of content/."""
    from skill.runtime.reminder_words import load_reminder_words  # the one elicited slot is the reminder's time

    asked = load_reminder_words().lines["ask_time"].variants
    intents: dict[str, dict[str, Any]] = {}
    prompts = []
    for entry in elicited:
        prompt_id = f"Elicit.Intent-{entry['name']}.IntentSlot-{entry['slot']}"
        intent = intents.setdefault(entry["name"], {
            "name": entry["name"], "confirmationRequired": False, "prompts": {}, "slots": [],
        })
        intent["slots"].append({
            "name": entry["slot"], "type": entry["type"], "confirmationRequired": False,
            "elicitationRequired": True, "prompts": {"elicitation": prompt_id},
        })
        prompts.append({"id": prompt_id, "variations": [{"type": "PlainText", "value": v} for v in asked]})
    return {"dialog": {"delegationStrategy": "SKILL_RESPONSE", "intents": list(intents.values())}, "prompts": prompts}


def render(model: dict[str, Any]) -> str:
    """The model as the checked-in file holds it: two-space JSON, one newline at the end."""
    return json.dumps(model, indent=2, ensure_ascii=False) + "\n"


def model_path(locale: str, folder: Optional[Path] = None) -> Path:
    return (folder or data_dir("interaction_models")) / f"{locale}.json"


def generate_all(source: Optional[dict[str, Any]] = None) -> dict[str, dict[str, Any]]:
    """Every locale's model, in the source's order (each pattern is expanded once for them all)."""
    source = source or load_source()
    return {locale: generate(locale, source) for locale in locales(source)}


def stale_models(folder: Optional[Path] = None, generated: Optional[dict[str, dict[str, Any]]] = None) -> list[str]:
    """One line per checked-in model that differs from what the source makes (or is missing).

    ``generated``: the models ``generate_all`` made, when the caller has them already.
    """
    generated = generate_all() if generated is None else generated
    problems = []
    rendered: list[tuple[dict[str, Any], str]] = []
    for locale, model in generated.items():
        path = model_path(locale, folder)
        if not path.is_file():
            problems.append(f"interaction_models/{path.name}: missing; run `python -m skill.tools.models`")
        elif path.read_text(encoding="utf-8") != _render_once(model, rendered):
            problems.append(f"interaction_models/{path.name}: differs from {SOURCE_NAME}; "
                            "run `python -m skill.tools.models`")
    return problems


def _render_once(model: dict[str, Any], rendered: list[tuple[dict[str, Any], str]]) -> str:
    """``render(model)``, reusing the text of an equal model (locales often generate the same one)."""
    for other, text in rendered:
        if other == model:
            return text
    text = render(model)
    rendered.append((model, text))
    return text


def write_models(folder: Optional[Path] = None) -> list[Path]:
    """Write every locale's model from the source; returns the files written."""
    written = []
    rendered: list[tuple[dict[str, Any], str]] = []
    for locale, model in generate_all().items():
        path = model_path(locale, folder)
        path.write_text(_render_once(model, rendered), encoding="utf-8")
        written.append(path)
    return written


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m skill.tools.models",
        description=f"Regenerate interaction_models/<locale>.json from {SOURCE_NAME}, and the parsed snapshot "
                    f"of content/ the skill starts from (content/{yaml_files.SNAPSHOT_NAME}).",
    )
    parser.add_argument("--check", action="store_true",
                        help="write nothing; exit 1 if a checked-in model differs from the source")
    args = parser.parse_args(argv)
    try:
        if args.check:
            problems = stale_models() + [f"content/{yaml_files.SNAPSHOT_NAME}: stale for {name}"
                                         for name in yaml_files.stale_snapshot(content_dir())]
            for problem in problems:
                print(problem, file=sys.stderr)
            return 1 if problems else 0
        for path in write_models():
            print(f"wrote interaction_models/{path.name}")
        print(f"wrote content/{yaml_files.write_snapshot(content_dir()).name}")
    except (ModelSourceError, ValueError) as error:
        print(error, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
