"""Her record is hers: disabling the skill deletes it (and "forget me" after a yes: controls and offers)."""

from __future__ import annotations

import logging

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import is_request_type
from ask_sdk_model import Response

from skill.runtime.handlers.base import SkillHandler
from skill.runtime.state import Memory
from skill.runtime.stores import StoreUnavailable

log = logging.getLogger(__name__)


class SkillDisabledHandler(SkillHandler):
    """She disabled the skill: delete her record. Nothing is spoken for skill events."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_request_type("AlexaSkillEvent.SkillDisabled")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        try:
            Memory.forget(handler_input)
            log.info("deleted a listener's record: skill disabled")
        except StoreUnavailable:
            log.error("could not delete a listener's record after the skill was disabled")
        return handler_input.response_builder.response

