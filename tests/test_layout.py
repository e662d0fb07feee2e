"""The package shows where each part runs: what answers a request loads nothing of the web service or the tools."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
NEVER_AT_RUN_TIME = ("skill.web", "skill.tools", "flask", "werkzeug", "click", "gunicorn", "cryptography", "hassil",
                     "orjson")


def _modules_after_importing(*modules: str) -> list[str]:
    """A fresh, isolated interpreter (-I: no user site, no PYTHONPATH) with only the checkout on sys.path."""
    script = (f"import sys; sys.path.insert(0, {str(REPO)!r}); import json, importlib;"
              f"[importlib.import_module(m) for m in {list(modules)!r}];"
              "print(json.dumps(sorted(sys.modules)))")
    env = {name: value for name, value in os.environ.items() if not name.startswith("CRAMP_COACH_")}
    result = subprocess.run([sys.executable, "-I", "-c", script], capture_output=True, text=True, check=True,
                            cwd=REPO, env=env)
    return json.loads(result.stdout)


def _forbidden(loaded: list[str]) -> list[str]:
    return [name for name in loaded if any(name == bad or name.startswith(bad + ".") for bad in NEVER_AT_RUN_TIME)]


def test_the_runtime_and_the_lambda_entry_load_neither_the_web_service_nor_the_tools():
    runtime = [f"skill.runtime.{path.stem}" for path in sorted((REPO / "skill" / "runtime").glob("*.py"))
               if path.stem != "__init__"]
    stores = [f"skill.runtime.stores.{p.stem}" for p in sorted((REPO / "skill" / "runtime" / "stores").glob("*.py"))
              if p.stem not in ("__init__", "dynamodb")]  # dynamodb needs the optional adapter, tested in test_lambda
    loaded = _modules_after_importing("skill.lambda_function", "skill.runtime.handlers", *runtime, *stores)
    assert "skill.lambda_function" in loaded and "skill.runtime.builder" in loaded
    assert _forbidden(loaded) == []


def test_the_check_sees_a_forbidden_module_when_one_is_loaded():
    """The test above can fail: importing the web app loads Flask and the verifier."""
    assert {"skill.web.app", "flask", "cryptography"} <= set(_forbidden(_modules_after_importing("skill.web.app")))


def test_a_cold_start_leaves_the_http_client_for_the_first_reminder_turn():
    """requests and urllib3 are half a cold start's imports; only the turns that call an Alexa API need them."""
    loaded = _modules_after_importing("skill.lambda_function")
    assert "skill.runtime.api_client" in loaded
    assert [name for name in loaded if name.split(".")[0] in ("requests", "urllib3")] == []
