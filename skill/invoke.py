"""Run one Alexa request envelope through the skill: JSON in, JSON out.

The one path every host uses (CLI, web service, tests), so they all exercise the same
deserialisation, dispatch and serialisation as a published skill.
"""

from __future__ import annotations

import json
from typing import Any, Mapping

from ask_sdk_core.skill import CustomSkill
from ask_sdk_model import RequestEnvelope

from skill.compiled_serializer import CompiledSerializer


def invoke(skill: CustomSkill, envelope: Mapping[str, Any]) -> dict[str, Any]:
    """Deserialize ``envelope``, dispatch it through ``skill`` and return the response JSON."""
    serializer = skill.serializer
    if isinstance(serializer, CompiledSerializer):  # SkillConfig.fast_serializer: it reads the dict itself
        request_envelope = serializer.deserialize_document(envelope, RequestEnvelope)
    else:
        request_envelope = serializer.deserialize(json.dumps(envelope), RequestEnvelope)
    response_envelope = skill.invoke(request_envelope=request_envelope, context=None)
    return skill.serializer.serialize(response_envelope)
