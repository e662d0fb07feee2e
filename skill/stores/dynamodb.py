"""DynamoDB at scale, through Amazon's own ask-sdk-dynamodb-persistence-adapter.

Installed with the ``dynamodb`` extra (``pip install 'cramp-coach[dynamodb]'``); the natural
pair of the Lambda entry.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from ask_sdk_core.attributes_manager import AbstractPersistenceAdapter

from skill.stores import KeyFunction, StoreConfigError

if TYPE_CHECKING:
    from skill.stores import StoreConfig


def dynamodb_adapter(config: "StoreConfig", key: KeyFunction) -> AbstractPersistenceAdapter:
    """A DynamoDbAdapter on the configured table, region and (for local tests) endpoint."""
    try:
        import boto3
    except ImportError:
        raise StoreConfigError("dynamodb: install the extra: pip install 'cramp-coach[dynamodb]'") from None
    region = config.dynamodb_region or os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")
    if not region:
        raise StoreConfigError("dynamodb: a region is required (--dynamodb-region or AWS_REGION)")
    resource = boto3.resource("dynamodb", region_name=region, endpoint_url=config.dynamodb_endpoint_url)
    # The adapter module builds a default boto3 resource at import time, which needs a region.
    os.environ.setdefault("AWS_DEFAULT_REGION", region)
    from ask_sdk_dynamodb.adapter import DynamoDbAdapter

    return DynamoDbAdapter(
        table_name=config.dynamodb_table,
        create_table=config.dynamodb_create_table,
        partition_keygen=key,
        dynamodb_resource=resource,
    )
