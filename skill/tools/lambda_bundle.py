"""``cramp-coach build-lambda OUT``: the folder AWS Lambda runs, with only what the Lambda path imports.

The default install carries the web service (Flask, gunicorn, cryptography, orjson); the Lambda
entry imports none of them, so the bundle gets only the package's ``SHIPPED`` parts (the entry and
``runtime/``, never ``web/`` or ``tools/``) without those dependencies,
plus the closure of ``LAMBDA_ROOTS`` pinned to the versions installed here (the ones the tests
ran against), as manylinux wheels for the Lambda runtime's Python. boto3 is left to the runtime,
which provides it. Bytecode is compiled by an interpreter of the runtime's version, or left out:
a ``.pyc`` for the builder's Python would be ignored on Lambda and only cost space.
"""

from __future__ import annotations

import importlib.metadata
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Optional

from skill.runtime.resources import data_dir

LAMBDA_RUNTIME = "python3.13"
"""The newest Python that CI tests, and a Lambda runtime with SnapStart (3.12 and newer)."""
LAMBDA_PLATFORM = "manylinux2014_x86_64"
"""The stack's function runs on x86_64 (Architectures in skill-stack.yaml); wheels must match."""
LAMBDA_HANDLER = "skill.lambda_function.handler"
LAMBDA_ROOTS = ("ask-sdk-core", "pyyaml", "ask-sdk-dynamodb-persistence-adapter")
"""What skill.lambda_function imports (the adapter for her memory in DynamoDB)."""
PROVIDED_BY_RUNTIME = frozenset({"boto3", "botocore", "s3transfer", "jmespath"})
"""The Lambda Python runtimes ship boto3; bundling it would add ~25 MB for no gain here."""
BUNDLE_MARKER = ".cramp-coach-lambda"
"""Written into every bundle, so build-lambda only ever empties a folder it made itself."""
PIP_TIMEOUT_SECONDS = 600
DATA_FOLDERS = ("content", "apl")
"""Shipped inside the package, as in the wheel (pyproject's force-include), so resources.py finds them."""
SHIPPED = ("__init__.py", "lambda_function.py", "runtime")
"""What answers a request on Lambda; ``web/`` and ``tools/`` run elsewhere (tests/test_layout.py)."""
LEFT_OUT = ("__pycache__", "*.pyc", "interaction_models")
"""Bytecode of the builder's Python, and the interaction models: Alexa sends intents, so only
people's tools (say, chat, check) read them (~4 MB)."""


class BundleError(RuntimeError):
    """The bundle could not be built; the message says what to do."""


@dataclass(frozen=True)
class Bundle:
    path: Path
    requirements: tuple[str, ...]
    compiled_for: Optional[str]
    """The Python version the bytecode is for, or None when it was left out."""

    def size_bytes(self) -> int:
        return sum(f.stat().st_size for f in self.path.rglob("*") if f.is_file())


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pinned_closure(roots: Iterable[str] = LAMBDA_ROOTS) -> tuple[str, ...]:
    """``name==version`` for ``roots`` and everything they need, as installed here, minus the runtime's own."""
    seen: dict[str, str] = {}
    pending = [_canonical(r) for r in roots]
    while pending:
        name = pending.pop()
        if name in seen or name in PROVIDED_BY_RUNTIME:
            continue
        try:
            dist = importlib.metadata.distribution(name)
        except importlib.metadata.PackageNotFoundError:
            raise BundleError(f"{name} is not installed here; install the Lambda extras first: "
                              "pip install '.[dynamodb]'") from None
        seen[name] = dist.version
        for requirement in dist.requires or []:
            if re.search(r"extra\s*==", requirement):
                continue
            match = re.match(r"[A-Za-z0-9._-]+", requirement)
            dependency = _canonical(match.group(0)) if match else ""
            if dependency and _installed(dependency):
                pending.append(dependency)
    return tuple(f"{name}=={version}" for name, version in sorted(seen.items()))


def _installed(name: str) -> bool:
    try:
        importlib.metadata.distribution(name)
    except importlib.metadata.PackageNotFoundError:
        return False
    return True


