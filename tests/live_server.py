"""``cramp-coach serve`` for real, in its own process group, for the load and crash tests.

Its log goes to a file (a full pipe would block it); ``kill()`` is ``kill -9`` of the whole
group, the gunicorn master and its workers together, as a crash or an OOM killer would.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any, Optional

REPO = Path(__file__).resolve().parents[1]
STARTUP_SECONDS = 30
STOP_SECONDS = 15
REQUEST_TIMEOUT_SECONDS = 10


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def stop_process_group(process: subprocess.Popen, timeout: float = STOP_SECONDS) -> None:
    """SIGTERM to the whole group, as a service manager stops it; SIGKILL if it will not go."""
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


class LiveServer:
    def __init__(self, workdir: Path, *args: str, env: Optional[dict[str, str]] = None) -> None:
        self.port = free_port()
        self.log_path = workdir / f"serve-{self.port}.log"
        self._log = self.log_path.open("wb")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "skill.tools.cli", "serve", "--port", str(self.port), *args],
            stdout=self._log, stderr=subprocess.STDOUT, cwd=workdir, start_new_session=True,
            env={**os.environ, "PYTHONPATH": str(REPO), **(env or {})},
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def wait_until_healthy(self) -> dict[str, Any]:
        """The /healthz answer, once the server gives one."""
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"server exited with {self.process.returncode}:\n{self.log}")
            try:
                with urllib.request.urlopen(f"{self.url}/healthz", timeout=2) as response:
                    return json.load(response)
            except OSError:
                time.sleep(0.1)
        raise AssertionError(f"server not healthy after {STARTUP_SECONDS} s:\n{self.log}")

    def post(self, body: bytes, headers: Optional[dict[str, str]] = None) -> tuple[int, dict[str, Any]]:
        request = urllib.request.Request(f"{self.url}/alexa", data=body, method="POST",
                                         headers={"Content-Type": "application/json", **(headers or {})})
        try:
            with urllib.request.urlopen(request, timeout=REQUEST_TIMEOUT_SECONDS) as response:
                return response.status, json.load(response)
        except urllib.error.HTTPError as error:
            return error.code, json.load(error)

    def stop(self) -> int:
        """SIGTERM, as a service manager stops it; SIGKILL if it will not go."""
        stop_process_group(self.process)
        self._log.close()
        return self.process.returncode

    def kill(self) -> None:
        """``kill -9`` of the master and every worker at once; returns when all of them are gone."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()
        deadline = time.monotonic() + STOP_SECONDS
        while living_in_group(self.process.pid):
            if time.monotonic() > deadline:
                raise AssertionError("workers still running after kill -9 of their process group")
            time.sleep(0.05)
        self._log.close()


def living_in_group(group: int) -> list[int]:
    """Processes of this process group that are still running (not zombies waiting to be reaped)."""
    living = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            state, _, process_group = stat.read_text().rsplit(")", 1)[1].split()[:3]
        except (OSError, ValueError):
            continue
        if int(process_group) == group and state != "Z":
            living.append(int(stat.parent.name))
    return living
