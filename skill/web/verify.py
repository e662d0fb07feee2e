"""Check that a request really comes from Alexa, as Amazon requires of skills hosted as web services.

Amazon's rules ("Host a custom skill as a web service"): the ``SignatureCertChainUrl`` header
points into Amazon's S3 bucket; the chain it names is valid now, names ``echo-api.amazon.com``
and leads to a trusted root; ``Signature-256`` is the leaf key's RSA SHA-256 signature over the
raw body; the request's timestamp is fresh; and (our rule) it is for this skill.

Path validation is ``cryptography``'s (``cryptography.x509.verification``), never our own code.
The trusted roots, the certificate loader and the clock are parameters, so tests sign requests
with a CA they made. A validated chain's key is cached per URL, so a repeat costs one RSA check.
The cheap checks (``read_signature_headers``) come apart from the expensive ones
(``check_signed_body``), so the web layer can check the timestamp and skill id in between: a
stranger costs no fetch (how fetches are bounded: ``skill.web.cert_fetch``).
"""

from __future__ import annotations

import base64
import binascii
import functools
import posixpath
import re
import threading
import warnings
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Callable, Iterable, Optional, Sequence
from urllib.parse import urlsplit

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.utils import CryptographyDeprecationWarning
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.verification import DNSName, PolicyBuilder, Store, VerificationError

from skill.web.cert_fetch import FAILED_FETCH_SECONDS, FETCH_DEADLINE_SECONDS, FailedUrls, FetchBudget, FetchRefused, HttpsChainFetcher, SingleFlight

CERT_CHAIN_URL_HEADER = "SignatureCertChainUrl"
SIGNATURE_HEADER = "Signature-256"

CERT_CHAIN_URL_SCHEME = "https"
CERT_CHAIN_URL_HOST = "s3.amazonaws.com"
CERT_CHAIN_URL_PATH_PREFIX = "/echo.api/"
CERT_CHAIN_URL_PORT = 443
ECHO_API_DOMAIN = "echo-api.amazon.com"

REQUEST_TOLERANCE = timedelta(seconds=150)
"""Amazon: no more than 150 s between the request's timestamp and now, either way."""
SKILL_EVENT_TOLERANCE = timedelta(hours=1)
"""Amazon: skill events (``AlexaSkillEvent.*``) may be delivered up to an hour late."""
SKILL_EVENT_PREFIX = "AlexaSkillEvent."

CHAIN_CACHE_ENTRIES = 32
SIGNATURE_BYTES = (128, 1024)
"""RSA signatures are as long as the key: 1024 to 8192 bits (Amazon's is 2048). Anything else fails before any fetch."""
FOLLOWER_WAIT_SECONDS = FETCH_DEADLINE_SECONDS + 0.5
"""How long a request waits for another one's fetch of the same URL."""

_PEM_CERTIFICATE = re.compile(rb"-----BEGIN CERTIFICATE-----.+?-----END CERTIFICATE-----", re.DOTALL)

Clock = Callable[[], datetime]
ChainLoader = Callable[[str], bytes]


class VerificationFailed(Exception):
    """The request is not provably from Alexa; the message is for the log, never the caller."""


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


@functools.lru_cache(maxsize=CHAIN_CACHE_ENTRIES)
def check_cert_chain_url(url: Optional[str]) -> str:
    """The canonical form of an Amazon cert chain URL; anything else is refused before any fetch.

    Cached (refusals are not): Alexa signs with one URL for months, so parsing it again on every
    request is waste.
    """
    if not url:
        raise VerificationFailed(f"{CERT_CHAIN_URL_HEADER} header missing")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise VerificationFailed(f"cert chain URL unparseable: {error}") from None
    if parts.scheme.lower() != CERT_CHAIN_URL_SCHEME:
        raise VerificationFailed(f"cert chain URL scheme {parts.scheme!r} is not https")
    if (parts.hostname or "").lower() != CERT_CHAIN_URL_HOST or parts.username is not None:
        raise VerificationFailed("cert chain URL host is not s3.amazonaws.com")
    if port is not None and port != CERT_CHAIN_URL_PORT:
        raise VerificationFailed(f"cert chain URL port {port} is not 443")
    if "%" in parts.path:  # Amazon's paths never need escapes; decoded variants would be separate cache entries
        raise VerificationFailed("cert chain URL path has percent-escapes")
    path = posixpath.normpath(parts.path) if parts.path else ""
    if not path.startswith(CERT_CHAIN_URL_PATH_PREFIX):
        raise VerificationFailed("cert chain URL path is not under /echo.api/")
    return f"{CERT_CHAIN_URL_SCHEME}://{CERT_CHAIN_URL_HOST}{path}"


