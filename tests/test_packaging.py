"""The skill runs from a plain (non-editable) install, from any working directory, as in a Lambda zip:
content/ and interaction_models/ ship inside the wheel and are found through the package."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(out), str(REPO)],
        check=True,
    )
    (built,) = out.glob("cramp_coach-*.whl")
    return built


def test_the_wheel_carries_the_content_and_the_interaction_model(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    for expected in ("skill/content/topics.yaml", "skill/content/walkthrough.yaml",
                     "skill/interaction_models/en-US.json", "skill/interaction_models/local-builtins.json",
                     "skill/builder.py", "skill/console_static/index.html", "skill/console_static/console.js"):
        assert expected in names


def test_an_installed_wheel_answers_from_another_directory(wheel, tmp_path):
    target = tmp_path / "lambda-zip"
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(target), str(wheel)],
                   check=True)
    elsewhere = tmp_path / "somewhere-else"
    elsewhere.mkdir()
    script = (
        "import json, skill, skill.resources as r;"
        "from skill.builder import build_skill; from skill.envelope import Session, intent_request;"
        "from skill.invoke import invoke;"
        "out = invoke(build_skill(), intent_request(Session(), 'FoodAndDrinkIntent'));"
        "print(json.dumps({'package': skill.__file__, 'content': str(r.content_dir()),"
        " 'speech': out['response']['outputSpeech']['ssml']}))"
    )
    env = {**os.environ, "PYTHONPATH": str(target)}
    result = subprocess.run([sys.executable, "-c", script], cwd=elsewhere, env=env,
                            capture_output=True, text=True, check=True)
    seen = json.loads(result.stdout)
    assert seen["package"].startswith(str(target))
    assert seen["content"].startswith(str(target))
    assert "calcium" in seen["speech"]
