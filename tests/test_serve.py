"""``cramp-coach serve`` for real: gunicorn in a subprocess on a loopback port, talked to over HTTP.

Verification on is covered request by request in test_verify.py (it needs Amazon's bucket, or a
test CA); here the server with verification on proves it refuses an unsigned request.
"""

from __future__ import annotations

import http.client
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any, Iterator, Optional

import pytest
from click.testing import CliRunner

from skill import __version__

from skill.web import serve as serve_module
from skill.tools.cli import main
from skill.runtime.envelope import LOCAL_SKILL_ID, Session, SlotFill, intent_request, launch_request

from alexa_signing import Authority
from live_server import LiveServer

REPO = Path(__file__).resolve().parents[1]


def Server(tmp_path: Path, *args: str) -> LiveServer:
    """``cramp-coach serve`` with one worker unless the test asks for more."""
    return LiveServer(tmp_path, "--workers", "1", *args)


@pytest.fixture
def start(tmp_path) -> Iterator:
    servers: list[LiveServer] = []

    def starter(*args: str) -> LiveServer:
        server = Server(tmp_path, *args)
        servers.append(server)
        return server

    yield starter
    for server in servers:
        server.stop()


def speech(answer: dict[str, Any]) -> str:
    return answer["response"]["outputSpeech"]["ssml"]


def test_a_whole_conversation_over_real_http_then_a_clean_stop(start, tmp_path):
    server = start("--no-verify", "--workers", "2", "--sqlite-path", str(tmp_path / "memory.sqlite3"))
    assert server.wait_until_healthy() == {"status": "ok", "version": __version__}
    session = Session(user_id="amzn1.ask.account.E2EUSER")

    def say(envelope: dict[str, Any]) -> dict[str, Any]:
        status, answer = server.post(json.dumps(envelope).encode())
        assert status == 200, answer
        assert answer["response"].get("shouldEndSession") is False
        session.absorb(answer)
        return answer

    assert "Cramp Coach" in speech(say(launch_request(session)))
    cramp = say(intent_request(session, "CrampNowIntent", {"bodyPart": SlotFill("calf", "calf", "calf", "BodyPart")}))
    assert "toes" in speech(cramp) and "stretch" in speech(cramp).lower()
    assert "Step 1 of 6" in speech(say(intent_request(session, "AMAZON.YesIntent")))
    assert "Step 2 of 6" in speech(say(intent_request(session, "AMAZON.NextIntent")))

    assert server.stop() == 0
    assert "VERIFICATION IS OFF" in server.log
    assert "E2EUSER" not in server.log


def test_bad_input_over_real_http_is_a_json_400(start):
    server = start("--no-verify", "--store", "memory")
    server.wait_until_healthy()
    assert server.post(b"not json") == (400, {"error": "body: not JSON"})


def test_an_over_long_chunked_body_is_a_413_not_a_truncated_400(start):
    server = start("--no-verify", "--store", "memory")
    server.wait_until_healthy()
    envelope = launch_request(Session())
    assert post_chunked(server, json.dumps(envelope).encode())[0] == 200
    envelope["session"]["attributes"] = {"padding": "x" * 200_000}
    status, answer = post_chunked(server, json.dumps(envelope).encode())
    assert status == 413 and "body too large" in answer["error"]


def post_chunked(server: LiveServer, body: bytes) -> tuple[int, dict[str, Any]]:
    """POST ``body`` in 8 KiB chunks with Transfer-Encoding: chunked (no Content-Length), as a proxy may."""
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        chunks = (body[i:i + 8192] for i in range(0, len(body), 8192))
        connection.request("POST", "/alexa", body=chunks, encode_chunked=True,
                           headers={"Content-Type": "application/json", "Transfer-Encoding": "chunked"})
        response = connection.getresponse()
        return response.status, json.loads(response.read())
    finally:
        connection.close()


