"""The skill as an HTTPS web service: ``POST /alexa`` and ``GET /healthz``, built by ``create_app(config)``.

The skill, the trust roots and the verifier are built once when the app is created (once per
worker process under gunicorn); a request costs its checks and the skill's answer, nothing more.
Every refusal is a short JSON error and one log line; nothing private (user ids, what she said)
is ever logged.
"""

from __future__ import annotations

import logging
import ssl
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional

from flask import Flask, Response, abort, jsonify, request
from werkzeug.exceptions import HTTPException

from skill import __version__
from skill.runtime.builder import SkillConfig, build_skill
from skill.web.cert_fetch import HttpsChainFetcher
from skill.runtime.inbound import BadEnvelope, InboundRequest, check_envelope
from skill.runtime.invoke import respond
from skill.web.request_log import log_requests, note_problem, note_request
from skill.web.serve import proxy_header
from skill.runtime.stores import ResilientAdapter, StoreConfig, open_store
from skill.web.web_json import OrjsonProvider, decode
from skill.web.privacy_page import privacy_blueprint
from skill.web.verify import (
    CERT_CHAIN_URL_HEADER,
    SIGNATURE_HEADER,
    ChainLoader,
    RequestVerifier,
    SignatureHeaders,
    VerificationFailed,
    check_application_id,
    load_trust_roots,
    read_signature_headers,
)

if TYPE_CHECKING:
    from ask_sdk_core.skill import CustomSkill

log = logging.getLogger(__name__)

MAX_NESTING = 64
"""Alexa envelopes nest about ten deep; far deeper is an attack on the recursion of whoever parses it."""
MAX_BODY_BYTES = 128 * 1024
"""Alexa's requests are a few KiB; anything near this is not from Alexa."""
BODY_READ_CHUNK_BYTES = 16 * 1024
VERIFICATION_FAILED = "request verification failed"
INTERNAL_ERROR = "internal error"
_PATHS = ("/alexa", "/healthz", "/privacy")
_HTTP_ERRORS = {
    404: "not found: Alexa requests go to POST /alexa",
    405: "method not allowed: use POST /alexa or GET /healthz",
    413: f"body too large: the limit is {MAX_BODY_BYTES} bytes",
}


@dataclass(frozen=True)
class WebConfig:
    """How the web service checks what reaches it; read once, where the process starts."""

    verify: bool = True
    """Check Amazon's signature and the timestamp. Off only for local testing."""
    skill_ids: tuple[str, ...] = ()
    """Accept only requests for these skills (checked whether or not ``verify`` is on)."""
    ca_bundle: Optional[Path] = None
    """Trusted roots for the signing chain, PEM; certifi's bundle when not given."""
    max_body_bytes: int = MAX_BODY_BYTES
    skill: SkillConfig = field(default_factory=SkillConfig)
    """How to build the skill (content, seed); used when no skill is passed to create_app."""
    store: Optional[StoreConfig] = None
    """Where her memory lives, opened in each worker; None: in this process's memory only."""
    store_prepared: bool = False
    """The store was created, migrated and checked before this app (serve's master does it before forking)."""
    test_cert_chain: Optional[bytes] = None
    """TESTS AND BENCHMARKS ONLY: a PEM chain given for every cert URL instead of Amazon's (still validated)."""
    test_cert_origin: Optional[str] = None
    """TESTS AND BENCHMARKS ONLY: fetch chains from this loopback HTTPS origin instead of s3.amazonaws.com."""
    test_cert_origin_ca: Optional[bytes] = None
    """The PEM root the test origin's TLS certificate is issued by."""
    console: bool = False
    """Also serve the browser console at ``/`` (skill/web/console.py); loopback only, never for Alexa."""


