"""Check that a request really comes from Alexa, as Amazon requires of skills hosted as web services.

Amazon's rules ("Host a custom skill as a web service"): the ``SignatureCertChainUrl`` header
points into Amazon's S3 bucket; the chain it names is valid now, names ``echo-api.amazon.com``
and leads to a trusted root; ``Signature-256`` is the leaf key's RSA SHA-256 signature over the
raw body; the request's timestamp is fresh; and (our rule) it is for this skill.

Path validation is ``cryptography``'s (``cryptography.x509.verification``), never our own code.
The trusted roots, the certificate loader and the clock are parameters, so tests sign requests
with a CA they made. A validated chain's key is cached per URL, so a repeat costs one RSA check.
"""

from __future__ import annotations

import base64
import binascii
import functools
import posixpath
import re
import threading
import urllib.error
import urllib.request
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

CERT_FETCH_TIMEOUT_SECONDS = 5.0
MAX_CHAIN_BYTES = 64 * 1024
CHAIN_CACHE_ENTRIES = 32

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
    path = posixpath.normpath(parts.path) if parts.path else ""
    if not path.startswith(CERT_CHAIN_URL_PATH_PREFIX):
        raise VerificationFailed("cert chain URL path is not under /echo.api/")
    return f"{CERT_CHAIN_URL_SCHEME}://{CERT_CHAIN_URL_HOST}{path}"


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        return None  # a redirect would leave the URL we checked


def fetch_cert_chain(url: str) -> bytes:
    """Download a PEM chain: short timeout, size cap, no redirects."""
    opener = urllib.request.build_opener(_NoRedirects)
    with opener.open(url, timeout=CERT_FETCH_TIMEOUT_SECONDS) as response:
        pem = response.read(MAX_CHAIN_BYTES + 1)
    if len(pem) > MAX_CHAIN_BYTES:
        raise ValueError(f"cert chain larger than {MAX_CHAIN_BYTES} bytes")
    return pem


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
    """Amazon's signature and freshness checks, against ``roots``, on ``clock``'s time."""

    def __init__(
        self,
        roots: Sequence[x509.Certificate],
        *,
        clock: Clock = utc_now,
        load_chain: ChainLoader = fetch_cert_chain,
        cache: Optional[SigningKeyCache] = None,
    ) -> None:
        self._store = Store(list(roots))
        self._clock = clock
        self._load_chain = load_chain
        self.cache = cache if cache is not None else SigningKeyCache()

    def check_signature(self, cert_chain_url: Optional[str], signature: Optional[str], body: bytes) -> None:
        """The body was signed by the key of a valid Amazon echo-api certificate."""
        url = check_cert_chain_url(cert_chain_url)
        if not signature:
            raise VerificationFailed(f"{SIGNATURE_HEADER} header missing")
        try:
            signature_bytes = base64.b64decode(signature, validate=True)
        except (binascii.Error, ValueError):
            raise VerificationFailed(f"{SIGNATURE_HEADER} is not base64") from None
        key = self._signing_key(url)
        try:
            key.public_key.verify(signature_bytes, body, padding.PKCS1v15(), hashes.SHA256())
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
        try:
            pem = self._load_chain(url)
        except Exception as error:  # network, HTTP status, size: all mean "cannot verify"
            raise VerificationFailed(f"cert chain fetch failed: {type(error).__name__}: {error}") from None
        key = self._validate_chain(pem, now)
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
