"""Fetching Amazon's signing chain without letting strangers make the server wait.

Anyone can send a request naming a fresh ``SignatureCertChainUrl``; each unknown URL is a fetch.
So a fetch has one deadline for all of it (DNS, connect, TLS, headers, body), at most a few run
at once, each URL is fetched by one request at a time while the others wait for its result, new
URLs are fetched at a bounded rate, and a URL that failed is refused for a while without a fetch.
Alexa signs with one URL for months, so none of this ever touches her requests.
"""

from __future__ import annotations

import http.client
import socket
import ssl
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Callable, Optional
from urllib.parse import urlsplit

FETCH_DEADLINE_SECONDS = 2.0
"""The whole fetch, DNS to last byte. S3 answers in well under a second; Alexa waits 8 s for everything."""
MAX_CONCURRENT_FETCHES = 2
"""Per worker process; one more is refused at once (a fetch stuck in DNS keeps its place until it ends)."""
NEW_URL_BURST = 5
"""Fetches allowed at once before the rate below applies (a rotation needs one)."""
NEW_URL_INTERVAL_SECONDS = 6.0
"""One more fetch allowed every this many seconds: ten a minute, per worker."""
FAILED_URL_SECONDS = 300.0
"""How long a URL whose chain failed validation is refused without fetching it again."""
FAILED_FETCH_SECONDS = 30.0
"""How long a URL whose fetch failed (network, status, deadline) is refused: short, as S3 may just have been slow."""
FAILED_URL_ENTRIES = 4096
MAX_CHAIN_BYTES = 64 * 1024
READ_CHUNK_BYTES = 8 * 1024

Monotonic = Callable[[], float]


class FetchRefused(Exception):
    """This URL is not fetched now (budget spent, too many fetches, failed recently); the message says why."""


class HttpsChainFetcher:
    """GET a chain over HTTPS: one deadline for everything, a size cap, no redirects, few at a time.

    ``origin`` replaces Amazon's ``https://s3.amazonaws.com`` (TESTS AND BENCHMARKS ONLY: a local
    HTTPS server), with ``ssl_context`` trusting its certificate.
    """

    def __init__(self, *, deadline: float = FETCH_DEADLINE_SECONDS, max_concurrent: int = MAX_CONCURRENT_FETCHES,
                 origin: Optional[str] = None, ssl_context: Optional[ssl.SSLContext] = None) -> None:
        self.deadline = deadline
        self._slots = threading.BoundedSemaphore(max_concurrent)
        self._origin = urlsplit(origin) if origin else None
        self._ssl_context = ssl_context or ssl.create_default_context()

    def __call__(self, url: str) -> bytes:
        if not self._slots.acquire(blocking=False):
            raise FetchRefused("too many certificate fetches in progress")
        fetch = _Fetch(self._target(url), self._ssl_context, time.monotonic() + self.deadline)
        thread = threading.Thread(target=self._run, args=(fetch,), name="cert-fetch", daemon=True)
        thread.start()  # DNS has no timeout of its own: the thread may outlive the deadline, the caller never does
        if not fetch.done.wait(self.deadline):
            fetch.abandon()
            raise TimeoutError(f"no complete answer within {self.deadline:g} s")
        if fetch.error is not None:
            raise fetch.error
        return fetch.body

    def _target(self, url: str) -> tuple[str, int, str]:
        parts = urlsplit(url)
        where = self._origin or parts
        return where.hostname or "", where.port or 443, parts.path

    def _run(self, fetch: "_Fetch") -> None:
        try:
            fetch.run()
        finally:
            self._slots.release()


