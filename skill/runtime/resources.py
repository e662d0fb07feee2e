"""Find the data folders that ship with the skill, wherever it is installed.

A wheel carries ``content/`` and ``interaction_models/`` inside the ``skill`` package;
a source checkout keeps them beside it. Both are found from the package's own location,
never from the current working directory.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parents[1]  # the skill package, not runtime/


def data_dir(name: str) -> Path:
    """Return the shipped folder ``name`` (``content`` or ``interaction_models``)."""
    for candidate in (_PACKAGE_DIR / name, _PACKAGE_DIR.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(
        f"cannot find the {name!r} folder next to the skill package ({_PACKAGE_DIR}); "
        "reinstall cramp-coach"
    )


def content_dir() -> Path:
    """The folder of spoken content (``content/*.yaml``)."""
    return data_dir("content")


def interaction_model_path(locale: str = "en-US") -> Path:
    """The ASK interaction model JSON for ``locale``."""
    return data_dir("interaction_models") / f"{locale}.json"
