"""Fetching a signing chain over real HTTPS from a slow server on loopback: one deadline for all of it,
a size cap, and only a few fetches at a time, so a stranger's URL never holds a worker long."""

from __future__ import annotations

import threading
import time

import pytest

from skill.web.cert_fetch import FETCH_DEADLINE_SECONDS, MAX_CHAIN_BYTES, FetchRefused, HttpsChainFetcher

from cert_server import SlowCertServer

GOOD = "/echo.api/echo-api-cert-12.pem"
DEADLINE_MARGIN_SECONDS = 1.5
"""Not a speed target: the bound that proves the deadline covers a server dripping bytes."""


@pytest.fixture
def bucket(tmp_path):
    with SlowCertServer({GOOD: b"-----BEGIN CERTIFICATE-----\n...", "/echo.api/huge.pem": b"x" * (MAX_CHAIN_BYTES + 1)},
                        tmp_path) as server:
        yield server


def fetcher_for(server: SlowCertServer, **kwargs) -> HttpsChainFetcher:
    return HttpsChainFetcher(origin=server.origin, ssl_context=server.client_context(), **kwargs)


def test_a_chain_is_fetched_from_the_configured_origin_by_its_path(bucket):
    assert fetcher_for(bucket)(f"https://s3.amazonaws.com{GOOD}").startswith(b"-----BEGIN CERTIFICATE")
    assert bucket.requests[GOOD] == 1


def test_a_server_dripping_bytes_is_cut_off_at_the_deadline(bucket):
    deadline = FETCH_DEADLINE_SECONDS / 4  # any deadline holds for the whole fetch; a short one keeps the test quick
    started = time.monotonic()
    with pytest.raises(TimeoutError):
        fetcher_for(bucket, deadline=deadline)("https://s3.amazonaws.com/echo.api/cert-1.pem")
    assert time.monotonic() - started < deadline + DEADLINE_MARGIN_SECONDS


def test_a_chain_over_the_size_cap_is_refused(bucket):
    with pytest.raises(ValueError, match="larger than"):
        fetcher_for(bucket)("https://s3.amazonaws.com/echo.api/huge.pem")


def test_a_server_that_is_not_trusted_is_refused(bucket):
    with pytest.raises(OSError):
        HttpsChainFetcher(origin=bucket.origin)(f"https://s3.amazonaws.com{GOOD}")  # the system's roots only


def test_beyond_the_concurrent_limit_a_fetch_is_refused_at_once(bucket):
    fetcher = fetcher_for(bucket, max_concurrent=2, deadline=6.0)  # past the 5 s wait below: both surely still in flight
    slow = [threading.Thread(target=lambda n=n: pytest.raises(TimeoutError, fetcher, f"https://s3.amazonaws.com/echo.api/s{n}.pem"))
            for n in range(2)]
    for thread in slow:
        thread.start()
    deadline = time.monotonic() + 5
    while sum(bucket.requests.values()) < 2 and time.monotonic() < deadline:
        time.sleep(0.02)
    with pytest.raises(FetchRefused):
        fetcher(f"https://s3.amazonaws.com{GOOD}")
    for thread in slow:
        thread.join(10)
    assert fetcher(f"https://s3.amazonaws.com{GOOD}")  # the places are free again
