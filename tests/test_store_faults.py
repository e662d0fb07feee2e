"""A store that is locked, read-only or missing: ``serve`` says so at start in one line (exit 2), a
worker that cannot open it still starts and answers without memory, and ``/healthz`` tells an
operator while it lasts (503 with the reason) and when it is back (200). Her salt and records are
kept private (0600 files in a 0700 folder), the salt in its own file."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import stat
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner

from skill.runtime.builder import SkillConfig, build_skill
from skill.tools.cli import main
from skill.runtime.envelope import Session, launch_request
from skill.runtime.invoke import invoke
from skill.runtime.stores import StoreConfig, open_store
from skill.runtime.stores.sqlite import SALT_SUFFIX, SqliteAdapter
from skill.web.app import WebConfig, create_app

from live_server import REPO, LiveServer
from test_serve import started  # noqa: F401 (a fixture)

ALEXA_PATIENCE_SECONDS = 8.0
RESPAWN_SECONDS = 15.0


def healthz(url: str) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(f"{url}/healthz", timeout=5) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)


def workers_of(master: int) -> set[int]:
    children = set()
    for status in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = status.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == master and fields[0] != "Z":
            children.add(int(status.parent.name))
    return children


def wait_for_workers(master: int, count: int) -> set[int]:
    """The master's workers once ``count`` are up: healthy means one answers, not that all have forked."""
    deadline = time.monotonic() + RESPAWN_SECONDS
    while len(workers := workers_of(master)) < count and time.monotonic() < deadline:
        time.sleep(0.1)
    return workers


def locked(path: Path) -> sqlite3.Connection:
    """Another process's connection holding the write lock, as a backup tool or a stuck writer would."""
    blocker = sqlite3.connect(path, isolation_level=None)
    blocker.execute("BEGIN EXCLUSIVE")
    return blocker


def test_a_locked_database_and_kill_9_of_a_worker_leave_the_server_answering(tmp_path):
    database = tmp_path / "memory.sqlite3"
    server = LiveServer(tmp_path, "--no-verify", "--workers", "2", "--db", str(database))
    try:
        assert server.wait_until_healthy()["status"] == "ok"
        before = wait_for_workers(server.process.pid, 2)
        assert len(before) == 2
        blocker = locked(database)
        try:
            assert healthz(server.url)[0] == 503
            os.kill(min(before), signal.SIGKILL)
            deadline = time.monotonic() + RESPAWN_SECONDS
            while len(workers_of(server.process.pid) - before) < 1 and time.monotonic() < deadline:
                time.sleep(0.1)
            assert len(workers_of(server.process.pid) - before) == 1, server.log  # a replacement started
            started = time.monotonic()
            status, answer = server.post(json.dumps(launch_request(Session())).encode())
            assert status == 200 and "Cramp Coach" in answer["response"]["outputSpeech"]["ssml"]
            assert time.monotonic() - started < ALEXA_PATIENCE_SECONDS
            status, health = healthz(server.url)
            assert status == 503 and "locked" in health["problem"]
        finally:
            blocker.execute("ROLLBACK")
            blocker.close()
        assert healthz(server.url) == (200, {"status": "ok", "version": health["version"]})
        assert server.process.poll() is None
    finally:
        assert server.stop() == 0
    assert "Worker failed to boot" not in server.log


def test_a_worker_opening_a_locked_database_starts_and_answers_without_memory(tmp_path, content):
    database = tmp_path / "memory.sqlite3"
    SqliteAdapter(database).close()  # made and migrated, as serve's master does
    blocker = locked(database)
    try:
        store = open_store(StoreConfig(kind="sqlite", sqlite_path=database), prepare=False)
        store.inner.busy_timeout_ms = 50
        skill = build_skill(SkillConfig(content=content, persistence_adapter=store))
        answer = invoke(skill, launch_request(Session()))
        assert "Cramp Coach" in answer["response"]["outputSpeech"]["ssml"]
        assert "locked" in store.problem()
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    assert store.problem() is None


