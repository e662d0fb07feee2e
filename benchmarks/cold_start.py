"""Cold start: process start → first response, and the peak memory of that process.

Each round starts a fresh Python for each entry point, alternating Cramp Coach and the minimal
SDK skill (peak memory is the process's VmHWM): the Lambda handlers answer one event; the web
apps answer one signed request through Flask's test client (Cramp Coach with verification on,
certifi's roots plus the test root, and SQLite). Bytecode is cached (in a temporary
PYTHONPYCACHEPREFIX, warmed once), as in a built Lambda zip or an installed package.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks import report, requests
from benchmarks.signing import CERT_URL, make_signer
from skill.runtime.envelope import LOCAL_SKILL_ID

REPO = Path(__file__).resolve().parents[1]
TARGET = 1.5
NOT_ON_LAMBDA = ("flask", "werkzeug", "gunicorn", "skill.web.verify", "skill.web", "cryptography")

_REPORT = """
import json, sys
answer_ok = "outputSpeech" in answer.get("response", {})  # the launch's greeting, not an error's apology
peak = [line.split()[1] for line in open("/proc/self/status") if line.startswith("VmHWM:")]
print(json.dumps({"in_process_ms": (time.perf_counter() - started) * 1000, "peak_rss_kib": int(peak[0]),
                  "ok": answer_ok, "loaded": sorted(name for name in %r if name in sys.modules)}), flush=True)
""" % (NOT_ON_LAMBDA,)
# Peak memory is VmHWM, not getrusage's ru_maxrss: Linux keeps ru_maxrss across exec, so a child
# started from a bigger parent reports the parent's size.

LAMBDA = """
import time
started = time.perf_counter()
import importlib, json, sys
handler = importlib.import_module(sys.argv[1]).handler
answer = handler(json.loads(json.loads(open(sys.argv[2]).read())["body"]), None)  # the launch Alexa sends
""" + _REPORT

WEB_OURS = """
import time
started = time.perf_counter()
import json, sys
from pathlib import Path
from skill.web.app import WebConfig, create_app
from skill.runtime.stores import StoreConfig
request = json.loads(open(sys.argv[2]).read())
app = create_app(WebConfig(skill_ids=(request["skill_id"],), ca_bundle=Path(request["ca_bundle"]),
                           test_cert_chain=Path(request["chain"]).read_bytes(),
                           store=StoreConfig(kind="sqlite", sqlite_path=Path(request["db"]))))
response = app.test_client().post("/alexa", data=request["body"].encode(), headers=request["headers"],
                                  content_type="application/json")
answer = response.get_json() if response.status_code == 200 else {}
""" + _REPORT

WEB_MINIMAL = """
import time
started = time.perf_counter()
import json, sys
from benchmarks.baselines.minimal_web import app
request = json.loads(open(sys.argv[2]).read())
response = app.test_client().post("/alexa", data=request["body"].encode(), headers=request["headers"],
                                  content_type="application/json")
