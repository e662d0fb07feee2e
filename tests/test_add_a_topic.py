"""Adding a topic is a content change: the README's recipe, followed in a copy of the project,
gives a topic she can ask about, hear with its own doctor line, and say yes to its offer —
without touching a Python file."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[1]

# The recipe, as the README's "Add a topic" section shows it: each snippet goes under the named
# top-level key of the named file.
TOPIC = """\
  swelling:
    intent: SwellingTipsIntent
    title: Swollen feet
    symptom: true
    doctor_line: swelling_doctor_line
    last_offer: bedtime_tips
    answers:
      - source: second
        text: Go easy on salty food, and rest with your feet raised a little.
"""
DOCTOR_LINE = """\
  swelling_doctor_line:
    source: safety
    fits: [swelling]
    variants:
      - If your face or hands swell suddenly, call your doctor or midwife now.
"""
OFFER = """\
  bedtime_tips:
    source: first
    variants:
      - Want some tips for bedtime?
      - Shall I share a few bedtime tips?
    yes: {answer: bedtime}
    no: close
"""
SAMPLES = [  # patterns: (a|b) a choice, [words] optional; at least 40, expanding to at least 150 samples
    "my (feet|ankles) (are|look|feel) [so|really] (swollen|puffy)",
    "my (feet|ankles) (keep|have started) swelling [up]",
    "my (feet|ankles) (swelled|puffed) up [again]",
    "(swollen|puffy) (feet|ankles) [again]",
    "i have (swollen|puffy) (feet|ankles)",
    "i've got (swollen|puffy) (feet|ankles)",
    "what helps (swollen|puffy) (feet|ankles)",
    "what (can|should) i do (about|for) (swollen|puffy) (feet|ankles)",
    "how (do|can) i (help|ease|soothe) (swollen|puffy) (feet|ankles)",
    "how (do|can) i reduce [the] swelling in my (feet|ankles)",
    "how (do|can) i stop my (feet|ankles) swelling",
    "tips for (swollen|puffy) (feet|ankles)",
    "any tips for (swollen|puffy) (feet|ankles)",
    "why are my (feet|ankles) [so] (swollen|puffy)",
    "why do my (feet|ankles) swell",
    "swelling in my (feet|ankles)",
    "(the|this) swelling in my (feet|ankles)",
    "my (feet|ankles) are (so|really|very) (big|fat) [tonight|today]",
    "my shoes don't fit [any more] my feet are swollen",
    "my (socks|shoes) are (tight|leaving marks)",
    "is it normal for my (feet|ankles) to swell",
    "is it okay that my (feet|ankles) are swollen",
    "should i worry about (swollen|puffy) (feet|ankles)",
    "what (eases|reduces) swelling in [my] (feet|ankles)",
    "what (eases|reduces) (foot|ankle) swelling",
    "(foot|ankle) swelling",
    "what to do with (foot|ankle) swelling",
    "advice (on|for) (foot|ankle) swelling",
    "advice (on|for) (swollen|puffy) (feet|ankles)",
    "(feet|ankles) swelling [up] [again]",
    "my (feet|ankles) are (swollen|puffy) at night",
    "my (feet|ankles) swell (at night|by the evening|in the evening)",
    "my (feet|ankles) (hurt|ache) from swelling",
    "should i raise my (feet|legs) for swelling",
    "does raising my (feet|legs) help [with] swelling",
    "can salt make my (feet|ankles) swell",
    "does salty food make my (feet|ankles) swell",
    "(water|fluid) in my (feet|ankles)",
    "i'm retaining (water|fluid) in my (feet|ankles)",
    "(swollen|puffy) (feet|ankles) in pregnancy",
    "pregnancy (foot|ankle) swelling",
    "my (feet|ankles) have (gone|got) (swollen|puffy)",
]
INTENT = "  SwellingTipsIntent:\n    samples:\n" + "".join(f"      - {s}\n" for s in SAMPLES)
RECIPE = [
    ("content/topics.yaml", "topics", TOPIC),
    ("content/safety.yaml", "lines", DOCTOR_LINE),
    ("content/prompts.yaml", "offers", OFFER),
    ("interaction_models/source/model.yaml", "intents", INTENT),
]


def add_under(path: Path, key: str, snippet: str) -> None:
    """Insert ``snippet`` as the first entry of the top-level mapping ``key``."""
    text = path.read_text(encoding="utf-8")
    changed, count = re.subn(rf"^{key}:\n", lambda m: m.group(0) + snippet, text, count=1, flags=re.M)
    assert count == 1, f"{path}: no top-level {key}:"
    path.write_text(changed, encoding="utf-8")


def python_files(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted((root / "skill").rglob("*.py")) if "__pycache__" not in p.parts}


def run(root: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONPATH=str(root))
    return subprocess.run([sys.executable, "-m", *args], cwd=root, env=env, input=stdin,
                          capture_output=True, text=True, timeout=120)


@pytest.fixture
def project_with_a_new_topic(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    for folder in ("skill", "content", "interaction_models", "apl"):
        shutil.copytree(PROJECT_ROOT / folder, root / folder, ignore=shutil.ignore_patterns("__pycache__"))
    for name, key, snippet in RECIPE:
        add_under(root / name, key, snippet)
    regenerated = run(root, "skill.tools.models")
    assert regenerated.returncode == 0, regenerated.stderr
    return root


def test_a_new_topic_is_asked_answered_with_its_doctor_line_and_its_offer_followed(project_with_a_new_topic):
    root = project_with_a_new_topic
    assert python_files(root) == python_files(PROJECT_ROOT)

    checked = run(root, "skill.tools.cli", "check")
    assert checked.returncode == 0, checked.stderr

    chat = run(root, "skill.tools.cli", "chat", "--no-launch", stdin="my feet are swollen\nyes\nno\n")
    assert chat.returncode == 0, chat.stderr
    answer, after_yes, after_no = re.findall(r"^alexa> (.*)$", chat.stdout, flags=re.M)[:3]
    assert answer.startswith("Go easy on salty food, and rest with your feet raised a little.")
    assert "If your face or hands swell suddenly, call your doctor or midwife now." in answer
    assert answer.endswith(("Want some tips for bedtime?", "Shall I share a few bedtime tips?"))
    assert after_yes.startswith("Keep your legs warm and out of cold air")  # the bedtime topic's first answer
    assert "rest" in after_no.lower()  # no: a kind close


def test_the_readme_shows_this_recipe():
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    for name, key, snippet in RECIPE[:3]:
        assert snippet in readme, f"README's 'Add a topic' lacks the {name} snippet"
    assert "  SwellingTipsIntent:\n    samples:\n" in readme and "python -m skill.tools.models" in readme
