"""A real local DynamoDB for the tests: dynalite (npm), started on a free loopback port."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
import urllib.request
from pathlib import Path
from typing import Optional

import pytest

PACKAGE_DIR = Path(__file__).resolve().parent / "dynalite"
BINARY = PACKAGE_DIR / "node_modules" / ".bin" / "dynalite"
START_TIMEOUT_SECONDS = 20


def dynalite_binary() -> Path:
    """The dynalite command, installed from tests/dynalite/package-lock.json when missing."""
    if BINARY.exists():
        return BINARY
    if shutil.which("node") is None or shutil.which("npm") is None:
        pytest.skip("Node.js is not installed, so the DynamoDB tests (dynalite) cannot run")
    subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--silent"], cwd=PACKAGE_DIR, check=True, timeout=300)
    return BINARY


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Dynalite:
    """One dynalite server on 127.0.0.1, backed by LevelDB in ``path``; can be stopped and restarted."""

    def __init__(self, path: Path, create_table_ms: int = 0) -> None:
        self.path = path
        self.create_table_ms = create_table_ms
        self.port = free_port()
        self.process: Optional[subprocess.Popen[bytes]] = None

    @property
    def endpoint_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> "Dynalite":
        self.process = subprocess.Popen(
            [str(dynalite_binary()), "--host", "127.0.0.1", "--port", str(self.port),
             "--path", str(self.path), "--createTableMs", str(self.create_table_ms), "--deleteTableMs", "0"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(self.endpoint_url, timeout=1)
                return self
            except urllib.error.HTTPError:
                return self  # it answers (400 to a bare GET): it is up
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError("dynalite did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None


def aws_test_credentials() -> None:
    """dynalite accepts any credentials; boto3 insists on having some."""
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "local")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "local")
