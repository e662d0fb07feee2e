"""Reading the YAML files the skill ships, from a parsed snapshot when it still matches them.

PyYAML's import and parse are about a sixth of a Lambda cold start. ``content/parsed.pickle``
(written by ``python -m skill.tools.models`` with the models) holds each content file's parsed
data with the SHA-256 of the text it came from; a file whose text still has that digest is read
from the snapshot, any other (an edited file, a new one, a snapshot that is missing or unreadable)
is parsed from its YAML as before. So an edit is never hidden: at worst the start is slower.
The snapshot is written by the project, ships in the package like the code, and is trusted as it is.
"""

from __future__ import annotations

import hashlib
import pickle
from functools import lru_cache
from pathlib import Path
from typing import Any, Optional

SNAPSHOT_NAME = "parsed.pickle"
SNAPSHOT_PROTOCOL = 4
"""Readable by every Python the skill supports."""


def read_yaml_mapping(path: Path, name: str, error: type[ValueError]) -> dict[str, Any]:
    """A YAML file whose top level is a mapping; ``error`` names ``name`` and the problem."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise error(f"{name}: file is missing") from None
    data = _from_snapshot(path, text)
    if data is None:
        data = _parse(text, name, error)
    if not isinstance(data, dict):
        raise error(f"{name}: must be a mapping of keys at the top level")
    return data


def write_snapshot(folder: Path) -> Path:
    """Parse every ``*.yaml`` in ``folder`` and write the snapshot beside them."""
    entries = {}
    for path in sorted(folder.glob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        entries[path.name] = (_digest(text), pickle.dumps(_parse(text, path.name, ValueError),
                                                          protocol=SNAPSHOT_PROTOCOL))
    target = folder / SNAPSHOT_NAME
    target.write_bytes(pickle.dumps(entries, protocol=SNAPSHOT_PROTOCOL))
    _snapshot.cache_clear()
    return target


def stale_snapshot(folder: Path) -> list[str]:
    """The YAML files of ``folder`` the snapshot does not hold as they are now (empty: up to date)."""
    entries = _snapshot(folder / SNAPSHOT_NAME)
    return [path.name for path in sorted(folder.glob("*.yaml"))
            if entries.get(path.name, ("",))[0] != _digest(path.read_text(encoding="utf-8"))]


def _from_snapshot(path: Path, text: str) -> Optional[Any]:
    entry = _snapshot(path.parent / SNAPSHOT_NAME).get(path.name)
    if entry is None or entry[0] != _digest(text):
        return None
    return pickle.loads(entry[1])  # a fresh copy each time: callers may keep what they read


@lru_cache(maxsize=8)
def _snapshot(path: Path) -> dict[str, tuple[str, bytes]]:
    try:
        entries = pickle.loads(path.read_bytes())
    except Exception:  # missing, unreadable or from another version: the YAML is read instead
        return {}
    return entries if isinstance(entries, dict) else {}


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _parse(text: str, name: str, error: type[ValueError]) -> Any:
    import yaml  # only for a file the snapshot does not hold: see the module's docstring

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml: the same data, ten times faster
    try:
        return yaml.load(text, Loader=loader)
    except yaml.YAMLError as problem:
        raise error(f"{name}: not valid YAML: {_yaml_problem(yaml, text, problem)}") from None


def _yaml_problem(yaml: Any, text: str, problem: Exception) -> Exception:
    """The pure-Python parser's account of a YAML mistake where it has one: the line, with a caret."""
    try:
        yaml.safe_load(text)
    except yaml.YAMLError as detailed:
        return detailed
    return problem
