"""AWS Lambda entry point: handler string ``skill.lambda_function.handler``.

The same skill the web service runs, on the same path (``skill.runtime.invoke.respond``): the same envelope
checks, request-type table and serializer, so every request gets the web service's answer. A
request the web service refuses with a 400 fails the invocation here with the same words
(BadEnvelope: ``request.timestamp: missing``). Lambda needs no signature checks (the Alexa Skills
Kit trigger, bound to the skill id, does that), so neither Flask nor ``skill.web.verify`` is imported:
a cold start loads only ask-sdk, the handlers and the content (and boto3 when DynamoDB is used).
The environment variables below are the Lambda's configuration, read here and nowhere deeper.
"""

from __future__ import annotations

import logging
import os
from typing import Any, Mapping, Optional

from ask_sdk_core.attributes_manager import AbstractPersistenceAdapter

from skill.runtime.builder import SkillConfig, build_skill
from skill.runtime.inbound import BadEnvelope
from skill.runtime.invoke import respond
from skill.runtime.stores import StoreConfig, open_store

SKILL_ID_VARIABLE = "CRAMP_COACH_SKILL_ID"
"""When set, ask-sdk refuses requests for any other skill."""
DYNAMODB_TABLE_VARIABLE = "CRAMP_COACH_DYNAMODB_TABLE"
"""When set, her memory lives in this DynamoDB table (region: the Lambda's AWS_REGION)."""
USER_SALT_VARIABLE = "CRAMP_COACH_USER_SALT"
"""Secret salt for hashing user ids in DynamoDB; required with the table."""
DYNAMODB_ENDPOINT_URL_VARIABLE = "CRAMP_COACH_DYNAMODB_ENDPOINT_URL"
"""Another DynamoDB endpoint (a local one for tests, a VPC endpoint); the same setting as `serve`'s."""
FAST_SERIALIZER_VARIABLE = "CRAMP_COACH_FAST_SERIALIZER"
"""0 (or false, no, off): read and write with ask-sdk's DefaultSerializer; the same setting as `serve`'s."""

log = logging.getLogger(__name__)


def store_from(environ: Mapping[str, str]) -> Optional[AbstractPersistenceAdapter]:
    """DynamoDB when a table is configured; otherwise None (memory, lost with the container)."""
    table = environ.get(DYNAMODB_TABLE_VARIABLE)
    if not table:
        log.warning("%s not set: her memory lasts only as long as this Lambda container", DYNAMODB_TABLE_VARIABLE)
        return None
    store = open_store(StoreConfig(kind="dynamodb", dynamodb_table=table, user_key_salt=environ.get(USER_SALT_VARIABLE),
                                   dynamodb_endpoint_url=environ.get(DYNAMODB_ENDPOINT_URL_VARIABLE) or None))
    problem = store.problem()  # at the cold start, not at her first request; she is still answered, without memory
    if problem:
        log.error("her memory cannot be kept: %s; check %s and the function's region and role "
                  "(dynamodb:DescribeTable, GetItem, PutItem, DeleteItem)", problem, DYNAMODB_TABLE_VARIABLE)
    return store


def fast_serializer_from(environ: Mapping[str, str]) -> bool:
    """The compiled serializer unless switched off (as `serve --sdk-serializer` does)."""
    return environ.get(FAST_SERIALIZER_VARIABLE, "1").strip().lower() not in ("0", "false", "no", "off")


_skill = build_skill(SkillConfig(skill_id=os.environ.get(SKILL_ID_VARIABLE) or None,
                                 persistence_adapter=store_from(os.environ),
                                 fast_serializer=fast_serializer_from(os.environ)))


def handler(event: Mapping[str, Any], context: Any) -> dict[str, Any]:
    """Alexa's request in, the skill's response out; BadEnvelope (logged, one line) for what the skill cannot take."""
    try:
        return respond(_skill, event, context=context)
    except BadEnvelope as problem:
        log.warning("refused: %s", problem)
        raise


def warm_up() -> None:
    """Answer one launch with a skill that has no memory, so the snapshot holds warm caches and imports.

    Nothing is stored: the request goes to a separate skill without a store, never to DynamoDB.
    """
    from skill.runtime.envelope import Session, launch_request

    respond(build_skill(SkillConfig()), launch_request(Session()))


try:  # Lambda SnapStart's runtime hooks (the library ships in Lambda's Python runtimes only)
    from snapshot_restore_py import register_before_snapshot
except ImportError:
    pass
else:
    register_before_snapshot(warm_up)
