"""Over HTTP on loopback: ``cramp-coach serve`` (verification on, SQLite; gthread workers) against the
minimal SDK skill and bare Flask under gunicorn ``-w 2 -k sync``, loaded by wrk with 16 connections.

Every server runs for the whole benchmark; each round sends the same signed requests (signed at
the start of the round, so their timestamps stay well within Amazon's 150 s) to each server in
turn, the order rotating from round to round. Any error or non-200 answer stops the benchmark.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

from benchmarks import report, requests, use_test_helpers
from benchmarks.signing import CERT_URL, TestSigner, make_signer
from skill.runtime.envelope import LOCAL_SKILL_ID

use_test_helpers()
from live_server import free_port, stop_process_group  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
WORKERS = 2
CONNECTIONS = 16
WRK_THREADS = 2
LISTENERS = 32
WARM_UP_SECONDS = 2
START_SECONDS = 30
RPS_TARGET = 0.85
RPS_GOAL = 1.0
P99_TARGET = 1.5
OURS, OURS_SDK, MINIMAL, BARE = "cramp-coach", "cramp-coach, SDK serializer", "minimal SDK skill", "bare Flask"


@dataclass
class Server:
    """One server under gunicorn, in its own process group, its log in a file."""

    name: str
    command: list[str]
    workdir: Path
    env: dict[str, str] = field(default_factory=dict)
    port: int = field(default_factory=free_port)
    process: Optional[subprocess.Popen] = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def log_path(self) -> Path:
        return self.workdir / f"{self.name.replace(' ', '-').replace(',', '')}.log"

    def start(self) -> None:
        command = [part.replace("{port}", str(self.port)) for part in self.command]
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(command, cwd=REPO, stdout=log, stderr=subprocess.STDOUT,
                                            env={**os.environ, "PYTHONPATH": str(REPO), **self.env},
                                            start_new_session=True)

    def wait_ready(self, body: bytes, headers: dict[str, str]) -> None:
        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited:\n{self.log_tail()}")
            try:
                request = urllib.request.Request(f"{self.url}/alexa", data=body, method="POST",
                                                 headers={"Content-Type": "application/json", **headers})
                with urllib.request.urlopen(request, timeout=5) as response:
                    if response.status == 200:
                        return
            except (OSError, urllib.error.HTTPError):
                time.sleep(0.2)
        raise RuntimeError(f"{self.name} not answering after {START_SECONDS} s:\n{self.log_tail()}")

    def _workers(self) -> list[tuple[Path, list[str]]]:
        """The gunicorn workers' /proc directories and stat fields."""
        assert self.process is not None
        found = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
                if int(fields[1]) == self.process.pid:
                    found.append((stat.parent, fields))
            except (OSError, IndexError, ValueError):
                continue
        return found

    def cpu_seconds(self) -> float:
        """User and system CPU time of the master and its workers so far."""
        assert self.process is not None
        ticks = os.sysconf("SC_CLK_TCK")
        total = 0.0
        stats = [fields for _, fields in self._workers()]
        try:
            stats.append((Path("/proc") / str(self.process.pid) / "stat").read_text().rsplit(")", 1)[1].split())
        except OSError:
            pass
        for fields in stats:
            total += (int(fields[11]) + int(fields[12])) / ticks  # utime, stime
        return total

    def worker_memory_kib(self) -> list[dict[str, int]]:
        """VmRSS and VmHWM (peak) of each gunicorn worker, from /proc."""
        workers = []
        for directory, _ in self._workers():
            try:
                status = (directory / "status").read_text().splitlines()
            except OSError:
                continue
            values = {line.split(":")[0]: int(line.split()[1])
                      for line in status if line.startswith(("VmRSS", "VmHWM"))}
            workers.append({"rss_kib": values.get("VmRSS", 0), "peak_kib": values.get("VmHWM", 0)})
        return workers

    def stop(self) -> None:
        if self.process is not None:
            stop_process_group(self.process)

    def log_tail(self, lines: int = 30) -> str:
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])