def test_healthz_is_503_with_the_reason_while_the_store_is_locked_and_200_after(tmp_path, content):
    database = tmp_path / "memory.sqlite3"
    SqliteAdapter(database).close()
    client = create_app(WebConfig(verify=False, store=StoreConfig(kind="sqlite", sqlite_path=database),
                                  skill=SkillConfig(content=content))).test_client()
    assert client.get("/healthz").status_code == 200
    blocker = locked(database)
    try:
        response = client.get("/healthz")
        assert response.status_code == 503
        assert response.get_json()["status"] == "store unavailable" and str(database) in response.get_json()["problem"]
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    assert client.get("/healthz").get_json()["status"] == "ok"


# At start: one line naming the path or setting and what to do, exit code 2, no traceback.
# (``started``: serve's settings without starting gunicorn, the fixture of test_serve.py.)


def test_a_database_path_that_cannot_be_made_is_one_line_naming_it(started, tmp_path):
    not_a_folder = tmp_path / "a-file"
    not_a_folder.write_text("")
    result = CliRunner().invoke(main, ["serve", "--no-verify", "--db", str(not_a_folder / "memory.sqlite3")])
    assert result.exit_code == 2 and started == []
    assert str(not_a_folder) in result.output and "--db" in result.output
    assert len(result.output.strip().splitlines()) == 1 and "Traceback" not in result.output


def test_a_database_locked_at_start_is_one_line_saying_what_to_do(started, tmp_path, monkeypatch):
    database = tmp_path / "memory.sqlite3"
    SqliteAdapter(database).close()
    monkeypatch.setattr("skill.runtime.stores.sqlite.BUSY_TIMEOUT_MS", 50)
    blocker = locked(database)
    try:
        result = CliRunner().invoke(main, ["serve", "--no-verify", "--db", str(database)])
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    assert result.exit_code == 2 and started == []
    assert "locked by another process" in result.output and str(database) in result.output


def as_another_user() -> list[str]:
    """Root writes any file, so a read-only database is tried as nobody (who must be able to run this code)."""
    if os.geteuid() != 0:
        return []
    nobody = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
    try:
        runs = subprocess.run([*nobody, sys.executable, "-c", "import skill.tools.cli"], cwd="/", capture_output=True,
                              timeout=60, env={**os.environ, "PYTHONPATH": str(REPO)}).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        runs = False
    if not runs:
        pytest.skip("running as root, and user nobody cannot run this checkout (its folder is private)")
    return nobody


def test_a_read_only_database_at_start_is_one_line_naming_the_path_exit_2():
    folder = Path(tempfile.mkdtemp(prefix="cramp-coach-readonly-"))
    try:
        database = folder / "memory.sqlite3"
        SqliteAdapter(database).close()
        for path in (folder, *folder.iterdir()):
            path.chmod(0o555 if path.is_dir() else 0o444)
        if os.geteuid() == 0:
            folder.chmod(0o755)  # nobody may read it but never write it
        result = subprocess.run([*as_another_user(), sys.executable, "-m", "skill.tools.cli", "serve", "--no-verify",
                                 "--db", str(database)], capture_output=True, text=True, timeout=60,
                                env={**os.environ, "PYTHONPATH": str(REPO), "HOME": str(folder)})
        assert result.returncode == 2, result.stderr
        error_lines = [line for line in result.stderr.splitlines() if line.startswith("Error")]
        assert len(error_lines) == 1 and str(database) in error_lines[0] and "writable" in error_lines[0]
        assert "Traceback" not in result.stderr
    finally:
        for path in (folder, *folder.iterdir()):
            path.chmod(0o700)
        for path in folder.iterdir():
            path.unlink()
        folder.rmdir()


# Privacy on disk.

def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_salt_has_its_own_file_and_nothing_is_group_or_world_readable(tmp_path):
    database = tmp_path / "cramp-coach" / "memory.sqlite3"
    store = open_store(StoreConfig(kind="sqlite", sqlite_path=database))
    invoke(build_skill(SkillConfig(persistence_adapter=store)), launch_request(Session()))
    salt = database.with_name(database.name + SALT_SUFFIX)
    assert mode(database.parent) == 0o700
    for path in (database, salt, *database.parent.glob("*-wal")):
        assert mode(path) == 0o600, path
    with sqlite3.connect(database) as connection:
        assert connection.execute("SELECT count(*) FROM meta WHERE key = 'user_key_salt'").fetchone()[0] == 0


