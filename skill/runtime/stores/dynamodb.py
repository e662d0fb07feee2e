"""DynamoDB at scale, through Amazon's own ask-sdk-dynamodb-persistence-adapter.

Installed with the ``dynamodb`` extra (``pip install 'cramp-coach[dynamodb]'``); the natural
pair of the Lambda entry.
"""

from __future__ import annotations

import os
import time
from typing import TYPE_CHECKING, Any, Optional

from ask_sdk_core.attributes_manager import AbstractPersistenceAdapter

from skill.runtime.stores import KeyFunction, StoreConfigError

if TYPE_CHECKING:
    from skill.runtime.stores import StoreConfig


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

    adapter = DynamoDbAdapter(
        table_name=config.dynamodb_table,
        create_table=config.dynamodb_create_table,
        partition_keygen=key,
        dynamodb_resource=resource,
    )
    if config.dynamodb_create_table:
        # The adapter asks for the table and returns at once; until it is ACTIVE every read fails.
        wait_until_table_active(resource, config.dynamodb_table)
    return adapter


TABLE_ACTIVE_TIMEOUT_SECONDS = 120.0
"""A new on-demand table is usually ACTIVE within seconds; past this, something is wrong."""


def wait_until_table_active(resource: Any, table: str, timeout: float = TABLE_ACTIVE_TIMEOUT_SECONDS) -> None:
    """Poll DescribeTable, backing off, until ``table`` is ACTIVE; StoreConfigError past ``timeout``."""
    client = resource.meta.client
    deadline = time.monotonic() + timeout
    delay = 0.02
    status = "missing"
    while True:
        try:
            status = client.describe_table(TableName=table)["Table"]["TableStatus"]
        except client.exceptions.ResourceNotFoundException:
            status = "missing"
        if status == "ACTIVE":
            return
        if time.monotonic() + delay > deadline:
            raise StoreConfigError(f"dynamodb: table {table!r} is {status}, not ACTIVE, after {timeout:.0f} s")
        time.sleep(delay)
        delay = min(delay * 2, 2.0)


def table_problem(adapter: Any) -> Optional[str]:
    """Why the adapter's table cannot keep her memory (missing, not ACTIVE, another key), or None."""
    client = adapter.dynamodb.meta.client
    table = adapter.table_name
    try:
        description = client.describe_table(TableName=table)["Table"]
    except client.exceptions.ResourceNotFoundException:
        return f"dynamodb: table {table!r} does not exist in {client.meta.region_name}"
    except Exception as error:  # credentials, network, endpoint: all mean "cannot reach it"
        return f"dynamodb: table {table!r} cannot be reached: {type(error).__name__}: {error}"
    keys = {(key["AttributeName"], key["KeyType"]) for key in description.get("KeySchema", [])}
    if keys != {(adapter.partition_key_name, "HASH")}:
        return (f"dynamodb: table {table!r} has the key {sorted(keys)}, expected only the partition key "
                f"{adapter.partition_key_name!r} (string)")
    if description.get("TableStatus") not in ("ACTIVE", "UPDATING"):
        return f"dynamodb: table {table!r} is {description.get('TableStatus')}, not ACTIVE"
    return None