answer = response.get_json() if response.status_code == 200 else {}
""" + _REPORT

SUBJECTS = (
    ("Lambda handler", "cramp-coach", LAMBDA, "skill.lambda_function", {}),
    ("Lambda handler", "cramp-coach, SDK serializer", LAMBDA, "skill.lambda_function",
     {"CRAMP_COACH_FAST_SERIALIZER": "0"}),
    ("Lambda handler", "minimal SDK skill", LAMBDA, "benchmarks.baselines.minimal_lambda", {}),
    ("web app, first request", "cramp-coach", WEB_OURS, "", {}),
    ("web app, first request", "minimal SDK skill", WEB_MINIMAL, "", {}),
)
"""(entry, skill, script, argument, environment added for it)."""


def _start(script: str, argument: str, request_file: Path, env: dict[str, str]) -> dict[str, Any]:
    """Run one fresh process; the wall time is from its start to the line printed after its first answer."""
    started = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-c", script, argument, str(request_file)], cwd=REPO, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    line = process.stdout.readline() if process.stdout else ""
    wall_ms = (time.perf_counter() - started) * 1000
    _, errors = process.communicate(timeout=60)
    if process.returncode != 0 or not line:
        raise RuntimeError(f"cold start of {argument or 'web app'} failed:\n{errors}")
    figures = json.loads(line)
    if not figures["ok"]:
        raise RuntimeError(f"{argument or 'web app'}: the first request was not answered\n{errors}")
    return {"wall_ms": wall_ms, **figures}


def _request_file(workdir: Path, signer: Any, round_number: int) -> Path:
    body, headers = signer.sign(requests.launch(requests.listener(round_number)))
    path = workdir / "request.json"
    path.write_text(json.dumps({
        "body": body.decode(), "headers": headers, "skill_id": LOCAL_SKILL_ID, "ca_bundle": str(signer.ca_bundle),
        "chain": str(signer.chain_file), "db": str(workdir / f"cold-{round_number}.sqlite3"), "cert_url": CERT_URL,
    }))
    return path


def run(rounds: int = 10) -> dict[str, Any]:
    measured: dict[tuple[str, str], list[dict[str, Any]]] = {}
    with tempfile.TemporaryDirectory(prefix="cramp-coach-cold-") as tmp:
        workdir = Path(tmp)
        signer = make_signer(workdir)
        env = {name: value for name, value in os.environ.items()
               if not name.startswith("CRAMP_COACH_") and name != "PYTHONDONTWRITEBYTECODE"}
        env.update(PYTHONPATH=str(REPO), PYTHONPYCACHEPREFIX=str(workdir / "pycache"))
        for _, _, script, argument, extra in SUBJECTS:  # compile and cache the bytecode once
            _start(script, argument, _request_file(workdir, signer, 999), {**env, **extra})
        for round_number in range(rounds):
            request_file = _request_file(workdir, signer, round_number)
            order = SUBJECTS if round_number % 2 == 0 else tuple(reversed(SUBJECTS))
            for entry, name, script, argument, extra in order:
                measured.setdefault((entry, name), []).append(_start(script, argument, request_file, {**env, **extra}))
    rows = []
    for (entry, name), runs in measured.items():
        rows.append({
            "entry": entry, "skill": name,
            "wall_ms": report.spread(run["wall_ms"] for run in runs),
            "in_process_ms": report.spread(run["in_process_ms"] for run in runs),
            "peak_rss_mib": report.spread(run["peak_rss_kib"] / 1024 for run in runs),
            "loaded_of_flask_and_verification": sorted({name for run in runs for name in run["loaded"]}),
        })
    for row in rows:
        baseline = next(other for other in rows
                        if other["entry"] == row["entry"] and other["skill"] == "minimal SDK skill")
        row["vs_minimal"] = {key: report.ratio(row[key], baseline[key])
                             for key in ("wall_ms", "in_process_ms", "peak_rss_mib")}
    return {"settings": {"rounds": rounds, "target_ratio": TARGET}, "rows": rows}


def show(result: dict[str, Any]) -> str:
    lines = []
    for row in result["rows"]:
        ours = row["skill"] == "cramp-coach"
        lines.append([row["entry"], row["skill"], report.shown(row["wall_ms"], " ms"),
                      report.shown(row["in_process_ms"], " ms"), report.shown(row["peak_rss_mib"], " MiB", 1),
                      _against(row, "wall_ms", ours), _against(row, "peak_rss_mib", ours)])
    text = report.table(["entry", "skill", "start → first answer", "imports + first answer", "peak RSS",
                         "time ×min", "memory ×min"], lines)
    lambda_row = next(row for row in result["rows"]
                      if row["entry"] == "Lambda handler" and row["skill"] == "cramp-coach")
    loaded = lambda_row["loaded_of_flask_and_verification"]
    text += "\nLambda entry loads " + (", ".join(loaded) if loaded
                                       else "neither Flask nor the web-service verifier (checked)")
    return text


def _against(row: dict[str, Any], key: str, with_verdict: bool) -> str:
    ratio = row["vs_minimal"][key]
    return f"{ratio:.2f}×" + (f" {report.verdict(ratio, TARGET)}" if with_verdict else "")
