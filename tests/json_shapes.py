"""Small helpers for tests that take real JSON envelopes apart."""

from __future__ import annotations

from typing import Any


def containers(node: Any, found: list | None = None) -> list[dict[str, Any]]:
    """Every JSON object inside ``node`` (itself included), depth first: places a test can mutate."""
    found = [] if found is None else found
    if isinstance(node, dict):
        found.append(node)
        for value in node.values():
            containers(value, found)
    elif isinstance(node, list):
        for value in node:
            containers(value, found)
    return found
