"""The built Lambda bundle's cold start with her memory in DynamoDB (dynalite), against the minimal
skill with Amazon's DynamoDB adapter, in the same run.

Both run as Lambda runs them: a fresh Python of the runtime's version (-I -S: only the standard
library and the given paths), the bundle `cramp-coach build-lambda` builds (with its bytecode)
on the path, boto3 beside it as the runtime provides it, and one LaunchRequest from a new listener
(a GetItem and a PutItem each). The minimal skill uses the very same installed packages, so the
difference is the skill itself. Measured: process start → first answer printed.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from benchmarks import report, use_test_helpers
from skill.runtime.envelope import LOCAL_SKILL_ID, Session, launch_request
from skill.tools.lambda_bundle import PROVIDED_BY_RUNTIME, build_lambda, interpreter_for, runtime_version
from skill.runtime.stores import StoreConfig, open_store

use_test_helpers()
from local_dynamodb import Dynalite, aws_test_credentials  # noqa: E402

TARGET = 1.2
BASELINES = Path(__file__).resolve().parent / "baselines"
RUN = """
import time
started = time.perf_counter()
import importlib, json, sys
sys.path[:0] = json.loads(sys.argv[2])
handler = importlib.import_module(sys.argv[1]).handler
answer = handler(json.loads(sys.stdin.read()), None)
print(json.dumps({"in_process_ms": (time.perf_counter() - started) * 1000, "ok": "response" in answer}), flush=True)
"""
SUBJECTS = (("cramp-coach", "skill.lambda_function"), ("minimal SDK skill + DynamoDB adapter", "minimal_dynamodb_lambda"))


def _start(python: str, module: str, paths: list[Path], env: dict[str, str]) -> dict[str, Any]:
    event = json.dumps(launch_request(Session(user_id=f"amzn1.ask.account.{uuid.uuid4().hex}")))
    started = time.perf_counter()
    result = subprocess.run([python, "-I", "-S", "-c", RUN, module, json.dumps([str(p) for p in paths])],
                            input=event, capture_output=True, text=True, env=env, timeout=60)
    wall_ms = (time.perf_counter() - started) * 1000
    if result.returncode != 0 or not json.loads(result.stdout or "{}").get("ok"):
        raise RuntimeError(f"cold start of {module} failed:\n{result.stderr[-2000:]}")
    return {"wall_ms": wall_ms, **json.loads(result.stdout)}


def run(rounds: int = 10) -> dict[str, Any]:
    python = interpreter_for(runtime_version())
    if python is None:
        raise RuntimeError(f"no Python {runtime_version()} to run the bundle with")
    aws_test_credentials()
    with tempfile.TemporaryDirectory(prefix="cramp-coach-bundle-") as tmp:
        workdir = Path(tmp)
        bundle = build_lambda(workdir / "lambda")
        provided = workdir / "runtime"
        provided.mkdir()
        import boto3

        for name in sorted(PROVIDED_BY_RUNTIME):
            (provided / name).symlink_to(Path(boto3.__file__).resolve().parents[1] / name)
        minimal = workdir / "minimal"
        minimal.mkdir()
        shutil.copy(BASELINES / "minimal_dynamodb_lambda.py", minimal)
        subprocess.run([python, "-m", "compileall", "-q", "--invalidation-mode", "unchecked-hash", str(minimal)],
                       check=True)
        dynalite = Dynalite(workdir / "dynalite").start()
        try:
            table = "cramp-coach-cold"
            open_store(StoreConfig(kind="dynamodb", dynamodb_table=table, dynamodb_region="us-east-1",
                                   dynamodb_endpoint_url=dynalite.endpoint_url, dynamodb_create_table=True,
                                   user_key_salt="benchmark"))
            env = {k: v for k, v in os.environ.items() if not k.startswith(("CRAMP_COACH_", "PYTHON"))}
            env.update(CRAMP_COACH_SKILL_ID=LOCAL_SKILL_ID, CRAMP_COACH_DYNAMODB_TABLE=table,
                       CRAMP_COACH_USER_SALT="benchmark", CRAMP_COACH_DYNAMODB_ENDPOINT_URL=dynalite.endpoint_url,
                       AWS_REGION="us-east-1")
            paths = {"skill.lambda_function": [bundle.path, provided],
                     "minimal_dynamodb_lambda": [minimal, bundle.path, provided]}
            measured: dict[str, list[dict[str, Any]]] = {}
            for name, module in SUBJECTS:  # one unmeasured start each: the OS's file cache, dynalite's JIT
                _start(python, module, paths[module], env)
            for round_number in range(rounds):
                order = SUBJECTS if round_number % 2 == 0 else tuple(reversed(SUBJECTS))
                for name, module in order:
                    measured.setdefault(name, []).append(_start(python, module, paths[module], env))
        finally:
            dynalite.stop()
        size_mb = bundle.size_bytes() / 1e6
    rows = [{"skill": name, "wall_ms": report.spread(r["wall_ms"] for r in runs),
             "in_process_ms": report.spread(r["in_process_ms"] for r in runs)} for name, runs in measured.items()]
    baseline = next(row for row in rows if row["skill"] != "cramp-coach")
    for row in rows:
        row["vs_minimal"] = {key: report.ratio(row[key], baseline[key]) for key in ("wall_ms", "in_process_ms")}
    return {"settings": {"rounds": rounds, "target_ratio": TARGET, "python": runtime_version(),
                         "bundle_mb": round(size_mb, 1), "compiled_for": bundle.compiled_for}, "rows": rows}


def show(result: dict[str, Any]) -> str:
    lines = [[row["skill"], report.shown(row["wall_ms"], " ms"), report.shown(row["in_process_ms"], " ms"),
              f"{row['vs_minimal']['wall_ms']:.2f}×" + (f" {report.verdict(row['vs_minimal']['wall_ms'], TARGET)}"
                                                         if row["skill"] == "cramp-coach" else "")]
             for row in result["rows"]]
    settings = result["settings"]
    return (report.table(["skill", "start → first answer", "imports + first answer", "time ×min"], lines)
            + f"\nbundle: {settings['bundle_mb']} MB, Python {settings['python']}, "
              f"bytecode for {settings['compiled_for'] or 'none'}")