def _servers(workdir: Path, signer: TestSigner, also_threads: tuple[int, ...] = ()) -> list[Server]:
    gunicorn = [sys.executable, "-m", "gunicorn", "-w", str(WORKERS), "-k", "sync", "-b", "127.0.0.1:{port}"]
    serve = [sys.executable, "-m", "skill.tools.cli", "serve", "--port", "{port}", "--workers", str(WORKERS),
             "--skill-id", LOCAL_SKILL_ID, "--ca-bundle", str(signer.ca_bundle), "--store", "sqlite",
             "--allow-test-cert-chain"]
    test_chain = {"CRAMP_COACH_TEST_CERT_CHAIN_FILE": str(signer.chain_file)}
    return [
        Server(OURS, [*serve, "--sqlite-path", str(workdir / "ours.sqlite3")], workdir, test_chain),
        Server(OURS_SDK, [*serve, "--sqlite-path", str(workdir / "ours-sdk.sqlite3"), "--sdk-serializer"],
               workdir, test_chain),
        *(Server(f"{OURS}, --threads {threads}",
                 [*serve, "--sqlite-path", str(workdir / f"ours-{threads}.sqlite3"), "--threads", str(threads)],
                 workdir, test_chain) for threads in also_threads),
        Server(MINIMAL, [*gunicorn, "benchmarks.baselines.minimal_web:app"], workdir),
        Server(BARE, [*gunicorn, "benchmarks.baselines.bare_flask:app"], workdir),
    ]


def _lua_script(path: Path, signed: list[tuple[bytes, dict[str, str]]], port: int) -> None:
    """A wrk script that posts the signed bodies in turn and prints its figures as JSON."""
    def long_string(text: str) -> str:
        level = "=" * 3
        while f"]{level}]" in text:
            level += "="
        return f"[{level}[{text}]{level}]"

    entries = ",\n".join(
        "{" + f'body = {long_string(body.decode())}, signature = "{headers["Signature-256"]}"' + "}"
        for body, headers in signed
    )
    path.write_text(f"""-- generated by benchmarks/over_http.py: signed Alexa requests, posted in turn
local signed = {{
{entries}
}}
local prepared = {{}}
local position = 0

function init(args)
  for i, entry in ipairs(signed) do
    prepared[i] = wrk.format("POST", "/alexa", {{
      ["Host"] = "127.0.0.1:{port}",
      ["Content-Type"] = "application/json",
      ["SignatureCertChainUrl"] = "{CERT_URL}",
      ["Signature-256"] = entry.signature,
    }}, entry.body)
  end
  position = math.random(#prepared)
end

function request()
  position = position % #prepared + 1
  return prepared[position]
end

function done(summary, latency, requests)
  io.write(string.format(
    '{{"requests": %d, "duration_us": %d, "connect_errors": %d, "read_errors": %d, "write_errors": %d, ' ..
    '"status_errors": %d, "timeouts": %d, "p50_us": %d, "p90_us": %d, "p99_us": %d, "max_us": %d}}\\n',
    summary.requests, summary.duration, summary.errors.connect, summary.errors.read, summary.errors.write,
    summary.errors.status, summary.errors.timeout, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max))
end
""")


