"""How many generated inputs the property tests try: enough for every run, more by hand.

The suite's counts keep it under 90 s on two cores; ``CRAMP_COACH_FUZZ_SCALE=5 python -m pytest
tests/test_web.py tests/test_compiled_serializer.py`` tries five times as many (as before a release).
"""

from __future__ import annotations

import os

FUZZ_SCALE = float(os.environ.get("CRAMP_COACH_FUZZ_SCALE", "1"))


def examples(in_the_suite: int) -> int:
    """``in_the_suite`` generated inputs, times the scale asked for."""
    return max(1, round(in_the_suite * FUZZ_SCALE))