def create_app(
    config: WebConfig = WebConfig(),
    *,
    skill: Optional["CustomSkill"] = None,
    verifier: Optional[RequestVerifier] = None,
) -> Flask:
    """The Flask app. Tests pass a prebuilt ``skill``, and a ``verifier`` with their own clock and CA."""
    app = Flask(__name__)
    store: Optional[ResilientAdapter] = None
    app.config["MAX_CONTENT_LENGTH"] = config.max_body_bytes
    app.json = OrjsonProvider(app)
    practice = None
    if skill is None:
        skill_config = replace(config.skill, log_requests=False)  # the app logs one line per request itself
        if config.console:  # reminders set in the browser go to a local practice API, never a device
            from skill.tools.practice_api import PracticeAlexaApi

            practice = PracticeAlexaApi().start()
            skill_config = replace(skill_config, api_ca_bundle=practice.trust_bundle)
        if config.store is not None:
            # under serve the master prepared it: a worker must start even while the store is locked or down
            store = open_store(config.store, prepare=not config.store_prepared)
            skill_config = replace(skill_config, persistence_adapter=store)
        skill = build_skill(skill_config)
    if config.verify and verifier is None:
        verifier = RequestVerifier(load_trust_roots(config.ca_bundle), load_chain=_chain_loader(config))
    if not config.verify:
        verifier = None
        log.warning(
            "REQUEST VERIFICATION IS OFF: anyone who can reach this server can make the skill speak. "
            "Use --no-verify only for local testing."
        )
    elif not config.skill_ids:
        log.warning("no skill id configured: requests for any skill are accepted; set --skill-id")

    log_requests(app, _PATHS)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> tuple[Response, int]:
        status = error.code or 500
        message = _HTTP_ERRORS.get(status, (error.name or "error").lower())
        return _refuse(status, message)

    @app.errorhandler(Exception)
    def internal_error(error: Exception) -> tuple[Response, int]:
        log.exception("unexpected error", exc_info=error)
        return _refuse(500, INTERNAL_ERROR)

    @app.get("/healthz")
    def healthz() -> Any:
        """200 once the skill and its content are loaded (before the app exists); 503 with the reason while
        her memory cannot be kept (the skill still answers, without memory)."""
        problem = store.problem() if store is not None else None
        if problem:
            note_problem(problem)
            return jsonify(status="store unavailable", problem=problem, version=__version__), 503
        return jsonify(status="ok", version=__version__)

    @app.post("/alexa")
    def alexa() -> Any:
        if not config.verify:
            forwarded = proxy_header(request.headers)
            if forwarded:  # --no-verify trusts loopback; a proxy in front makes the whole internet loopback
                return _refuse(403, f"{forwarded.lower()}: with verification off, requests through a proxy are refused")
        body = _read_body(config.max_body_bytes)
        signed: Optional[SignatureHeaders] = None
        if verifier is not None:  # cheap checks first; the chain (maybe a fetch) and RSA come last
            try:
                signed = read_signature_headers(request.headers.get(CERT_CHAIN_URL_HEADER),
                                                request.headers.get(SIGNATURE_HEADER))
            except VerificationFailed as failure:
                return _refuse(400, VERIFICATION_FAILED, reason=f"verification: {failure}")
        try:
            envelope = parse_body(body)
            inbound = check_envelope(envelope)
        except BadEnvelope as problem:
            return _refuse(400, str(problem))
        note_request(inbound.request_type, inbound.intent_name)
        failure = _check_provenance(inbound, config, verifier)
        if failure is None and verifier is not None and signed is not None:
            try:
                verifier.check_signed_body(signed, body)
            except VerificationFailed as refused:
                failure = str(refused)
        if failure:
            return _refuse(400, VERIFICATION_FAILED, reason=f"verification: {failure}")
        try:
            answer = respond(skill, envelope, inbound)  # the Lambda entry's path too
        except BadEnvelope as problem:
            return _refuse(400, str(problem))
        return jsonify(answer)

    app.register_blueprint(privacy_blueprint())
    if config.console:
        from skill.web.console import console_blueprint

        app.register_blueprint(console_blueprint(skill, practice=practice))
    return app


def _check_provenance(inbound: InboundRequest, config: WebConfig, verifier: Optional[RequestVerifier]) -> Optional[str]:
    """Why this well-formed request is not one to answer (fresh, for this skill), or None."""
    if verifier is None and not config.skill_ids:
        return None
    try:
        if verifier is not None:
            verifier.check_timestamp(inbound.timestamp, inbound.request_type)
        check_application_id(inbound.application_ids, config.skill_ids)
    except VerificationFailed as failure:
        return str(failure)
    return None


def parse_body(body: bytes) -> Any:
    """The JSON in ``body``, or BadEnvelope naming why not."""
    if not body.strip():
        raise BadEnvelope("body", "empty; expected an Alexa request envelope (JSON)")
    try:
        document = decode(body)
    except ValueError:
        raise BadEnvelope("body", "not JSON") from None
    could_nest_too_deep = body.count(b"{") + body.count(b"[") > MAX_NESTING  # cheap: most bodies can't
    if could_nest_too_deep and _nesting(document) > MAX_NESTING:
        raise BadEnvelope("body", f"nested deeper than {MAX_NESTING} levels")
    return document


def _nesting(document: Any) -> int:
    deepest = 0
    stack = [(document, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, (dict, list)):
            deepest = max(deepest, depth)
            if depth > MAX_NESTING:
                return depth
            children = node.values() if isinstance(node, dict) else node
            stack.extend((child, depth + 1) for child in children)
    return deepest


def _read_body(limit: int) -> bytes:
    """The body, or 413 past ``limit``: werkzeug checks a declared Content-Length, but silently cuts a chunked body short."""
    if request.content_length is not None:
        return request.get_data(cache=False)
    if "wsgi.input_terminated" not in request.environ:
        return b""  # no length and no server-terminated stream: nothing safe to read (werkzeug's rule)
    stream, chunks, size = request.environ["wsgi.input"], [], 0
    while True:
        chunk = stream.read(min(BODY_READ_CHUNK_BYTES, limit + 1 - size))
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)
        size += len(chunk)
        if size > limit:
            abort(413)


def _chain_loader(config: WebConfig) -> ChainLoader:
    """Amazon's bucket over HTTPS; or, for tests and benchmarks only, a fixed chain or a local HTTPS server."""
    if config.test_cert_chain is not None:
        return _test_chain_loader(config.test_cert_chain)
    if config.test_cert_origin is not None:
        log.warning("TEST CERTIFICATE SERVER IN USE: chains are fetched from %s, not Amazon's bucket",
                    config.test_cert_origin)
        context = ssl.create_default_context(cadata=(config.test_cert_origin_ca or b"").decode("ascii") or None)
        return HttpsChainFetcher(origin=config.test_cert_origin, ssl_context=context)
    return HttpsChainFetcher()


def _test_chain_loader(pem: bytes) -> ChainLoader:
    log.warning("TEST CERTIFICATE CHAIN IN USE: Amazon's signing certificates are not fetched")
    return lambda url: pem


def _refuse(status: int, message: str, reason: Optional[str] = None) -> tuple[Response, int]:
    note_problem(reason or message)
    return jsonify(error=message), status