def load_trust_roots(ca_bundle: Optional[Path] = None) -> list[x509.Certificate]:
    """Root CAs from ``ca_bundle``, or certifi's (Mozilla's) bundle, which includes Amazon's roots.

    Certificates are read one by one: a few old roots in Mozilla's bundle break RFC 5280
    (non-positive serials), which ``cryptography`` warns it will one day refuse; losing those
    must not lose the rest.
    """
    if ca_bundle is None:
        import certifi

        ca_bundle = Path(certifi.where())
    roots = []
    for block in _PEM_CERTIFICATE.findall(Path(ca_bundle).read_bytes()):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", CryptographyDeprecationWarning)
            try:
                roots.append(x509.load_pem_x509_certificate(block))
            except ValueError:
                continue
    if not roots:
        raise ValueError(f"{ca_bundle}: no PEM certificates")
    return roots


@dataclass(frozen=True)
class SignatureHeaders:
    """The two signature headers, checked for form: a canonical Amazon URL and a plausible RSA signature."""

    cert_chain_url: str
    signature: bytes


def read_signature_headers(cert_chain_url: Optional[str], signature: Optional[str]) -> SignatureHeaders:
    """Cheap checks first: whatever fails here costs no fetch and no RSA operation."""
    url = check_cert_chain_url(cert_chain_url)
    if not signature:
        raise VerificationFailed(f"{SIGNATURE_HEADER} header missing")
    try:
        signature_bytes = base64.b64decode(signature, validate=True)
    except (binascii.Error, ValueError):
        raise VerificationFailed(f"{SIGNATURE_HEADER} is not base64") from None
    shortest, longest = SIGNATURE_BYTES
    if not shortest <= len(signature_bytes) <= longest:
        raise VerificationFailed(f"{SIGNATURE_HEADER} is {len(signature_bytes)} bytes, not an RSA signature")
    return SignatureHeaders(url, signature_bytes)


def check_application_id(application_ids: Iterable[str], allowed: Sequence[str]) -> None:
    """Every application id the request names must be one of ``allowed`` (when any are configured)."""
    if allowed and any(app_id not in allowed for app_id in application_ids):
        raise VerificationFailed("applicationId is not one of the configured skill ids")


@dataclass(frozen=True)
class _TrustedKey:
    """A signing key from a validated chain, usable while every certificate in it is valid."""

    public_key: rsa.RSAPublicKey
    not_before: datetime
    not_after: datetime

    def valid_at(self, now: datetime) -> bool:
        return self.not_before <= now <= self.not_after


class SigningKeyCache:
    """At most ``max_entries`` validated keys by URL, least recently used out first; thread-safe."""

    def __init__(self, max_entries: int = CHAIN_CACHE_ENTRIES) -> None:
        self.max_entries = max_entries
        self._entries: OrderedDict[str, _TrustedKey] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, url: str, now: datetime) -> Optional[_TrustedKey]:
        with self._lock:
            key = self._entries.get(url)
            if key is None:
                return None
            if not key.valid_at(now):
                del self._entries[url]
                return None
            self._entries.move_to_end(url)
            return key

    def put(self, url: str, key: _TrustedKey) -> None:
        with self._lock:
            self._entries[url] = key
            self._entries.move_to_end(url)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)


