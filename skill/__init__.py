"""Cramp Coach: an Alexa skill with calm, hands-free tips for cramps in pregnancy."""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"
__all__ = ["__version__", "build_skill"]


def __getattr__(name: str) -> Any:
    # build_skill is re-exported lazily, so `cramp-coach --help` stays quick.
    if name == "build_skill":
        from skill.runtime.builder import build_skill

        return build_skill
    raise AttributeError(name)
