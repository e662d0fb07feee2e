"""Assemble the skill: content, voice, handlers, interceptors and the exception handler.

Every host (CLI, web service, Lambda, tests) builds its skill here, so they all run the same
handlers: one a topic (content/topics.yaml, safety.yaml) and one a control (content/controls.yaml).
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, field
from typing import Callable, Iterable, Optional

from ask_sdk_core.attributes_manager import AbstractPersistenceAdapter
from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.skill import CustomSkill
from ask_sdk_core.skill_builder import CustomSkillBuilder

from skill.runtime.api_client import API_TIMEOUT_SECONDS, api_client
from skill.runtime.content import Content, load_content
from skill.runtime.handlers.advice import TopicHandler
from skill.runtime.handlers.base import DEFAULT_WALKTHROUGH_MAX_AGE_SECONDS, SkillParts
from skill.runtime.handlers.builtins import SessionEndedRequestHandler, UnknownIntentHandler
from skill.runtime.handlers.controls import CONTROL_HANDLERS
from skill.runtime.handlers.errors import CatchAllExceptionHandler
from skill.runtime.handlers.interceptors import RememberOutputInterceptor, RequestLogInterceptor, SaveMemoryInterceptor
from skill.runtime.handlers.launch import LaunchRequestHandler
from skill.runtime.handlers.privacy import SkillDisabledHandler
from skill.runtime.handlers.reminders import PermissionAnswerHandler
from skill.runtime.handlers.screens import ScreenInterceptor
from skill.runtime.replies import Voice
from skill.runtime.state import PersistentWalkthroughStore, WalkthroughStore
from skill.runtime.stores import MemoryAdapter, ResilientAdapter


@dataclass(frozen=True)
class SkillConfig:
    """What a host decides about the skill; everything else has a sensible default."""

    content: Optional[Content] = None
    """Validated content; loaded from the shipped content/ when not given."""
    skill_id: Optional[str] = None
    """When set, ask-sdk rejects requests for any other skill."""
    persistence_adapter: Optional[AbstractPersistenceAdapter] = None
    """Where her memory lives between sessions (skill.runtime.stores.open_store); in memory when not given."""
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
    """Read requests and write answers with skill.runtime.compiled_serializer, not ask-sdk's reflective DefaultSerializer."""
    api_timeout_seconds: float = API_TIMEOUT_SECONDS
    """Deadline of each call to the Reminders and Settings APIs, well inside Alexa's 8 s."""
    api_ca_bundle: Optional[str] = None
    """CA bundle to trust for Alexa's service APIs; the system's roots when not given (the practice API's own)."""


def request_handlers(content: Content, parts: SkillParts) -> list[AbstractRequestHandler]:
    """One handler a request type, topic and control: each takes requests no other takes."""
    handlers: list[AbstractRequestHandler] = [
        LaunchRequestHandler(parts), SessionEndedRequestHandler(parts), SkillDisabledHandler(parts),
        PermissionAnswerHandler(parts),
    ]
    handlers += [TopicHandler(parts, topic) for topic in content.topics.values() if topic.intent]
    handlers += [CONTROL_HANDLERS[name](parts, intents) for name, intents in content.controls.items()]
    handlers.append(UnknownIntentHandler(parts))
    return handlers


def build_skill_builder(
    config: SkillConfig = SkillConfig(),
    arrange: Callable[[list[AbstractRequestHandler]], Iterable[AbstractRequestHandler]] = list,
) -> CustomSkillBuilder:
    """A SkillBuilder with every handler registered (``.create()`` or ``.lambda_handler()``).

    ``arrange`` orders the handlers; the order does not matter (a test registers them reversed).
    """
    content = config.content or load_content()
    parts = SkillParts(
        voice=Voice(content, random.Random(config.seed)),
        walkthroughs=config.walkthrough_store or PersistentWalkthroughStore(),
        clock=config.clock,
        walkthrough_max_age_seconds=config.walkthrough_max_age_seconds,
    )
    adapter = config.persistence_adapter or ResilientAdapter(MemoryAdapter(), "memory")

    builder = CustomSkillBuilder(
        persistence_adapter=adapter, api_client=api_client(config.api_timeout_seconds, config.api_ca_bundle),
    )
    builder.skill_id = config.skill_id
    for handler in arrange(request_handlers(content, parts)):
        builder.add_request_handler(handler)
    builder.add_exception_handler(CatchAllExceptionHandler(parts.voice))
    if config.log_requests:
        builder.add_global_request_interceptor(RequestLogInterceptor())
    builder.add_global_response_interceptor(RememberOutputInterceptor())
    builder.add_global_response_interceptor(ScreenInterceptor(content, parts.walkthroughs))
    builder.add_global_response_interceptor(SaveMemoryInterceptor())
    return builder


def build_skill(
    config: SkillConfig = SkillConfig(),
    arrange: Callable[[list[AbstractRequestHandler]], Iterable[AbstractRequestHandler]] = list,
) -> CustomSkill:
    """The skill every host runs."""
    skill = build_skill_builder(config, arrange).create()
    if config.fast_serializer:
        from skill.runtime.compiled_serializer import CompiledSerializer  # every entry uses it (skill.runtime.invoke)

        skill.serializer = CompiledSerializer()
    return skill
