"""AWS Lambda entry point: handler string ``skill.lambda_function.handler``.

The same skill the web service runs. Lambda needs no signature checks (the Alexa Skills Kit
trigger, bound to the skill id, does that), so neither Flask nor ``skill.verify`` is imported:
a cold start loads only ask-sdk, the handlers and the content (and boto3 when DynamoDB is used).
The environment variables below are the Lambda's configuration, read here and nowhere deeper.
"""

from __future__ import annotations

import logging
import os
from typing import Mapping, Optional

from ask_sdk_core.attributes_manager import AbstractPersistenceAdapter

from skill.builder import SkillConfig, build_skill_builder
from skill.stores import StoreConfig, open_store

SKILL_ID_VARIABLE = "CRAMP_COACH_SKILL_ID"
"""When set, ask-sdk refuses requests for any other skill."""
DYNAMODB_TABLE_VARIABLE = "CRAMP_COACH_DYNAMODB_TABLE"
"""When set, her memory lives in this DynamoDB table (region: the Lambda's AWS_REGION)."""
USER_SALT_VARIABLE = "CRAMP_COACH_USER_SALT"
"""Secret salt for hashing user ids in DynamoDB; required with the table."""
DYNAMODB_ENDPOINT_URL_VARIABLE = "CRAMP_COACH_DYNAMODB_ENDPOINT_URL"
"""Another DynamoDB endpoint (a local one for tests, a VPC endpoint); the same setting as `serve`'s."""

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


handler = build_skill_builder(
    SkillConfig(skill_id=os.environ.get(SKILL_ID_VARIABLE) or None, persistence_adapter=store_from(os.environ))
).lambda_handler()


def warm_up() -> None:
    """Answer one launch with a skill that has no memory, so the snapshot holds warm caches and imports.

    Nothing is stored: the request goes to a separate skill without a store, never to DynamoDB.
    """
    from skill.builder import build_skill
    from skill.envelope import Session, launch_request
    from skill.invoke import invoke

    invoke(build_skill(SkillConfig()), launch_request(Session()))


try:  # Lambda SnapStart's runtime hooks (the library ships in Lambda's Python runtimes only)
    from snapshot_restore_py import register_before_snapshot
except ImportError:
    pass
else:
    register_before_snapshot(warm_up)