def _wrk(server: Server, signer: TestSigner, workdir: Path, seconds: int) -> dict[str, Any]:
    signed = [signer.sign(envelope) for envelope in requests.http_mix(LISTENERS)]
    script = workdir / f"post-{server.port}.lua"
    _lua_script(script, signed, server.port)
    cpu_before = server.cpu_seconds()
    result = subprocess.run(["wrk", f"-t{WRK_THREADS}", f"-c{CONNECTIONS}", f"-d{seconds}s", "--timeout", "5s",
                             "-s", str(script), f"{server.url}/alexa"],
                            capture_output=True, text=True, timeout=seconds + 60)
    lines = [line for line in result.stdout.splitlines() if line.startswith("{")]
    if result.returncode != 0 or not lines:
        raise RuntimeError(f"wrk failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
    figures = json.loads(lines[-1])
    figures["server_cpu_us_per_request"] = (server.cpu_seconds() - cpu_before) * 1e6 / max(1, figures["requests"])
    errors = {key: value for key, value in figures.items() if key.endswith(("errors", "timeouts")) and value}
    if errors:
        raise RuntimeError(f"{server.name}: {errors} during the run; last log lines:\n{server.log_tail()}")
    figures["rps"] = figures["requests"] / (figures["duration_us"] / 1e6)
    return figures


def run(rounds: int = 3, duration: int = 10, also_threads: tuple[int, ...] = ()) -> dict[str, Any]:
    """``also_threads``: Cramp Coach again with ``serve --threads N`` (1: sync workers) for each N."""
    if shutil.which("wrk") is None:
        raise SystemExit("over HTTP needs wrk: apt-get install wrk (or brew install wrk)")
    runs: dict[str, list[dict[str, Any]]] = {}
    memory: dict[str, list[dict[str, int]]] = {}
    with tempfile.TemporaryDirectory(prefix="cramp-coach-http-") as tmp:
        workdir = Path(tmp)
        signer = make_signer(workdir)
        servers = _servers(workdir, signer, also_threads)
        try:
            for server in servers:
                server.start()
            probe = requests.launch(requests.listener(9999))
            for server in servers:
                server.wait_ready(*signer.sign(probe))
                _wrk(server, signer, workdir, WARM_UP_SECONDS)
            for round_number in range(rounds):
                shift = round_number % len(servers)
                for server in servers[shift:] + servers[:shift]:
                    runs.setdefault(server.name, []).append(_wrk(server, signer, workdir, duration))
                print(f"  round {round_number + 1}/{rounds} done", flush=True)
            for server in servers:
                memory[server.name] = server.worker_memory_kib()
        finally:
            for server in servers:
                server.stop()
    rows = []
    for name, measured in runs.items():
        rows.append({
            "server": name,
            "rps": report.spread(run["rps"] for run in measured),
            "p50_us": report.spread(run["p50_us"] for run in measured),
            "p99_us": report.spread(run["p99_us"] for run in measured),
            "server_cpu_us": report.spread(run["server_cpu_us_per_request"] for run in measured),
            "requests": sum(run["requests"] for run in measured),
            "workers_memory_kib": memory.get(name, []),
            "rps_by_round": [run["rps"] for run in measured],
        })
    by_name = {row["server"]: row for row in rows}
    for row in rows:
        for baseline, key in ((MINIMAL, "vs_minimal"), (BARE, "vs_bare")):
            row[key] = {"rps": report.ratio(row["rps"], by_name[baseline]["rps"]),
                        "p99": report.ratio(row["p99_us"], by_name[baseline]["p99_us"])}
        row["vs_minimal"]["rps_by_round"] = report.spread(  # the same round: the machine as it was then
            ours / theirs for ours, theirs in zip(row["rps_by_round"], by_name[MINIMAL]["rps_by_round"]))
    return {"settings": {"rounds": rounds, "seconds_per_run": duration, "connections": CONNECTIONS,
                         "wrk_threads": WRK_THREADS, "gunicorn": f"-w {WORKERS} -k sync", "listeners": LISTENERS,
                         "requests_per_listener": [name for name, _ in requests.HTTP_MIX],
                         "targets": {"rps_vs_minimal": RPS_TARGET, "rps_goal_vs_minimal": RPS_GOAL,
                                     "p99_vs_minimal": P99_TARGET}},
            "rows": rows}


def show(result: dict[str, Any]) -> str:
    lines = []
    for row in result["rows"]:
        peak = max((worker["peak_kib"] for worker in row["workers_memory_kib"]), default=0) / 1024
        lines.append([row["server"], report.shown(row["rps"], "/s"), report.shown(row["p50_us"], " µs"),
                      report.shown(row["p99_us"], " µs"), f"{row['server_cpu_us']['median']:.0f} µs",
                      f"{row['vs_minimal']['rps']:.2f}×",
                      f"{row['vs_minimal']['p99']:.2f}×", f"{row['vs_bare']['rps']:.2f}×", f"{peak:.0f} MiB"])
    text = report.table(["server", "requests", "median latency", "p99 latency", "server CPU/request",
                         "req/s ×min", "p99 ×min",
                         "req/s ×bare", "worker peak RSS"], lines)
    ours = next(row for row in result["rows"] if row["server"] == OURS)
    text += (f"\ncramp-coach: req/s {ours['vs_minimal']['rps']:.2f}× the minimal skill: "
             f"{report.verdict(ours['vs_minimal']['rps'], RPS_TARGET, at_most=False)}, "
             f"goal {report.verdict(ours['vs_minimal']['rps'], RPS_GOAL, at_most=False)}; "
             f"p99 {ours['vs_minimal']['p99']:.2f}×: {report.verdict(ours['vs_minimal']['p99'], P99_TARGET)}")
    by_round = ours["vs_minimal"]["rps_by_round"]
    text += (f"\ncramp-coach: req/s ×min round by round {by_round['median']:.2f}× "
             f"({by_round['min']:.2f}–{by_round['max']:.2f}×)")
    return text
