"""Cramp Coach against the plain ask-sdk-core skill, in the same run: ``python -m benchmarks all``.

Run by hand, never timed in CI. See docs/performance.md for what is measured and the figures.
"""

from __future__ import annotations

import sys
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1] / "tests"


def use_test_helpers() -> None:
    """Make the tests' helpers importable (their request signing, their speech budgets): one of each."""
    if str(TESTS) not in sys.path:
        sys.path.insert(0, str(TESTS))
