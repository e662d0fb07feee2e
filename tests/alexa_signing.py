"""Sign requests the way Alexa does, with certificate authorities the tests make themselves.

trustme makes the root and intermediate CAs; the echo-api leaf is issued here, shaped like
Amazon's (subject CN, non-critical subjectAltName, serverAuth), because trustme's own leaves mark
the subjectAltName critical, which the Web PKI rules ``cryptography`` enforces refuse.
Nothing touches the network: ``FakeS3`` stands in for Amazon's bucket.
"""

from __future__ import annotations

import base64
import json
import urllib.error
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any, Mapping, Optional, Sequence

import trustme
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

ECHO_API = "echo-api.amazon.com"
CERT_URL = "https://s3.amazonaws.com/echo.api/echo-api-cert-12.pem"
NOW = datetime(2026, 3, 1, 22, 14, 3, tzinfo=timezone.utc)
"""The tests' 'now': certificates and request timestamps are placed around it."""


def iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@dataclass(frozen=True)
class SigningCert:
    """A leaf certificate with its private key, and the chain PEM that Amazon's URL would serve."""

    key: Any
    chain_pem: bytes

    def sign(self, body: bytes, algorithm: hashes.HashAlgorithm = hashes.SHA256()) -> str:
        if isinstance(self.key, ec.EllipticCurvePrivateKey):
            signature = self.key.sign(body, ec.ECDSA(algorithm))
        else:
            signature = self.key.sign(body, padding.PKCS1v15(), algorithm)
        return base64.b64encode(signature).decode("ascii")

    def headers(self, body: bytes, url: str = CERT_URL) -> dict[str, str]:
        return {"SignatureCertChainUrl": url, "Signature-256": self.sign(body)}


class Authority:
    """A root CA, an intermediate, and leaves issued under them on demand."""

    def __init__(self) -> None:
        self.root = trustme.CA(key_type=trustme.KeyType.RSA)
        self.intermediate = self.root.create_child_ca(key_type=trustme.KeyType.RSA)
        self._issuer_cert = x509.load_pem_x509_certificate(self.intermediate.cert_pem.bytes())
        self._issuer_key = serialization.load_pem_private_key(self.intermediate.private_key_pem.bytes(), None)
        self.leaf_key = rsa_key()

    @property
    def root_cert(self) -> x509.Certificate:
        return x509.load_pem_x509_certificate(self.root.cert_pem.bytes())

    @property
    def root_pem(self) -> bytes:
        return self.root.cert_pem.bytes()

    def issue(
        self,
        names: Sequence[str] = (ECHO_API,),
        not_before: datetime = NOW - timedelta(days=30),
        not_after: datetime = NOW + timedelta(days=300),
        key: Any = None,
        with_intermediate: bool = True,
    ) -> SigningCert:
        key = key or self.leaf_key
        builder = (
            x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, ECHO_API)]))
            .issuer_name(self._issuer_cert.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(not_before)
            .not_valid_after(not_after)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(
                x509.KeyUsage(True, False, True, False, False, False, False, False, False), critical=True
            )
            .add_extension(
                x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH]),
                critical=False,
            )
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(self._issuer_key.public_key()),
                           critical=False)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        )
        if names:
            builder = builder.add_extension(
                x509.SubjectAlternativeName([x509.DNSName(name) for name in names]), critical=False
            )
        leaf = builder.sign(self._issuer_key, hashes.SHA256())
        chain = leaf.public_bytes(serialization.Encoding.PEM)
        if with_intermediate:
            chain += self.intermediate.cert_pem.bytes()
        return SigningCert(key=key, chain_pem=chain)

    def issue_ec(self) -> SigningCert:
        """A leaf with an elliptic-curve key: valid, but not the RSA key Alexa signs with."""
        return self.issue(key=ec.generate_private_key(ec.SECP256R1()))


@dataclass
class FakeS3:
    """Amazon's cert bucket, offline: serves chains by URL and remembers every fetch."""

    chains: dict[str, bytes] = field(default_factory=dict)
    fetches: list[str] = field(default_factory=list)

    def __call__(self, url: str) -> bytes:
        self.fetches.append(url)
        if url not in self.chains:
            raise urllib.error.HTTPError(url, 404, "Not Found", {}, None)  # type: ignore[arg-type]
        return self.chains[url]


@dataclass
class Clock:
    """The verifier's clock, set by the test."""

    now: datetime = NOW

    def __call__(self) -> datetime:
        return self.now


def body_of(envelope: Mapping[str, Any], at: Optional[datetime] = NOW) -> bytes:
    """The envelope as Alexa would send it, with its timestamp set to ``at``."""
    envelope = json.loads(json.dumps(envelope))
    if at is not None:
        envelope["request"]["timestamp"] = iso(at)
    return json.dumps(envelope).encode("utf-8")
