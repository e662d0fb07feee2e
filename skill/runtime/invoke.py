"""Run one Alexa request envelope through the skill: JSON in, JSON out.

The one path every host uses (web service, Lambda, CLI, console, tests), so they all exercise the
same checks, request-type table, deserialisation, dispatch and serialisation as a published skill.
"""

from __future__ import annotations

import json
import logging
from typing import Any, Mapping, Optional

from ask_sdk_core.exceptions import AskSdkException, SerializationException
from ask_sdk_core.skill import CustomSkill
from ask_sdk_model import RequestEnvelope

from skill.runtime.compiled_serializer import CompiledSerializer
from skill.runtime.inbound import BadEnvelope, InboundRequest, check_envelope
from skill.runtime.logtext import escape_for_log
from skill.runtime.request_types import WARNED_TYPES, Answer, fixed_answer

log = logging.getLogger(__name__)

NOT_AN_ALEXA_REQUEST = "does not match the Alexa request format"


def respond(
    skill: CustomSkill, envelope: Mapping[str, Any], inbound: Optional[InboundRequest] = None, context: Any = None
) -> dict[str, Any]:
    """The answer to ``envelope`` by the request-type table: the skill's, or a fixed one that speaks nothing.

    ``inbound`` is ``check_envelope(envelope)`` when the caller already checked it; BadEnvelope names
    what is wrong with a request the skill cannot take. ``context`` is the Lambda context, if any.
    """
    if inbound is None:
        inbound = check_envelope(envelope)
    answer = inbound.row.answer
    if answer is Answer.SKILL:
        return invoke(skill, envelope, context)  # ask-sdk checks the skill id (SkillConfig.skill_id)
    if skill.skill_id is not None and any(found != skill.skill_id for found in inbound.application_ids):
        raise AskSdkException("Skill ID Verification failed!!")  # as ask-sdk refuses, for answers it never sees
    if inbound.request_type in WARNED_TYPES:
        log.warning("Alexa reports a fault in what the skill sent: %s: %s", inbound.request_type,
                    _reported_faults(envelope["request"]))
    return fixed_answer(answer)


def invoke(skill: CustomSkill, envelope: Mapping[str, Any], context: Any = None) -> dict[str, Any]:
    """Deserialize ``envelope``, dispatch it through ``skill`` and return the response JSON.

    BadEnvelope (``request: does not match …``) when ask-sdk cannot read it; any other error is a bug.
    """
    serializer = skill.serializer
    try:
        if isinstance(serializer, CompiledSerializer):  # SkillConfig.fast_serializer: it reads the dict itself
            request_envelope = serializer.deserialize_document(envelope, RequestEnvelope)
        else:
            request_envelope = serializer.deserialize(json.dumps(envelope), RequestEnvelope)
    except SerializationException:
        raise BadEnvelope("request", NOT_AN_ALEXA_REQUEST) from None
    response_envelope = skill.invoke(request_envelope=request_envelope, context=context)
    return serializer.serialize(response_envelope)


def _reported_faults(request: Mapping[str, Any]) -> str:
    """``type: message`` of the ``error`` (System.ExceptionEncountered) or ``errors`` (APL) Alexa reports."""
    faults = request.get("errors") if "errors" in request else [request.get("error")]
    if not isinstance(faults, list):
        faults = []
    described = [f"{fault.get('type')}: {fault.get('message')}" for fault in faults if isinstance(fault, dict)]
    return escape_for_log("; ".join(described) or "no details")