def runtime_version(runtime: str = LAMBDA_RUNTIME) -> str:
    """"python3.13" → "3.13"."""
    match = re.fullmatch(r"python(3\.\d+)", runtime)
    if not match:
        raise BundleError(f"{runtime!r} is not a Lambda Python runtime (python3.N)")
    return match.group(1)


def interpreter_for(version: str) -> Optional[str]:
    """A Python of exactly ``version`` to compile bytecode with: this one, one on PATH, or pyenv's."""
    if f"{sys.version_info.major}.{sys.version_info.minor}" == version:
        return sys.executable
    candidates = [shutil.which(f"python{version}")]
    pyenv = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"
    if pyenv.is_dir():
        candidates += [str(p / "bin" / "python") for p in sorted(pyenv.glob(f"{version}.*"), reverse=True)]
    return next((c for c in candidates if c and _reports_version(c, version)), None)


def _reports_version(python: str, version: str) -> bool:
    """A launcher on PATH (a pyenv shim) may exist yet run another Python, or none."""
    try:
        result = subprocess.run([python, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
                                capture_output=True, text=True, timeout=30)
    except OSError:
        return False
    return result.returncode == 0 and result.stdout.strip() == version


def _empty(out: Path) -> None:
    if out.exists():
        if not out.is_dir():
            raise BundleError(f"{out} is a file; give a folder for the Lambda bundle")
        if any(out.iterdir()) and not (out / BUNDLE_MARKER).exists():
            raise BundleError(f"{out} is not empty and was not made by build-lambda; "
                              "give an empty or new folder (nothing there is deleted)")
        shutil.rmtree(out)
    out.mkdir(parents=True)
    (out / BUNDLE_MARKER).write_text("being built\n", encoding="utf-8")  # so a failed build can be retried


def _pip(args: list[str]) -> None:
    command = [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
               "--no-compile", *args]
    result = subprocess.run(command, capture_output=True, text=True, timeout=PIP_TIMEOUT_SECONDS)
    if result.returncode != 0:
        raise BundleError(f"pip failed ({' '.join(command[3:])}):\n{result.stderr.strip()[-2000:]}")


def _copy_own_code(out: Path) -> None:
    """The ``skill`` package's run-time parts with its data folders inside, from a checkout or a wheel alike."""
    package = Path(__file__).resolve().parents[1]
    target = out / package.name
    target.mkdir()
    for name in SHIPPED:
        if (package / name).is_dir():
            shutil.copytree(package / name, target / name, ignore=shutil.ignore_patterns(*LEFT_OUT))
        else:
            shutil.copy2(package / name, target / name)
    for name in DATA_FOLDERS:
        shutil.copytree(data_dir(name), target / name, ignore=shutil.ignore_patterns(*LEFT_OUT))


def build_lambda(out: Path, runtime: str = LAMBDA_RUNTIME) -> Bundle:
    """Empty ``out`` and install the Lambda bundle into it; see the module docstring."""
    version = runtime_version(runtime)
    out = out.resolve()
    requirements = pinned_closure()
    _empty(out)
    _copy_own_code(out)
    _pip(["--no-deps", "--target", str(out), "--platform", LAMBDA_PLATFORM, "--python-version", version,
          "--implementation", "cp", "--only-binary=:all:", *requirements])
    shutil.rmtree(out / "bin", ignore_errors=True)  # console scripts: nothing on Lambda runs them
    python = interpreter_for(version)
    if python:
        # unchecked-hash: Lambda's /var/task is read-only, and the .pyc must not depend on file times.
        subprocess.run([python, "-m", "compileall", "-q", "-j", "0", "--invalidation-mode", "unchecked-hash",
                        str(out)], check=True, capture_output=True, timeout=PIP_TIMEOUT_SECONDS)
    (out / BUNDLE_MARKER).write_text(f"{runtime}\n" + "\n".join(requirements) + "\n", encoding="utf-8")
    return Bundle(out, requirements, version if python else None)
