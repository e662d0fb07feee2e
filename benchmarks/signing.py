"""Requests signed as Alexa signs them, by a test CA the server is told to trust.

The signing code is the tests' own (tests/alexa_signing.py, on trustme). The server trusts
certifi's roots plus the test root (``--ca-bundle``), and gets the chain from
``CRAMP_COACH_TEST_CERT_CHAIN_FILE`` with ``--allow-test-cert-chain`` instead of from Amazon's
bucket; everything else is verified as for Alexa: the chain, the signature, the timestamp.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Mapping

import certifi

from benchmarks import use_test_helpers

use_test_helpers()
from alexa_signing import CERT_URL, Authority, SigningCert, iso  # noqa: E402

CERT_VALIDITY = timedelta(days=30)


@dataclass(frozen=True)
class TestSigner:
    """A signing certificate, and the files a server needs to trust it."""

    cert: SigningCert
    ca_bundle: Path
    chain_file: Path

    def sign(self, envelope: Mapping[str, Any]) -> tuple[bytes, dict[str, str]]:
        """The body with its timestamp set to now, and its SignatureCertChainUrl and Signature-256 headers."""
        document = json.loads(json.dumps(envelope))
        document["request"]["timestamp"] = iso(datetime.now(timezone.utc))
        body = json.dumps(document).encode("utf-8")
        return body, self.cert.headers(body, CERT_URL)


def make_signer(workdir: Path) -> TestSigner:
    now = datetime.now(timezone.utc)
    authority = Authority()
    cert = authority.issue(not_before=now - timedelta(days=1), not_after=now + CERT_VALIDITY)
    ca_bundle = workdir / "roots.pem"
    ca_bundle.write_bytes(Path(certifi.where()).read_bytes() + b"\n" + authority.root_pem)
    chain_file = workdir / "chain.pem"
    chain_file.write_bytes(cert.chain_pem)
    return TestSigner(cert, ca_bundle, chain_file)
