"""Where her memory lives between sessions, behind ask-sdk's AbstractPersistenceAdapter.

Handlers never see which store is used: SQLite by default, DynamoDB at scale, memory for
the terminal. Every store is keyed by a salted hash of the Alexa user id, and wrapped so a
store that is down or locked never silences the skill.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Optional

from ask_sdk_core.attributes_manager import AbstractPersistenceAdapter
from ask_sdk_model import RequestEnvelope

log = logging.getLogger(__name__)

KeyFunction = Callable[[RequestEnvelope], str]


class StoreUnavailable(RuntimeError):
    """The store could not do what was asked; the skill carries on without memory."""


class StoreConfigError(ValueError):
    """The store settings are incomplete or contradictory; the message says which setting."""


def salted_user_key(salt: bytes) -> KeyFunction:
    """Key records by HMAC-SHA256 of the Alexa user id, so the raw id is never stored."""

    def key(request_envelope: RequestEnvelope) -> str:
        user = request_envelope.context.system.user
        if user is None or not user.user_id:
            raise StoreUnavailable("request has no context.System.user.userId")
        return hmac.new(salt, user.user_id.encode("utf-8"), hashlib.sha256).hexdigest()

    return key


class UnavailableAttributes(dict):
    """What a failed read returns: empty, and never written back over her real record."""


class ResilientAdapter(AbstractPersistenceAdapter):
    """Wraps a store so that failures are logged once, answered without memory, and recovered from."""

    def __init__(self, inner: AbstractPersistenceAdapter, name: str,
                 probe: Optional[Callable[[], Optional[str]]] = None) -> None:
        self.inner = inner
        self.name = name
        self._probe = probe
        self._failing: set[str] = set()  # "read" and/or "write": what is failing now
        self._lock = threading.Lock()

    def _failed(self, kind: str, error: Exception) -> None:
        with self._lock:
            first = not self._failing
            self._failing.add(kind)
        if first:
            log.error("%s store unavailable (%s): %s; answering without memory", self.name, kind, error)

    def _worked(self, kind: str) -> None:
        """A success of ``kind`` clears only failures of that kind (a read proves nothing about writes)."""
        with self._lock:
            if kind not in self._failing:
                return
            self._failing.discard(kind)
            recovered = not self._failing
        if recovered:
            log.warning("%s store is back", self.name)

    @property
    def healthy(self) -> bool:
        return not self._failing

    def problem(self) -> Optional[str]:
        """Why her memory cannot be kept right now (for /healthz and start-up checks), or None."""
        if self._probe is None:
            return f"{self.name}: {' and '.join(sorted(self._failing))} failing" if self._failing else None
        try:  # asked now, so a store that came back is healthy at once, whatever failed before
            return self._probe()
        except Exception as error:  # a probe that cannot even run is the answer
            return f"{self.name}: {type(error).__name__}: {error}"

    def get_attributes(self, request_envelope: RequestEnvelope) -> dict[str, Any]:
        try:
            attributes = self.inner.get_attributes(request_envelope)
        except Exception as error:  # any store failure: carry on without memory
            self._failed("read", error)
            return UnavailableAttributes()
        self._worked("read")
        return dict(attributes or {})

    def save_attributes(self, request_envelope: RequestEnvelope, attributes: dict[str, Any]) -> None:
        if isinstance(attributes, UnavailableAttributes):
            return  # we never read her record, so we must not overwrite it
        try:
            self.inner.save_attributes(request_envelope, attributes)
        except Exception as error:
            self._failed("write", error)
        else:
            self._worked("write")

    def delete_attributes(self, request_envelope: RequestEnvelope) -> None:
        try:
            self.inner.delete_attributes(request_envelope)
        except Exception as error:
            self._failed("write", error)
            raise StoreUnavailable(str(error)) from error
        self._worked("write")


class MemoryAdapter(AbstractPersistenceAdapter):
    """A store that lasts as long as the process: for the terminal and for tests."""

    def __init__(self, key: Optional[KeyFunction] = None) -> None:
        self._key = key or salted_user_key(b"cramp-coach-memory")
        self._records: dict[str, dict[str, Any]] = {}
        self._lock = threading.Lock()

    def get_attributes(self, request_envelope: RequestEnvelope) -> dict[str, Any]:
        with self._lock:
            return dict(self._records.get(self._key(request_envelope), {}))

    def save_attributes(self, request_envelope: RequestEnvelope, attributes: dict[str, Any]) -> None:
        with self._lock:
            self._records[self._key(request_envelope)] = dict(attributes)

    def delete_attributes(self, request_envelope: RequestEnvelope) -> None:
        with self._lock:
            self._records.pop(self._key(request_envelope), None)


@dataclass(frozen=True)
class StoreConfig:
    """Which store keeps her memory. ``kind``: "sqlite", "dynamodb" or "memory"."""

    kind: str = "sqlite"
    sqlite_path: Optional[Path] = None
    dynamodb_table: Optional[str] = None
    dynamodb_region: Optional[str] = None
    dynamodb_endpoint_url: Optional[str] = None
    dynamodb_create_table: bool = False
    user_key_salt: Optional[str] = None
    """Secret salt for hashing user ids; SQLite makes and keeps one itself when not given."""


def open_store(config: StoreConfig, prepare: bool = True) -> ResilientAdapter:
    """The configured store, wrapped for resilience. Raises StoreConfigError on bad settings.

    ``prepare``: create, migrate and settle the salt now, failing loudly (where the process starts);
    without it (a gunicorn worker) a store that is locked or down does not stop the worker starting.
    """
    salt = config.user_key_salt.encode("utf-8") if config.user_key_salt else None
    if config.kind == "memory":
        return ResilientAdapter(MemoryAdapter(salted_user_key(salt) if salt else None), "memory")
    if config.kind == "sqlite":
        from skill.runtime.stores.sqlite import SqliteAdapter, default_database_path

        sqlite = SqliteAdapter(config.sqlite_path or default_database_path(), salt=salt, prepare=prepare)
        return ResilientAdapter(sqlite, "sqlite", probe=sqlite.probe)
    if config.kind == "dynamodb":
        from skill.runtime.stores.dynamodb import dynamodb_adapter, table_problem

        if not config.dynamodb_table:
            raise StoreConfigError("dynamodb: a table name is required (--dynamodb-table)")
        if not salt:
            raise StoreConfigError("dynamodb: a user key salt is required (--user-salt), so user ids are never stored raw")
        dynamodb = dynamodb_adapter(config, salted_user_key(salt))
        return ResilientAdapter(dynamodb, "dynamodb", probe=lambda: table_problem(dynamodb))
    raise StoreConfigError(f"store: unknown kind {config.kind!r}; use sqlite, dynamodb or memory")
