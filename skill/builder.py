"""Assemble the skill: content, voice, handlers, interceptors and the exception handler.

Every host (CLI, web service, Lambda, tests) builds its skill here, so they all run the same
handlers in the same order.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Optional

from ask_sdk_core.skill import CustomSkill
from ask_sdk_core.skill_builder import SkillBuilder

from skill.content import Content, load_content
from skill.handlers.advice import TellMeMoreHandler, TopicHandler
from skill.handlers.builtins import (
    ExitHandler,
    FallbackHandler,
    HelpHandler,
    RepeatHandler,
    SessionEndedRequestHandler,
    UnknownIntentHandler,
)
from skill.handlers.errors import CatchAllExceptionHandler
from skill.handlers.followup import NoHandler, YesHandler
from skill.handlers.interceptors import RememberOutputInterceptor, RequestLogInterceptor
from skill.handlers.launch import LaunchRequestHandler
from skill.handlers.walkthrough import (
    NextStepHandler,
    PauseHandler,
    PreviousStepHandler,
    RepeatStepHandler,
    ResumeHandler,
    StartOverHandler,
    StartWalkthroughHandler,
    StopWalkthroughHandler,
    WalkthroughNotStartedHandler,
)
from skill.replies import Voice
from skill.state import SessionWalkthroughStore, WalkthroughStore


@dataclass(frozen=True)
class SkillConfig:
    """What a host decides about the skill; everything else has a sensible default."""

    content: Optional[Content] = None
    """Validated content; loaded from the shipped content/ when not given."""
    skill_id: Optional[str] = None
    """When set, ask-sdk rejects requests for any other skill."""
    walkthrough_store: Optional[WalkthroughStore] = None
    """Where stretch progress is kept; session attributes by default."""
    seed: Optional[int] = None
    """Seed for choosing among wordings (tests); random when not given."""


# The walkthrough controls come first: mid-stretch, Next, Repeat, Yes and Stop belong to it.
_WALKTHROUGH_CONTROLS = (
    NextStepHandler,
    PreviousStepHandler,
    RepeatStepHandler,
    StartOverHandler,
    PauseHandler,
    StopWalkthroughHandler,
)
_GENERAL_HANDLERS = (
    LaunchRequestHandler,
    StartWalkthroughHandler,
    ResumeHandler,
    TellMeMoreHandler,
    YesHandler,
    NoHandler,
    WalkthroughNotStartedHandler,
    RepeatHandler,
    HelpHandler,
    ExitHandler,
    FallbackHandler,
    SessionEndedRequestHandler,
)


def build_skill_builder(config: SkillConfig = SkillConfig()) -> SkillBuilder:
    """A SkillBuilder with every handler registered (``.create()`` or ``.lambda_handler()``)."""
    content = config.content or load_content()
    voice = Voice(content, random.Random(config.seed))
    store = config.walkthrough_store or SessionWalkthroughStore()

    builder = SkillBuilder()
    builder.skill_id = config.skill_id
    for handler_class in _WALKTHROUGH_CONTROLS:
        builder.add_request_handler(handler_class(voice, store))
    for topic in content.topics.values():
        if topic.intent:
            builder.add_request_handler(TopicHandler(voice, store, topic))
    for handler_class in _GENERAL_HANDLERS:
        builder.add_request_handler(handler_class(voice, store))
    builder.add_request_handler(UnknownIntentHandler(voice, store))
    builder.add_exception_handler(CatchAllExceptionHandler(voice))
    builder.add_global_request_interceptor(RequestLogInterceptor())
    builder.add_global_response_interceptor(RememberOutputInterceptor())
    return builder


def build_skill(config: SkillConfig = SkillConfig()) -> CustomSkill:
    """The skill every host runs."""
    return build_skill_builder(config).create()
