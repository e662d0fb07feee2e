"""The skill as an HTTPS web service: ``POST /alexa`` and ``GET /healthz``, built by ``create_app(config)``.

The skill, the trust roots and the verifier are built once when the app is created (once per
worker process under gunicorn); a request costs its checks and the skill's answer, nothing more.
Every refusal is a short JSON error and one log line; nothing private (user ids, what she said)
is ever logged.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional

from ask_sdk_core.exceptions import SerializationException
from flask import Flask, Response, jsonify, request
from werkzeug.exceptions import HTTPException

from skill import __version__
from skill.builder import SkillConfig, build_skill
from skill.inbound import EMPTY_RESPONSE, BadEnvelope, Disposition, InboundRequest, check_envelope, parse_body
from skill.invoke import invoke
from skill.request_log import log_requests, note_problem, note_request
from skill.stores import StoreConfig, open_store
from skill.web_json import OrjsonProvider
from skill.privacy_page import privacy_blueprint
from skill.verify import (
    CERT_CHAIN_URL_HEADER,
    SIGNATURE_HEADER,
    ChainLoader,
    RequestVerifier,
    VerificationFailed,
    check_application_id,
    fetch_cert_chain,
    load_trust_roots,
)

if TYPE_CHECKING:
    from ask_sdk_core.skill import CustomSkill

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 128 * 1024
"""Alexa's requests are a few KiB; anything near this is not from Alexa."""
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
    test_cert_chain: Optional[bytes] = None
    """TESTS AND BENCHMARKS ONLY: a PEM chain given for every cert URL instead of Amazon's (still validated)."""
    console: bool = False
    """Also serve the browser console at ``/`` (skill/console.py); loopback only, never for Alexa."""


def create_app(
    config: WebConfig = WebConfig(),
    *,
    skill: Optional["CustomSkill"] = None,
    verifier: Optional[RequestVerifier] = None,
) -> Flask:
    """The Flask app. Tests pass a prebuilt ``skill``, and a ``verifier`` with their own clock and CA."""
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = config.max_body_bytes
    app.json = OrjsonProvider(app)
    if skill is None:
        skill_config = replace(config.skill, log_requests=False)  # the app logs one line per request itself
        if config.store is not None:
            skill_config = replace(skill_config, persistence_adapter=open_store(config.store))
        skill = build_skill(skill_config)
    if config.verify and verifier is None:
        load_chain = fetch_cert_chain if config.test_cert_chain is None else _test_chain_loader(config.test_cert_chain)
        verifier = RequestVerifier(load_trust_roots(config.ca_bundle), load_chain=load_chain)
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
    def healthz() -> Response:
        """Answers once the skill and its content are loaded, which is before the app exists."""
        return jsonify(status="ok", version=__version__)

    @app.post("/alexa")
    def alexa() -> Any:
        body = request.get_data(cache=False)
        if verifier is not None:
            try:
                verifier.check_signature(
                    request.headers.get(CERT_CHAIN_URL_HEADER), request.headers.get(SIGNATURE_HEADER), body
                )
            except VerificationFailed as failure:
                return _refuse(400, VERIFICATION_FAILED, reason=f"verification: {failure}")
        try:
            envelope = parse_body(body)
            inbound = check_envelope(envelope)
        except BadEnvelope as problem:
            return _refuse(400, str(problem))
        note_request(inbound.request_type, inbound.intent_name)
        failure = _check_provenance(inbound, config, verifier)
        if failure:
            return _refuse(400, VERIFICATION_FAILED, reason=f"verification: {failure}")
        if inbound.disposition is Disposition.ACKNOWLEDGE:
            return jsonify(EMPTY_RESPONSE)
        try:
            answer = invoke(skill, envelope)
        except SerializationException:
            return _refuse(400, "request: does not match the Alexa request format")
        return jsonify(answer)

    app.register_blueprint(privacy_blueprint())
    if config.console:
        from skill.console import console_blueprint

        app.register_blueprint(console_blueprint(skill))
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


def _test_chain_loader(pem: bytes) -> ChainLoader:
    log.warning("TEST CERTIFICATE CHAIN IN USE: Amazon's signing certificates are not fetched")
    return lambda url: pem


def _refuse(status: int, message: str, reason: Optional[str] = None) -> tuple[Response, int]:
    note_problem(reason or message)
    return jsonify(error=message), status
