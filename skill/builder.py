"""Assemble the skill: content, voice, handlers, interceptors and the exception handler.

Every host (CLI, web service, Lambda, tests) builds its skill here, so they all run the same
handlers in the same order.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, field
from typing import Callable, Optional

from ask_sdk_core.attributes_manager import AbstractPersistenceAdapter
from ask_sdk_core.skill import CustomSkill
from ask_sdk_core.skill_builder import CustomSkillBuilder

from skill.content import Content, load_content
from skill.handlers.advice import TellMeMoreHandler, TopicHandler
from skill.handlers.base import DEFAULT_WALKTHROUGH_MAX_AGE_SECONDS, SkillParts
from skill.handlers.builtins import (
    ExitHandler,
    FallbackHandler,
    FeelingBetterHandler,
    HelpHandler,
    RepeatHandler,
    SessionEndedRequestHandler,
    UnknownIntentHandler,
)
from skill.handlers.errors import CatchAllExceptionHandler
from skill.handlers.followup import NoHandler, YesHandler
from skill.handlers.interceptors import RememberOutputInterceptor, RequestLogInterceptor, SaveMemoryInterceptor
from skill.handlers.launch import LaunchRequestHandler
from skill.handlers.privacy import ForgetMeHandler, SkillDisabledHandler
from skill.handlers.safety import UrgentCloseHandler, UrgentQuestionHandler
from skill.handlers.screens import ScreenInterceptor
from skill.handlers.walkthrough import (
    EaseOffHandler,
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
from skill.state import PersistentWalkthroughStore, WalkthroughStore
from skill.stores import MemoryAdapter, ResilientAdapter


@dataclass(frozen=True)
class SkillConfig:
    """What a host decides about the skill; everything else has a sensible default."""

    content: Optional[Content] = None
    """Validated content; loaded from the shipped content/ when not given."""
    skill_id: Optional[str] = None
    """When set, ask-sdk rejects requests for any other skill."""
    persistence_adapter: Optional[AbstractPersistenceAdapter] = None
    """Where her memory lives between sessions (skill.stores.open_store); in memory when not given."""
    walkthrough_store: Optional[WalkthroughStore] = None
    """Where stretch progress is kept; her persistent record by default."""
    walkthrough_max_age_seconds: int = DEFAULT_WALKTHROUGH_MAX_AGE_SECONDS
    """Stretch progress older than this is offered from the top instead of resumed."""
    clock: Callable[[], float] = field(default=time.time)
    seed: Optional[int] = None
    """Seed for choosing among wordings (tests); random when not given."""
    log_requests: bool = True
    """One log line per request from the skill (type and intent); off where the host logs its own."""
    fast_serializer: bool = True
    """Read requests and write answers with skill.compiled_serializer, not ask-sdk's reflective DefaultSerializer."""


# Urgency comes first: after a tier 1 or 2 answer, Stop, Cancel and No repeat the urgent line.
_URGENCY = (UrgentCloseHandler, UrgentQuestionHandler)
# Then the walkthrough controls: mid-stretch, Next, Repeat, Yes and Stop belong to it.
_WALKTHROUGH_CONTROLS = (
    NextStepHandler,
    PreviousStepHandler,
    RepeatStepHandler,
    StartOverHandler,
    PauseHandler,
    EaseOffHandler,
    StopWalkthroughHandler,
)
_GENERAL_HANDLERS = (
    LaunchRequestHandler,
    StartWalkthroughHandler,
    ResumeHandler,
    TellMeMoreHandler,
    YesHandler,
    NoHandler,
    ForgetMeHandler,
    WalkthroughNotStartedHandler,
    RepeatHandler,
    HelpHandler,
    ExitHandler,
    FallbackHandler,
    FeelingBetterHandler,
    SessionEndedRequestHandler,
    SkillDisabledHandler,
)


def build_skill_builder(config: SkillConfig = SkillConfig()) -> CustomSkillBuilder:
    """A SkillBuilder with every handler registered (``.create()`` or ``.lambda_handler()``)."""
    content = config.content or load_content()
    parts = SkillParts(
        voice=Voice(content, random.Random(config.seed)),
        walkthroughs=config.walkthrough_store or PersistentWalkthroughStore(),
        clock=config.clock,
        walkthrough_max_age_seconds=config.walkthrough_max_age_seconds,
    )
    adapter = config.persistence_adapter or ResilientAdapter(MemoryAdapter(), "memory")

    builder = CustomSkillBuilder(persistence_adapter=adapter)
    builder.skill_id = config.skill_id
    for handler_class in _URGENCY + _WALKTHROUGH_CONTROLS:
        builder.add_request_handler(handler_class(parts))
    for topic in content.topics.values():
        if topic.intent:
            builder.add_request_handler(TopicHandler(parts, topic))
    for handler_class in _GENERAL_HANDLERS:
        builder.add_request_handler(handler_class(parts))
    builder.add_request_handler(UnknownIntentHandler(parts))
    builder.add_exception_handler(CatchAllExceptionHandler(parts.voice))
    if config.log_requests:
        builder.add_global_request_interceptor(RequestLogInterceptor())
    builder.add_global_response_interceptor(RememberOutputInterceptor())
    builder.add_global_response_interceptor(ScreenInterceptor(content, parts.walkthroughs))
    builder.add_global_response_interceptor(SaveMemoryInterceptor())
    return builder


def build_skill(config: SkillConfig = SkillConfig()) -> CustomSkill:
    """The skill every host runs."""
    skill = build_skill_builder(config).create()
    if config.fast_serializer:
        from skill.compiled_serializer import CompiledSerializer  # not on Lambda: the SDK's handler brings its own

        skill.serializer = CompiledSerializer()
    return skill