def test_a_salt_kept_inside_an_older_database_moves_to_its_file_and_her_record_is_still_found(tmp_path, content):
    database = tmp_path / "memory.sqlite3"
    session = Session(user_id="amzn1.ask.account.OLDLISTENER")
    store = open_store(StoreConfig(kind="sqlite", sqlite_path=database))
    skill = build_skill(SkillConfig(content=content, persistence_adapter=store))
    assert "Cramp Coach" in invoke(skill, launch_request(session))["response"]["outputSpeech"]["ssml"]  # first visit
    salt_file = database.with_name(database.name + SALT_SUFFIX)
    old_salt = salt_file.read_bytes().strip()
    store.inner.close()
    with sqlite3.connect(database) as connection:  # as an older version left it: the salt inside, no file
        connection.execute("INSERT INTO meta (key, value) VALUES ('user_key_salt', ?)", (old_salt.decode(),))
    salt_file.unlink()
    database.chmod(0o644)

    reopened = open_store(StoreConfig(kind="sqlite", sqlite_path=database))
    session.restart()
    answer = invoke(build_skill(SkillConfig(content=content, persistence_adapter=reopened)), launch_request(session))
    assert "Cramp Coach" not in answer["response"]["outputSpeech"]["ssml"]  # she is known: no full welcome again
    assert salt_file.read_bytes().strip() == old_salt and mode(salt_file) == 0o600 and mode(database) == 0o600
    with sqlite3.connect(database) as connection:
        assert connection.execute("SELECT count(*) FROM meta WHERE key = 'user_key_salt'").fetchone()[0] == 0


# DynamoDB: the table is asked for at start, by serve and by the Lambda cold start.

def serve_dynamodb(dynalite, table: str):
    return CliRunner().invoke(main, ["serve", "--no-verify", "--store", "dynamodb", "--dynamodb-table", table,
                                     "--dynamodb-region", "us-east-1", "--dynamodb-endpoint-url", dynalite.endpoint_url,
                                     "--user-salt", "fault-salt"])


def test_serve_stops_at_start_when_the_dynamodb_table_does_not_exist(started, dynalite):
    result = serve_dynamodb(dynalite, "no-such-table")
    assert result.exit_code == 2 and started == []
    assert "'no-such-table' does not exist" in result.output and "--dynamodb-table" in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_serve_stops_at_start_when_the_table_has_another_key(started, dynalite):
    import boto3

    from skill.runtime.stores.dynamodb import wait_until_table_active

    resource = boto3.resource("dynamodb", region_name="us-east-1", endpoint_url=dynalite.endpoint_url)
    resource.create_table(TableName="other-key", KeySchema=[{"AttributeName": "userId", "KeyType": "HASH"}],
                          AttributeDefinitions=[{"AttributeName": "userId", "AttributeType": "S"}],
                          BillingMode="PAY_PER_REQUEST")
    wait_until_table_active(resource, "other-key")
    result = serve_dynamodb(dynalite, "other-key")
    assert result.exit_code == 2 and "expected only the partition key 'id'" in result.output


def test_a_lambda_cold_start_with_a_missing_table_says_so_and_still_answers(monkeypatch, dynalite, caplog):
    import importlib

    for name, value in {"CRAMP_COACH_DYNAMODB_TABLE": "no-such-lambda-table", "CRAMP_COACH_USER_SALT": "fault-salt",
                        "AWS_REGION": "us-east-1", "AWS_ENDPOINT_URL_DYNAMODB": dynalite.endpoint_url}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("CRAMP_COACH_SKILL_ID", raising=False)
    import skill.lambda_function

    container = importlib.reload(skill.lambda_function)
    assert any(record.levelname == "ERROR" and "does not exist" in record.getMessage() for record in caplog.records)
    answer = container.handler(launch_request(Session()), None)
    assert "Cramp Coach" in answer["response"]["outputSpeech"]["ssml"]
