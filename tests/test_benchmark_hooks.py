"""What the benchmarks need from ``cramp-coach serve``, and that it is never on by accident.

A test certificate chain (CRAMP_COACH_TEST_CERT_CHAIN_FILE) is used only with
--allow-test-cert-chain too, only on loopback, only with verification on, and loudly; it still
has to lead to a trusted root. --sdk-serializer switches the compiled serializer off.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Optional

import pytest
from click.testing import CliRunner

from skill.web import serve as serve_module
from skill.tools.cli import main
from skill.runtime.envelope import LOCAL_SKILL_ID, Session, launch_request

from alexa_signing import CERT_URL, Authority, body_of
from live_server import LiveServer

CHAIN_VARIABLE = "CRAMP_COACH_TEST_CERT_CHAIN_FILE"


@pytest.fixture
def started(monkeypatch, tmp_path) -> list:
    calls: list = []
    monkeypatch.setattr(serve_module, "run_server", calls.append)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.delenv(CHAIN_VARIABLE, raising=False)
    return calls


@pytest.fixture
def signer_files(tmp_path):
    now = datetime.now(timezone.utc)
    authority = Authority()
    signer = authority.issue(not_before=now - timedelta(days=1), not_after=now + timedelta(days=30))
    roots, chain = tmp_path / "roots.pem", tmp_path / "chain.pem"
    roots.write_bytes(authority.root_pem)
    chain.write_bytes(signer.chain_pem)
    return signer, roots, chain


def run_serve(*args: str, env: Optional[dict[str, str]] = None):
    return CliRunner().invoke(main, ["serve", "--skill-id", LOCAL_SKILL_ID, *args], env=env, catch_exceptions=False)


def test_without_the_variable_and_the_flag_nothing_changes(started):
    assert run_serve().exit_code == 0
    (settings,) = started
    assert settings.web.test_cert_chain is None and settings.web.skill.fast_serializer


def test_the_variable_alone_is_refused_with_what_to_do(started, signer_files):
    _, _, chain = signer_files
    result = run_serve(env={CHAIN_VARIABLE: str(chain)})
    assert result.exit_code == 2 and started == []
    assert CHAIN_VARIABLE in result.output and "--allow-test-cert-chain" in result.output


def test_the_flag_alone_is_refused(started):
    result = run_serve("--allow-test-cert-chain")
    assert result.exit_code == 2 and CHAIN_VARIABLE in result.output and started == []


@pytest.mark.parametrize("args", [("--host", "0.0.0.0"), ("--no-verify",)])
def test_a_test_chain_is_refused_off_loopback_or_without_verification(started, signer_files, args):
    _, _, chain = signer_files
    result = run_serve("--allow-test-cert-chain", "--i-know-this-is-insecure", *args, env={CHAIN_VARIABLE: str(chain)})
    assert result.exit_code == 2 and started == []


def test_a_file_that_is_not_a_chain_is_refused(started, tmp_path):
    not_pem = tmp_path / "chain.pem"
    not_pem.write_text("hello")
    result = run_serve("--allow-test-cert-chain", env={CHAIN_VARIABLE: str(not_pem)})
    assert result.exit_code == 2 and "no PEM certificates" in result.output


def test_with_both_the_chain_is_used_and_it_says_so_loudly(started, signer_files, caplog):
    _, roots, chain = signer_files
    result = run_serve("--allow-test-cert-chain", "--ca-bundle", str(roots), env={CHAIN_VARIABLE: str(chain)})
    assert result.exit_code == 0
    (settings,) = started
    assert settings.web.test_cert_chain == chain.read_bytes()
    assert "TEST CERTIFICATE CHAIN IN USE" in caplog.text


def test_sdk_serializer_switches_the_compiled_serializer_off(started):
    assert run_serve("--sdk-serializer").exit_code == 0
    assert run_serve(env={"CRAMP_COACH_FAST_SERIALIZER": "0"}).exit_code == 0
    assert [settings.web.skill.fast_serializer for settings in started] == [False, False]


def test_a_real_server_verifies_signed_requests_against_the_test_chain(tmp_path, signer_files):
    signer, roots, chain = signer_files
    server = LiveServer(tmp_path, "--workers", "1", "--store", "memory", "--skill-id", LOCAL_SKILL_ID,
                        "--ca-bundle", str(roots), "--allow-test-cert-chain", env={CHAIN_VARIABLE: str(chain)})
    try:
        server.wait_until_healthy()
        body = body_of(launch_request(Session()), at=datetime.now(timezone.utc))
        status, answer = server.post(body, signer.headers(body, CERT_URL))
        assert status == 200 and "Cramp Coach" in answer["response"]["outputSpeech"]["ssml"]
        assert server.post(body, signer.headers(body + b" ", CERT_URL))[0] == 400  # a signature for other bytes
        other = Authority().issue(not_before=datetime.now(timezone.utc) - timedelta(days=1))
        assert server.post(body, other.headers(body, CERT_URL))[0] == 400  # a key the chain does not hold
    finally:
        assert server.stop() == 0
    assert "TEST CERTIFICATE CHAIN IN USE" in server.log


def test_a_test_chain_that_leads_to_no_trusted_root_is_still_refused(tmp_path, signer_files):
    signer, _, chain = signer_files
    server = LiveServer(tmp_path, "--workers", "1", "--store", "memory", "--skill-id", LOCAL_SKILL_ID,
                        "--allow-test-cert-chain", env={CHAIN_VARIABLE: str(chain)})  # certifi's roots only
    try:
        server.wait_until_healthy()
        body = body_of(launch_request(Session()), at=datetime.now(timezone.utc))
        assert server.post(body, signer.headers(body, CERT_URL)) == (400, {"error": "request verification failed"})
    finally:
        assert server.stop() == 0
    assert "cert chain rejected" in server.log
