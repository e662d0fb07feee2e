"""Figures for people: medians with their range over rounds, ratios, the machine, and the JSON kept."""

from __future__ import annotations

import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path
from typing import Any, Iterable, Sequence

RESULTS_DIR = Path(__file__).resolve().parent / "results"
PACKAGES = ("ask-sdk-core", "ask-sdk-model", "flask", "werkzeug", "gunicorn", "cryptography", "orjson", "python-dateutil")


def percentile(sorted_values: Sequence[float], fraction: float) -> float:
    """Nearest-rank percentile of already sorted values."""
    index = min(len(sorted_values) - 1, max(0, int(round(fraction * len(sorted_values) + 0.5)) - 1))
    return sorted_values[index]


def spread(values: Iterable[float]) -> dict[str, float]:
    """Median and range of one figure over the rounds."""
    values = list(values)
    return {"median": statistics.median(values), "min": min(values), "max": max(values), "rounds": len(values)}


def shown(figure: dict[str, float], unit: str = "", digits: int = 0) -> str:
    """``164 (158–171)``: the median, then the range over rounds."""
    fmt = f"{{:,.{digits}f}}"
    return f"{fmt.format(figure['median'])}{unit} ({fmt.format(figure['min'])}–{fmt.format(figure['max'])})"


def ratio(ours: dict[str, float], theirs: dict[str, float]) -> float:
    return ours["median"] / theirs["median"]


def verdict(value: float, limit: float, at_most: bool = True) -> str:
    met = value <= limit if at_most else value >= limit
    return f"{'met' if met else 'MISSED'} ({'≤' if at_most else '≥'} {limit:g}×)"


def table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    widths = [max(len(str(cell)) for cell in column) for column in zip(headers, *rows)]
    line = lambda cells: "  ".join(str(cell).ljust(width) for cell, width in zip(cells, widths))  # noqa: E731
    return "\n".join([line(headers), line("-" * width for width in widths), *(line(row) for row in rows)])


def machine() -> dict[str, Any]:
    """What the figures were measured on."""
    cpu = "unknown"
    try:
        for text_line in Path("/proc/cpuinfo").read_text().splitlines():
            if text_line.startswith("model name"):
                cpu = text_line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    versions = {}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    wrk = shutil.which("wrk")
    wrk_version = None
    if wrk:
        result = subprocess.run([wrk, "--version"], capture_output=True, text=True)
        output = (result.stdout or result.stderr).strip()
        wrk_version = output.splitlines()[0] if output else None
    return {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "packages": versions,
        "wrk": wrk_version,
    }


def describe(info: dict[str, Any]) -> str:
    return f"{info['nproc']} cores, {info['cpu']}, Python {info['python']}, {info['platform']}"


def save(name: str, payload: dict[str, Any]) -> Path:
    """Write ``results/<name>-<UTC time>.json``; docs/performance.md names the runs it quotes."""
    RESULTS_DIR.mkdir(exist_ok=True)
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    path = RESULTS_DIR / f"{name}-{stamp}.json"
    path.write_text(json.dumps({"benchmark": name, "at": stamp, "machine": machine(), **payload}, indent=2) + "\n")
    return path
