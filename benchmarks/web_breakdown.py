"""Where an HTTP request's time goes: the web apps called in process as gunicorn calls them (WSGI),
without sockets, with Cramp Coach's features taken away one at a time.

Same signed requests as over HTTP. Logging is configured as ``cramp-coach serve`` configures it
(INFO, one line per record, to a file here); "without logging" raises the level for that subject only.
"""

from __future__ import annotations

import io
import logging
import tempfile
import time
from pathlib import Path
from typing import Any, Callable

from werkzeug.test import EnvironBuilder

from benchmarks import report, requests
from benchmarks.signing import make_signer
from skill.runtime.builder import SkillConfig
from skill.runtime.envelope import LOCAL_SKILL_ID
from skill.web.serve import LOG_FORMAT
from skill.runtime.stores import StoreConfig
from skill.web.app import WebConfig, create_app

PASSES = 4
"""Times each subject goes through the request mix in a round."""

WsgiApp = Callable[..., Any]


def _subjects(workdir: Path, chain: bytes, ca_bundle: Path) -> list[tuple[str, WsgiApp, bool]]:
    from benchmarks.baselines.bare_flask import app as bare
    from benchmarks.baselines.minimal_web import app as minimal

    def ours(name: str, **changes: Any) -> WebConfig:
        settings = dict(skill_ids=(LOCAL_SKILL_ID,), ca_bundle=ca_bundle, test_cert_chain=chain,
                        store=StoreConfig(kind="sqlite", sqlite_path=workdir / f"{name}.sqlite3"))
        settings.update(changes)
        return WebConfig(**settings)

    return [
        ("bare Flask", bare, True),
        ("minimal SDK skill", minimal, True),
        ("cramp-coach, as served", create_app(ours("full")), True),
        ("  with ask-sdk's serializer", create_app(ours("sdk", skill=SkillConfig(fast_serializer=False))), True),
        ("  without verification", create_app(ours("no-verify", verify=False)), True),
        ("  memory instead of SQLite", create_app(ours("memory", store=None)), True),
        ("  without logging", create_app(ours("quiet")), False),
    ]


def _call(app: WsgiApp, environ: dict[str, Any], body: bytes) -> None:
    environ = dict(environ, **{"wsgi.input": io.BytesIO(body)})
    status: list[str] = []
    b"".join(app(environ, lambda line, headers, exc_info=None: status.append(line)))
    if not status[0].startswith("200"):
        raise RuntimeError(f"answered {status[0]}")


def run(rounds: int = 5) -> dict[str, Any]:
    timings: dict[str, list[dict[str, float]]] = {}
    root = logging.getLogger()
    with tempfile.TemporaryDirectory(prefix="cramp-coach-wsgi-") as tmp:
        workdir = Path(tmp)
        handler = logging.FileHandler(workdir / "serve.log")
        handler.setFormatter(logging.Formatter(LOG_FORMAT))
        saved_level, saved_handlers = root.level, list(root.handlers)
        root.handlers, root.level = [handler], logging.INFO
        try:
            signer = make_signer(workdir)
            subjects = _subjects(workdir, signer.chain_file.read_bytes(), signer.ca_bundle)
            for round_number in range(rounds):
                signed = [signer.sign(envelope) for envelope in requests.http_mix(32)]
                calls = [(EnvironBuilder(path="/alexa", method="POST", data=body, headers=headers,
                                         content_type="application/json").get_environ(), body)
                         for body, headers in signed]
                shift = round_number % len(subjects)
                for name, app, logs in subjects[shift:] + subjects[:shift]:
                    root.setLevel(logging.INFO if logs else logging.WARNING)
                    for environ, body in calls:  # warm-up
                        _call(app, environ, body)
                    measured = []
                    for _ in range(PASSES):
                        for environ, body in calls:
                            started = time.perf_counter_ns()
                            _call(app, environ, body)
                            measured.append((time.perf_counter_ns() - started) / 1000)
                    measured.sort()
                    timings.setdefault(name, []).append({"p50": report.percentile(measured, 0.5),
                                                         "mean": sum(measured) / len(measured)})
                print(f"  round {round_number + 1}/{rounds} done", flush=True)
        finally:
            root.handlers, root.level = saved_handlers, saved_level
            handler.close()
    rows = [{"app": name, "median_us": report.spread(t["p50"] for t in runs),
             "mean_us": report.spread(t["mean"] for t in runs)} for name, runs in timings.items()]
    full = next(row for row in rows if row["app"] == "cramp-coach, as served")
    for row in rows:
        row["vs_full_mean_us"] = row["mean_us"]["median"] - full["mean_us"]["median"]
    return {"settings": {"rounds": rounds, "passes": PASSES, "requests_per_pass": len(requests.HTTP_MIX) * 32},
            "rows": rows}


def show(result: dict[str, Any]) -> str:
    lines = [[row["app"], report.shown(row["median_us"], " µs"), report.shown(row["mean_us"], " µs"),
              "" if row["app"] in ("bare Flask", "minimal SDK skill", "cramp-coach, as served")
              else f"{row['vs_full_mean_us']:+.0f} µs"] for row in result["rows"]]
    return report.table(["WSGI app, in process", "median per request", "mean per request", "mean vs as served"],
                        lines)