def test_with_verification_on_an_unsigned_request_is_refused(start, tmp_path):
    roots = tmp_path / "roots.pem"
    roots.write_bytes(Authority().root_pem)
    server = start("--ca-bundle", str(roots), "--skill-id", LOCAL_SKILL_ID, "--store", "memory")
    server.wait_until_healthy()
    body = json.dumps(launch_request(Session())).encode()
    assert server.post(body) == (400, {"error": "request verification failed"})
    assert server.post(body, {"SignatureCertChainUrl": "http://attacker.example/echo.api/c.pem",
                              "Signature-256": "c2ln"}) == (400, {"error": "request verification failed"})
    assert server.stop() == 0
    assert "VERIFICATION IS OFF" not in server.log
    assert "SignatureCertChainUrl header missing" in server.log


def test_no_verify_on_a_public_address_is_refused_with_exit_code_2(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "skill.tools.cli", "serve", "--no-verify", "--host", "0.0.0.0"],
        capture_output=True, text=True, cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(REPO)}, timeout=60,
    )
    assert result.returncode == 2
    assert "--no-verify" in result.stderr and "--i-know-this-is-insecure" in result.stderr
    assert "Traceback" not in result.stderr


# Settings: flags, environment variables, and which wins (the server itself is not started).

@pytest.fixture
def started(monkeypatch, tmp_path) -> list:
    calls: list = []
    monkeypatch.setattr(serve_module, "run_server", calls.append)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))  # the default SQLite file goes here
    return calls


def run_serve(*args: str, env: Optional[dict[str, str]] = None):
    return CliRunner().invoke(main, ["serve", *args], env=env, catch_exceptions=False)


def test_serve_defaults_to_loopback_with_verification_on(started):
    assert run_serve("--skill-id", LOCAL_SKILL_ID).exit_code == 0
    (settings,) = started
    assert (settings.host, settings.port, settings.workers) == ("127.0.0.1", 8080, 2)
    assert settings.web.verify and settings.web.skill_ids == (LOCAL_SKILL_ID,) and settings.web.ca_bundle is None
    assert settings.web.store.kind == "sqlite"


def test_verification_without_a_skill_id_is_refused_with_what_to_do(started):
    """Alexa signs every skill's requests alike: without an id this server would answer any skill."""
    result = run_serve()
    assert result.exit_code == 2 and started == []
    assert "--skill-id" in result.output and "--any-skill" in result.output and "Traceback" not in result.output
    assert run_serve(env={"CRAMP_COACH_SKILL_IDS": LOCAL_SKILL_ID}).exit_code == 0


def test_any_skill_must_be_asked_for_and_then_warns(started, caplog):
    assert run_serve("--any-skill").exit_code == 0
    assert started[0].web.skill_ids == () and "ANY skill" in caplog.text


def test_threads_default_to_eight_and_one_means_sync_workers(started):
    assert run_serve("--no-verify").exit_code == 0
    assert run_serve("--no-verify", "--threads", "1").exit_code == 0
    assert [settings.threads for settings in started] == [8, 1]


def test_without_verification_the_skill_id_stays_optional(started):
    assert run_serve("--no-verify").exit_code == 0


def test_every_worker_shares_one_store_so_memory_is_refused_with_several_workers(started):
    result = run_serve("--any-skill", "--store", "memory", "--workers", "2")
    assert result.exit_code == 2 and "--workers 1" in result.output and started == []
    assert run_serve("--any-skill", "--store", "memory", "--workers", "1").exit_code == 0


def test_store_settings_are_checked_before_any_worker_starts(started):
    result = run_serve("--any-skill", "--store", "dynamodb")
    assert result.exit_code == 2 and "table name is required" in result.output and started == []


