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
                     "skill/runtime/builder.py", "skill/web/console_static/index.html", "skill/web/console_static/console.js"):
        assert expected in names


def test_an_installed_wheel_answers_from_another_directory(wheel, tmp_path):
    target = tmp_path / "lambda-zip"
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(target), str(wheel)],
                   check=True)
    elsewhere = tmp_path / "somewhere-else"
    elsewhere.mkdir()
    script = (
        "import json, skill, skill.runtime.resources as r;"
        "from skill.runtime.builder import build_skill; from skill.runtime.envelope import Session, intent_request;"
        "from skill.runtime.invoke import invoke;"
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


def test_the_wheel_carries_the_stack_the_icons_and_the_privacy_notice(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    for expected in ("skill/tools/publish_assets/skill-stack.yaml", "skill/tools/publish_assets/icon-108.png",
                     "skill/tools/publish_assets/icon-512.png", "skill/content/privacy.md"):
        assert expected in names
    assert any(name.endswith(".dist-info/licenses/LICENSE") for name in names)


def test_from_an_installed_wheel_the_lambda_bundle_gets_the_skill_with_its_content_inside(wheel, tmp_path):
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(target), str(wheel)],
                   check=True)
    script = ("import sys, pathlib; from skill.tools.lambda_bundle import _copy_own_code;"
              "out = pathlib.Path(sys.argv[1]); out.mkdir(); _copy_own_code(out);"
              "print(sorted(p.name for p in (out / 'skill').iterdir()))")
    env = {**os.environ, "PYTHONPATH": str(target)}
    result = subprocess.run([sys.executable, "-c", script, str(tmp_path / "bundle")], env=env, cwd=tmp_path,
                            capture_output=True, text=True, check=True)
    copied = result.stdout
    for folder in ("'content'", "'apl'", "'lambda_function.py'"):
        assert folder in copied
    assert "'runtime'" in copied and "'web'" not in copied and "'tools'" not in copied  # only what Lambda runs
    assert "__pycache__" not in copied
    assert "interaction_models" not in copied  # Alexa sends intents; only people's tools read the models


def test_the_python_versions_claimed_are_the_ones_ci_tests():
    import re

    claimed = set(re.findall(r'"Programming Language :: Python :: (3\.\d+)"', (REPO / "pyproject.toml").read_text()))
    ci = (REPO / ".ci" / "run").read_text()
    tested = set(re.search(r"^PYTHON_VERSIONS=\"([^\"]+)\"", ci, re.M).group(1).split())
    assert claimed == tested
    assert re.search(r'requires-python = ">=(3\.\d+)"', (REPO / "pyproject.toml").read_text()).group(1) == min(
        tested, key=lambda v: int(v.split(".")[1]))
