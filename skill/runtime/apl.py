"""The skill's APL documents (``apl/*.json``): loading them once, and checking them.

A document is sent only with the data sources the skill builds for it, so ``document_problems``
checks the document's shape and, given those data sources, that every value the document binds
(``${stretch.heading}``) is there to bind.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Mapping, Optional

from skill.runtime.resources import data_dir

WALKTHROUGH_STEP = "walkthrough_step"
ANSWER = "answer"
DOCUMENTS = (WALKTHROUGH_STEP, ANSWER)

SUPPORTED_APL_VERSIONS = (
    "1.0", "1.1", "1.2", "1.3", "1.4", "1.5", "1.6", "1.7", "1.8", "1.9",
    "2022.1", "2022.2", "2023.1", "2023.2", "2023.3", "2024.1", "2024.2", "2024.3",
)
"""Released APL versions, from Amazon's "What's New in APL" pages (latest: "What's New in APL 2024.3")."""

_BINDING = re.compile(r"\$\{([^}]*)\}")
_PATH = re.compile(r"(?<![\w.'\"])([A-Za-z_]\w*)((?:\.[A-Za-z_]\w*)+)")


def apl_dir() -> Path:
    return data_dir("apl")


def load_documents(folder: Optional[Path] = None) -> dict[str, dict[str, Any]]:
    """Every APL document the skill sends, by name; a broken file raises ValueError naming it."""
    folder = folder or apl_dir()
    documents = {}
    for name in DOCUMENTS:
        path = folder / f"{name}.json"
        try:
            documents[name] = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ValueError(f"apl/{path.name}: file is missing") from None
        except json.JSONDecodeError as error:
            raise ValueError(f"apl/{path.name}: not valid JSON: {error}") from None
    return documents


def version_key(version: str) -> tuple[int, ...]:
    """"2023.3" → (2023, 3), so versions compare in release order ("1.9" < "2022.1")."""
    try:
        return tuple(int(part) for part in version.split("."))
    except (AttributeError, ValueError):
        return (0,)


def device_can_render(document: Mapping[str, Any], max_version: Optional[str]) -> bool:
    """True when the device's APL runtime is at least the document's version (or does not say)."""
    return max_version is None or version_key(max_version) >= version_key(str(document.get("version")))


def bindings(document: Any) -> set[tuple[str, ...]]:
    """Every dotted path bound in the document, e.g. ("stretch", "heading")."""
    found: set[tuple[str, ...]] = set()
    if isinstance(document, dict):
        for value in document.values():
            found |= bindings(value)
    elif isinstance(document, list):
        for value in document:
            found |= bindings(value)
    elif isinstance(document, str):
        for expression in _BINDING.findall(document):
            for root, rest in _PATH.findall(expression):
                found.add((root, *rest.strip(".").split(".")))
    return found


def document_problems(
    name: str, document: Any, datasources: Optional[Mapping[str, Any]] = None
) -> list[str]:
    """Every problem of one document, as "apl/<name>.json: key: problem" lines."""
    where = f"apl/{name}.json"
    if not isinstance(document, dict):
        return [f"{where}: must be a JSON object"]
    problems = []
    if document.get("type") != "APL":
        problems.append(f"{where}: type: must be \"APL\"")
    if document.get("version") not in SUPPORTED_APL_VERSIONS:
        problems.append(f"{where}: version: {document.get('version')!r} is not a released APL version "
                        f"({', '.join(SUPPORTED_APL_VERSIONS[-3:])} are the latest)")
    template = document.get("mainTemplate")
    if not isinstance(template, dict):
        return problems + [f"{where}: mainTemplate: is missing"]
    parameters = template.get("parameters")
    if not isinstance(parameters, list) or not parameters or not all(isinstance(p, str) for p in parameters):
        problems.append(f"{where}: mainTemplate.parameters: must name the data sources it binds")
        parameters = []
    if not template.get("items") and not template.get("item"):
        problems.append(f"{where}: mainTemplate.items: has nothing to show")
    if datasources is not None:
        for parameter in parameters:
            if parameter not in datasources:
                problems.append(f"{where}: mainTemplate.parameters: the skill sends no data source {parameter!r}")
        for path in sorted(bindings(document)):
            if path[0] in parameters and parameter_path_missing(datasources, path):
                problems.append(f"{where}: binds ${{{'.'.join(path)}}}, which the skill's data sources lack")
    return problems


def parameter_path_missing(datasources: Mapping[str, Any], path: tuple[str, ...]) -> bool:
    node: Any = datasources
    for key in path:
        if not isinstance(node, Mapping) or key not in node:
            return True
        node = node[key]
    return False
