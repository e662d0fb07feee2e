"""A minimal skill on the plain ask-sdk-core, written the way Amazon's samples write one.

Launch, three intent handlers, help, stop, fallback, session end and a catch-all exception
handler that logs, like the SDK's "Develop your first skill" template; no request verification,
no state, no interceptors. It answers the same requests the benchmarks send Cramp Coach, with
fixed sentences of about the same length.
"""

from __future__ import annotations

import json
import logging
from typing import Any, Mapping

from ask_sdk_core.dispatch_components import AbstractExceptionHandler, AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.skill import CustomSkill
from ask_sdk_core.skill_builder import SkillBuilder
from ask_sdk_core.utils import is_intent_name, is_request_type
from ask_sdk_model import RequestEnvelope, Response

WELCOME = ("Welcome to Cramp Coach. These are general tips, not medical advice. "
           "You can ask what helps a leg cramp, or say walk me through a stretch.")
CRAMP_TIP = ("Gently pull your toes up toward your knee, or press your heels against the wall. "
             "If it's severe or won't ease, call your doctor or midwife. Would a guided stretch help?")
FOOD_TIP = ("Calcium-rich foods and vitamin D can help, and less salty or pickled food. "
            "Fresh juices are a good drink. Anything else?")
STRETCH_STEP = ("Step 1 of 6. Sit with your legs out straight and pull your toes gently toward you. "
                "Hold it. Say next when you're ready.")
HELP = "You can ask what helps leg cramps, what to eat, or say walk me through a stretch. What would you like?"
REPROMPT = "What would you like to know?"
GOODBYE = "Goodbye, and take care."
FALLBACK = "Sorry, I can't help with that. You can ask what helps leg cramps. What would you like?"
ERROR = "Sorry, I had trouble doing what you asked. Please try again."

logger = logging.getLogger(__name__)
logger.setLevel(logging.INFO)


class LaunchRequestHandler(AbstractRequestHandler):
    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_request_type("LaunchRequest")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        return handler_input.response_builder.speak(WELCOME).ask(REPROMPT).response


class CrampNowIntentHandler(AbstractRequestHandler):
    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent_name("CrampNowIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        return handler_input.response_builder.speak(CRAMP_TIP).ask(REPROMPT).response


class FoodAndDrinkIntentHandler(AbstractRequestHandler):
    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent_name("FoodAndDrinkIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        return handler_input.response_builder.speak(FOOD_TIP).ask(REPROMPT).response


class StretchStepIntentHandler(AbstractRequestHandler):
    def can_handle(self, handler_input: HandlerInput) -> bool:
        return (is_intent_name("StartWalkthroughIntent")(handler_input)
                or is_intent_name("AMAZON.NextIntent")(handler_input)
                or is_intent_name("AMAZON.PreviousIntent")(handler_input))

    def handle(self, handler_input: HandlerInput) -> Response:
        return handler_input.response_builder.speak(STRETCH_STEP).ask(REPROMPT).response


class HelpIntentHandler(AbstractRequestHandler):
    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent_name("AMAZON.HelpIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        return handler_input.response_builder.speak(HELP).ask(REPROMPT).response


class CancelOrStopIntentHandler(AbstractRequestHandler):
    def can_handle(self, handler_input: HandlerInput) -> bool:
        return (is_intent_name("AMAZON.CancelIntent")(handler_input)
                or is_intent_name("AMAZON.StopIntent")(handler_input))

    def handle(self, handler_input: HandlerInput) -> Response:
        return handler_input.response_builder.speak(GOODBYE).set_should_end_session(True).response


class FallbackIntentHandler(AbstractRequestHandler):
    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent_name("AMAZON.FallbackIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        return handler_input.response_builder.speak(FALLBACK).ask(REPROMPT).response


class SessionEndedRequestHandler(AbstractRequestHandler):
    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_request_type("SessionEndedRequest")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        return handler_input.response_builder.response


class CatchAllExceptionHandler(AbstractExceptionHandler):
    def can_handle(self, handler_input: HandlerInput, exception: Exception) -> bool:
        return True

    def handle(self, handler_input: HandlerInput, exception: Exception) -> Response:
        logger.error(exception, exc_info=True)
        return handler_input.response_builder.speak(ERROR).ask(REPROMPT).response


def build_skill_builder() -> SkillBuilder:
    builder = SkillBuilder()
    for handler in (LaunchRequestHandler, CrampNowIntentHandler, FoodAndDrinkIntentHandler, StretchStepIntentHandler,
                    HelpIntentHandler, CancelOrStopIntentHandler, FallbackIntentHandler, SessionEndedRequestHandler):
        builder.add_request_handler(handler())
    builder.add_exception_handler(CatchAllExceptionHandler())
    return builder


def build_minimal_skill() -> CustomSkill:
    return build_skill_builder().create()


def sdk_invoke(skill: CustomSkill, envelope: Mapping[str, Any]) -> dict[str, Any]:
    """Envelope dict → response dict, exactly as ask-sdk's own Lambda handler does it."""
    request_envelope = skill.serializer.deserialize(json.dumps(envelope), RequestEnvelope)
    response_envelope = skill.invoke(request_envelope=request_envelope, context=None)
    return skill.serializer.serialize(response_envelope)