def test_environment_variables_configure_serve_and_flags_win(started, tmp_path):
    bundle = tmp_path / "roots.pem"
    bundle.write_bytes(Authority().root_pem)
    env = {"CRAMP_COACH_HOST": "::1", "CRAMP_COACH_PORT": "9000", "CRAMP_COACH_WORKERS": "3",
           "CRAMP_COACH_SKILL_IDS": "amzn1.ask.skill.a, amzn1.ask.skill.b", "CRAMP_COACH_CA_BUNDLE": str(bundle)}
    assert run_serve(env=env).exit_code == 0
    assert run_serve("--port", "9001", "--skill-id", "amzn1.ask.skill.c", env=env).exit_code == 0
    from_env, flagged = started
    assert (from_env.host, from_env.port, from_env.workers, from_env.bind) == ("::1", 9000, 3, "[::1]:9000")
    assert from_env.web.skill_ids == ("amzn1.ask.skill.a", "amzn1.ask.skill.b")
    assert from_env.web.ca_bundle == bundle
    assert (flagged.port, flagged.web.skill_ids) == (9001, ("amzn1.ask.skill.c",))


def test_no_verify_can_come_from_the_environment_and_is_still_refused_off_loopback(started):
    result = run_serve("--host", "192.0.2.10", env={"CRAMP_COACH_NO_VERIFY": "1"})
    assert result.exit_code == 2 and started == []


def test_no_verify_off_loopback_is_allowed_when_she_insists(started, caplog):
    assert run_serve("--no-verify", "--host", "0.0.0.0", "--i-know-this-is-insecure").exit_code == 0
    (settings,) = started
    assert settings.host == "0.0.0.0" and not settings.web.verify
    assert "VERIFICATION IS OFF" in caplog.text


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.53", "localhost", "::1"])
def test_no_verify_is_fine_on_loopback(started, host):
    assert run_serve("--no-verify", "--host", host).exit_code == 0


def test_a_ca_bundle_that_is_not_pem_is_refused_at_start(started, tmp_path):
    bundle = tmp_path / "roots.pem"
    bundle.write_text("not a certificate")
    result = run_serve("--any-skill", "--ca-bundle", str(bundle))
    assert result.exit_code == 1 and "--ca-bundle" in result.output and started == []


def test_her_stretch_survives_a_restart_in_dynamodb(start, tmp_path, dynalite):
    """The DynamoDB store chosen by configuration (table, region, endpoint URL), served for real."""
    import boto3

    from skill.runtime.stores.dynamodb import wait_until_table_active

    table = "cramp-coach-serve"
    resource = boto3.resource("dynamodb", region_name="us-east-1", endpoint_url=dynalite.endpoint_url)
    resource.create_table(
        TableName=table, KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        ProvisionedThroughput={"ReadCapacityUnits": 5, "WriteCapacityUnits": 5},
    )
    wait_until_table_active(resource, table)
    options = ("--no-verify", "--workers", "2", "--store", "dynamodb", "--dynamodb-table", table,
               "--dynamodb-region", "us-east-1", "--dynamodb-endpoint-url", dynalite.endpoint_url)
    session = Session(user_id="amzn1.ask.account.DYNAMOUSER")
    first = start(*options, "--user-salt", "serve-salt")
    first.wait_until_healthy()
    for envelope in (launch_request, lambda s: intent_request(s, "StartWalkthroughIntent"),
                     lambda s: intent_request(s, "AMAZON.NextIntent")):
        status, answer = first.post(json.dumps(envelope(session)).encode())
        assert status == 200, answer
        session.absorb(answer)
    assert first.stop() == 0

    second = start(*options, "--user-salt", "serve-salt")
    second.wait_until_healthy()
    session.restart()
    status, answer = second.post(json.dumps(launch_request(session)).encode())
    assert status == 200 and "you were on step 2 of the stretch" in speech(answer)


def test_the_sqlite_file_can_be_named_with_db(start, tmp_path):
    db = tmp_path / "named.sqlite3"
    server = start("--no-verify", "--db", str(db))
    server.wait_until_healthy()
    status, _ = server.post(json.dumps(launch_request(Session(user_id="amzn1.ask.account.DB"))).encode())
    assert status == 200 and db.exists()