@dataclass
class _Fetch:
    target: tuple[str, int, str]
    ssl_context: ssl.SSLContext
    deadline: float
    done: threading.Event = field(default_factory=threading.Event)
    body: bytes = b""
    error: Optional[Exception] = None
    _connection: Optional[http.client.HTTPSConnection] = None
    _sock: Optional[socket.socket] = None
    _abandoned: bool = False

    def run(self) -> None:
        host, port, path = self.target
        try:
            self._connection = http.client.HTTPSConnection(host, port, timeout=self._left(),
                                                           context=self.ssl_context)
            self._connection.connect()
            self._sock = self._connection.sock  # kept: http.client drops its own reference once the answer is read
            if self._abandoned:
                raise TimeoutError("abandoned")
            self._connection.request("GET", path, headers={"Accept": "application/x-pem-file, */*"})
            response = self._connection.getresponse()
            if response.status != 200:  # redirects included: they would leave the URL that was checked
                raise OSError(f"HTTP {response.status}")
            chunks, size = [], 0
            while not response.isclosed():  # closed once the body is read whole (and, on 3.13, its socket too)
                self._sock.settimeout(self._left())
                chunk = response.read1(READ_CHUNK_BYTES)
                if not chunk:
                    break
                size += len(chunk)
                if size > MAX_CHAIN_BYTES:
                    raise ValueError(f"cert chain larger than {MAX_CHAIN_BYTES} bytes")
                chunks.append(chunk)
            self.body = b"".join(chunks)
        except Exception as error:  # network, TLS, HTTP, size: all mean "cannot verify"
            self.error = error
        finally:
            if self._connection is not None:
                self._connection.close()
            self.done.set()

    def _left(self) -> float:
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("deadline passed")
        return left

    def abandon(self) -> None:
        """Past the deadline: cut the connection, so a server dripping bytes loses its thread too."""
        self._abandoned = True
        sock = self._sock
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


class FetchBudget:
    """A token bucket for fetches of URLs not seen before: ``burst`` at once, then one every ``interval`` s."""

    def __init__(self, burst: int = NEW_URL_BURST, interval: float = NEW_URL_INTERVAL_SECONDS,
                 clock: Monotonic = time.monotonic) -> None:
        self.burst, self.interval, self._clock = burst, interval, clock
        self._tokens = float(burst)
        self._updated = clock()
        self._lock = threading.Lock()

    def take(self) -> bool:
        with self._lock:
            now = self._clock()
            self._tokens = min(self.burst, self._tokens + (now - self._updated) / self.interval)
            self._updated = now
            if self._tokens < 1:
                return False
            self._tokens -= 1
            return True


class FailedUrls:
    """URLs whose fetch or chain failed, refused without a fetch for ``seconds`` (or as long as ``add`` says);
    bounded, oldest out."""

    def __init__(self, seconds: float = FAILED_URL_SECONDS, max_entries: int = FAILED_URL_ENTRIES,
                 clock: Monotonic = time.monotonic) -> None:
        self.seconds, self.max_entries, self._clock = seconds, max_entries, clock
        self._until: OrderedDict[str, float] = OrderedDict()
        self._lock = threading.Lock()

    def add(self, url: str, seconds: Optional[float] = None) -> None:
        with self._lock:
            self._until[url] = self._clock() + (self.seconds if seconds is None else seconds)
            self._until.move_to_end(url)
            while len(self._until) > self.max_entries:
                self._until.popitem(last=False)

    def __contains__(self, url: object) -> bool:
        with self._lock:
            until = self._until.get(url)  # type: ignore[call-overload]
            if until is None:
                return False
            if self._clock() >= until:
                del self._until[url]  # type: ignore[arg-type]
                return False
            return True


class SingleFlight:
    """One fetch per URL at a time: later callers wait for the first one's result instead of fetching."""

    def __init__(self) -> None:
        self._flights: dict[str, "_Flight"] = {}
        self._lock = threading.Lock()

    def join_or_lead(self, url: str) -> tuple["_Flight", bool]:
        """The flight for ``url`` and whether this caller leads it (and must ``land`` it)."""
        with self._lock:
            flight = self._flights.get(url)
            if flight is not None:
                return flight, False
            flight = self._flights[url] = _Flight()
            return flight, True

    def land(self, url: str, flight: "_Flight") -> None:
        with self._lock:
            self._flights.pop(url, None)
        flight.done.set()


@dataclass
class _Flight:
    done: threading.Event = field(default_factory=threading.Event)
    result: object = None
    error: Optional[Exception] = None