class RequestVerifier:
    """Amazon's signature and freshness checks, against ``roots``, on ``clock``'s time.

    ``load_chain`` fetches a chain by URL (``HttpsChainFetcher`` by default); around it, each URL
    is fetched by one request at a time, new URLs within ``budget``, and failed ones not again
    for a while (``failed``).
    """

    def __init__(
        self,
        roots: Sequence[x509.Certificate],
        *,
        clock: Clock = utc_now,
        load_chain: Optional[ChainLoader] = None,
        cache: Optional[SigningKeyCache] = None,
        budget: Optional[FetchBudget] = None,
        failed: Optional[FailedUrls] = None,
    ) -> None:
        self._store = Store(list(roots))
        self._clock = clock
        self._load_chain = load_chain if load_chain is not None else HttpsChainFetcher()
        self.cache = cache if cache is not None else SigningKeyCache()
        self.budget = budget if budget is not None else FetchBudget()
        self.failed = failed if failed is not None else FailedUrls()
        self._flights = SingleFlight()

    def check_signature(self, cert_chain_url: Optional[str], signature: Optional[str], body: bytes) -> None:
        """The body was signed by the key of a valid Amazon echo-api certificate."""
        self.check_signed_body(read_signature_headers(cert_chain_url, signature), body)

    def check_signed_body(self, headers: SignatureHeaders, body: bytes) -> None:
        """The expensive half, once the cheap checks passed: the chain's key (maybe a fetch), then RSA."""
        key = self._signing_key(headers.cert_chain_url)
        try:
            key.public_key.verify(headers.signature, body, padding.PKCS1v15(), hashes.SHA256())
        except InvalidSignature:
            raise VerificationFailed("signature does not match the body") from None

    def check_timestamp(self, timestamp: datetime, request_type: str) -> None:
        """Fresh enough to rule out a replay: 150 s, or an hour for skill events."""
        tolerance = SKILL_EVENT_TOLERANCE if request_type.startswith(SKILL_EVENT_PREFIX) else REQUEST_TOLERANCE
        skew = abs(self._clock() - timestamp)
        if skew > tolerance:
            seconds, allowed = skew.total_seconds(), tolerance.total_seconds()
            raise VerificationFailed(f"timestamp {seconds:.0f} s from now, tolerance {allowed:.0f} s")

    def _signing_key(self, url: str) -> _TrustedKey:
        now = self._clock()
        cached = self.cache.get(url, now)
        if cached is not None:
            return cached
        if url in self.failed:
            raise VerificationFailed("cert chain URL failed recently; not fetched again yet")
        flight, leader = self._flights.join_or_lead(url)
        if not leader:
            if not flight.done.wait(FOLLOWER_WAIT_SECONDS):
                raise VerificationFailed("cert chain fetch by another request did not finish in time")
            if flight.error is not None:
                raise VerificationFailed(str(flight.error))
            return flight.result  # type: ignore[return-value]
        try:
            flight.result = key = self._fetch_and_validate(url, now)
            return key
        except VerificationFailed as failure:
            flight.error = failure
            raise
        finally:
            self._flights.land(url, flight)

    def _fetch_and_validate(self, url: str, now: datetime) -> _TrustedKey:
        if not self.budget.take():
            raise VerificationFailed("cert chain not fetched: too many new URLs lately")
        try:
            pem = self._load_chain(url)
        except FetchRefused as refused:  # not this URL's fault: it may be fetched next time
            raise VerificationFailed(f"cert chain not fetched: {refused}") from None
        except Exception as error:  # network, HTTP status, size, deadline: all mean "cannot verify"
            self.failed.add(url, FAILED_FETCH_SECONDS)
            raise VerificationFailed(f"cert chain fetch failed: {type(error).__name__}: {error}") from None
        try:
            key = self._validate_chain(pem, now)
        except VerificationFailed:
            self.failed.add(url)
            raise
        self.cache.put(url, key)
        return key

    def _validate_chain(self, pem: bytes, now: datetime) -> _TrustedKey:
        try:
            leaf, *intermediates = x509.load_pem_x509_certificates(pem)
        except ValueError as error:
            raise VerificationFailed(f"cert chain is not PEM certificates: {error}") from None
        verifier = PolicyBuilder().store(self._store).time(now).build_server_verifier(DNSName(ECHO_API_DOMAIN))
        try:
            chain = verifier.verify(leaf, intermediates)
        except VerificationError as error:
            raise VerificationFailed(f"cert chain rejected: {error}") from None
        if ECHO_API_DOMAIN not in _dns_names(leaf):
            raise VerificationFailed(f"signing certificate does not name {ECHO_API_DOMAIN} itself (a wildcard is not enough)")
        public_key = leaf.public_key()
        if not isinstance(public_key, rsa.RSAPublicKey):
            raise VerificationFailed("signing certificate key is not RSA")
        return _TrustedKey(
            public_key=public_key,
            not_before=max(cert.not_valid_before_utc for cert in chain),
            not_after=min(cert.not_valid_after_utc for cert in chain),
        )


def _dns_names(certificate: x509.Certificate) -> set[str]:
    """The leaf's subjectAltName DNS names, lower case (path validation has already required the extension)."""
    try:
        names = certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return set()
    return {name.lower() for name in names.get_values_for_type(x509.DNSName)}
