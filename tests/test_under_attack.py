"""``cramp-coach serve`` for real, under attack on loopback: strangers naming fresh certificate URLs
served by a slow HTTPS server, and slow clients holding connections open. Alexa's signed requests
must still be answered, well within her 8 s.

The verifier fetches from the test's own HTTPS server through configuration
(``CRAMP_COACH_TEST_CERT_ORIGIN`` with ``--allow-test-cert-chain``), never a mock; the load
stops by itself.
"""

from __future__ import annotations

import base64
import http.client
import os
import socket
import statistics
import threading
import time
import uuid
from datetime import datetime, timezone
from typing import Iterator

import pytest

from skill.runtime.envelope import LOCAL_SKILL_ID, Session, launch_request

from alexa_signing import CERT_URL, Authority, SigningCert, body_of
from cert_server import SlowCertServer
from live_server import LiveServer

ALEXA_PATIENCE_SECONDS = 8.0
STRANGERS = 50
STRANGER_PAUSE_SECONDS = 1.0
"""Each stranger sends a request a second: 50 a second together, above the 30 that starved two sync workers."""
LEGIT_REQUESTS = 25
WORKERS = 2
SLOW_CLIENTS = WORKERS + 2
SLOW_HEADER_INTERVAL_SECONDS = 3.0
SCHEDULING_SLACK_SECONDS = 0.1
"""Added to 2x the quiet p50 (a few ms), so a busy CI machine's scheduling cannot fail the test;
without the fetch limits the attacked p50 is seconds, far past it."""


@pytest.fixture(scope="module")
def signer() -> tuple[Authority, SigningCert]:
    authority = Authority()
    now = datetime.now(timezone.utc)
    return authority, authority.issue(not_before=now.replace(year=now.year - 1), not_after=now.replace(year=now.year + 1))


@pytest.fixture
def server(tmp_path, signer) -> Iterator[LiveServer]:
    authority, cert = signer
    roots = tmp_path / "roots.pem"
    roots.write_bytes(authority.root_pem)
    with SlowCertServer({CERT_URL.removeprefix("https://s3.amazonaws.com"): cert.chain_pem}, tmp_path) as bucket:
        live = LiveServer(tmp_path, "--workers", str(WORKERS), "--skill-id", LOCAL_SKILL_ID, "--ca-bundle", str(roots),
                          "--db", str(tmp_path / "memory.sqlite3"), "--allow-test-cert-chain", env=bucket.env)
        live.bucket = bucket  # type: ignore[attr-defined]
        try:
            live.wait_until_healthy()
            yield live
        finally:
            live.stop()


def post(server: LiveServer, body: bytes, headers: dict[str, str]) -> tuple[int, float]:
    """Status and seconds taken, on a fresh connection as each caller would open."""
    started = time.monotonic()
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=ALEXA_PATIENCE_SECONDS + 5)
    try:
        connection.request("POST", "/alexa", body=body, headers={"Content-Type": "application/json", **headers})
        response = connection.getresponse()
        response.read()
        return response.status, time.monotonic() - started
    finally:
        connection.close()


def alexa_says(server: LiveServer, cert: SigningCert) -> tuple[int, float]:
    body = body_of(launch_request(Session()), at=datetime.now(timezone.utc))
    return post(server, body, cert.headers(body))


def legit_latencies(server: LiveServer, cert: SigningCert, count: int = LEGIT_REQUESTS) -> list[float]:
    latencies = []
    for _ in range(count):
        status, seconds = alexa_says(server, cert)
        assert status == 200
        latencies.append(seconds)
        time.sleep(0.05)
    return latencies


def stranger(server: LiveServer, stop: threading.Event, refusals: list[int]) -> None:
    """Knows the skill id, keeps the timestamp fresh, names a new certificate URL every time."""
    while not stop.is_set():
        body = body_of(launch_request(Session()), at=datetime.now(timezone.utc))
        headers = {"SignatureCertChainUrl": f"https://s3.amazonaws.com/echo.api/cert-{uuid.uuid4().hex}.pem",
                   "Signature-256": base64.b64encode(os.urandom(256)).decode()}
        try:
            refusals.append(post(server, body, headers)[0])
        except OSError:
            pass
        stop.wait(STRANGER_PAUSE_SECONDS)


def test_fifty_strangers_naming_fresh_cert_urls_do_not_slow_alexas_requests(server, signer, figures):
    _, cert = signer
    legit_latencies(server, cert, 3)  # both workers have fetched and cached the real chain
    quiet = legit_latencies(server, cert)
    stop, refusals = threading.Event(), []
    strangers = [threading.Thread(target=stranger, args=(server, stop, refusals)) for _ in range(STRANGERS)]
    for thread in strangers:
        thread.start()
    try:
        time.sleep(0.2)
        attacked = legit_latencies(server, cert)
    finally:
        stop.set()
        for thread in strangers:
            thread.join(ALEXA_PATIENCE_SECONDS + 10)
    stranger_fetches = sum(n for path, n in server.bucket.requests.items() if "/cert-" in path)
    figures(f"quiet p50 {statistics.median(quiet) * 1000:.1f} ms, under {STRANGERS} strangers "
          f"p50 {statistics.median(attacked) * 1000:.1f} ms, max {max(attacked) * 1000:.0f} ms; "
          f"{len(refusals)} strangers refused, {stranger_fetches} fetches for them")
    assert refusals and set(refusals) == {400}
    assert max(attacked) < ALEXA_PATIENCE_SECONDS
    assert statistics.median(attacked) <= 2 * statistics.median(quiet) + SCHEDULING_SLACK_SECONDS
    assert stranger_fetches <= WORKERS * 10  # the budget, not one per stranger


def slow_client(server: LiveServer, stop: threading.Event) -> None:
    """Opens a connection and sends a header line every few seconds, never finishing; reconnects when cut off."""
    while not stop.is_set():
        try:
            with socket.create_connection(("127.0.0.1", server.port), timeout=5) as sock:
                sock.sendall(b"POST /alexa HTTP/1.1\r\nHost: 127.0.0.1\r\n")
                line = 0
                while not stop.wait(SLOW_HEADER_INTERVAL_SECONDS):
                    line += 1
                    sock.sendall(f"X-Slow-{line}: {line}\r\n".encode())
        except OSError:
            stop.wait(0.1)


def test_slow_clients_as_many_as_workers_plus_two_do_not_stop_alexas_requests(server, signer):
    _, cert = signer
    legit_latencies(server, cert, 3)
    stop = threading.Event()
    slow = [threading.Thread(target=slow_client, args=(server, stop)) for _ in range(SLOW_CLIENTS)]
    for thread in slow:
        thread.start()
    try:
        time.sleep(0.5)
        answered = []
        ends = time.monotonic() + SLOW_HEADER_INTERVAL_SECONDS + 1  # while each slow client sends another line
        while time.monotonic() < ends:
            status, seconds = alexa_says(server, cert)
            answered.append((status, seconds))
    finally:
        stop.set()
        for thread in slow:
            thread.join(SLOW_HEADER_INTERVAL_SECONDS + 10)
    assert answered and all(status == 200 for status, _ in answered)
    assert max(seconds for _, seconds in answered) < ALEXA_PATIENCE_SECONDS
