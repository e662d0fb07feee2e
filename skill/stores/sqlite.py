"""The embedded store: one SQLite file in WAL mode, safe for several workers and threads.

Each thread of each process opens its own connection (never shared across a fork). Writes
are single statements, committed before the response is sent, so a killed worker loses
nothing it had answered.
"""

from __future__ import annotations

import json
import os
import secrets
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any, Optional

from ask_sdk_core.attributes_manager import AbstractPersistenceAdapter
from ask_sdk_model import RequestEnvelope

from skill.stores import salted_user_key

BUSY_TIMEOUT_MS = 5000
"""How long a writer waits for another to finish before the store counts as locked."""
DATA_DIR_ENV = "XDG_DATA_HOME"

# Each step takes the schema from version N to N+1; never edit a released step, add one.
MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE listeners (
        user_key   TEXT PRIMARY KEY,
        attributes TEXT NOT NULL,
        updated_at INTEGER NOT NULL
    );
    """,
)


def default_database_path() -> Path:
    """``$XDG_DATA_HOME/cramp-coach/cramp-coach.sqlite3`` (``~/.local/share`` when unset)."""
    base = Path(os.environ.get(DATA_DIR_ENV) or Path.home() / ".local" / "share")
    return base / "cramp-coach" / "cramp-coach.sqlite3"


class SqliteAdapter(AbstractPersistenceAdapter):
    """ask-sdk persistence in a SQLite file; the schema is created and migrated on open."""

    def __init__(self, path: Path, salt: Optional[bytes] = None, busy_timeout_ms: int = BUSY_TIMEOUT_MS) -> None:
        self.path = Path(path)
        self.busy_timeout_ms = busy_timeout_ms
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        self._migrate()
        self._key = salted_user_key(salt or self._stored_salt())

    # -- connections and schema -----------------------------------------------------------
    def _connection(self) -> sqlite3.Connection:
        connection = getattr(self._local, "connection", None)
        if connection is None or self._local.pid != os.getpid():
            connection = sqlite3.connect(self.path, timeout=self.busy_timeout_ms / 1000, isolation_level=None)
            connection.execute(f"PRAGMA busy_timeout = {self.busy_timeout_ms}")
            connection.execute("PRAGMA journal_mode = WAL")
            connection.execute("PRAGMA synchronous = NORMAL")
            self._local.connection, self._local.pid = connection, os.getpid()
        return connection

    def schema_version(self) -> int:
        return self._connection().execute("PRAGMA user_version").fetchone()[0]

    def _migrate(self) -> None:
        """Bring the schema up to date, once, even with several workers starting together."""
        connection = self._connection()
        connection.execute("BEGIN IMMEDIATE")
        try:
            version = connection.execute("PRAGMA user_version").fetchone()[0]
            for number, step in enumerate(MIGRATIONS[version:], start=version + 1):
                for statement in filter(str.strip, step.split(";")):
                    connection.execute(statement)
                connection.execute(f"PRAGMA user_version = {number}")
            connection.execute("COMMIT")
        except BaseException:
            connection.execute("ROLLBACK")
            raise

    def _stored_salt(self) -> bytes:
        """The salt this database was created with (made once, kept in the meta table)."""
        connection = self._connection()
        connection.execute(
            "INSERT OR IGNORE INTO meta (key, value) VALUES ('user_key_salt', ?)", (secrets.token_hex(32),)
        )
        return connection.execute("SELECT value FROM meta WHERE key = 'user_key_salt'").fetchone()[0].encode()

    # -- AbstractPersistenceAdapter ----------------------------------------------------------
    def get_attributes(self, request_envelope: RequestEnvelope) -> dict[str, Any]:
        row = self._connection().execute(
            "SELECT attributes FROM listeners WHERE user_key = ?", (self._key(request_envelope),)
        ).fetchone()
        return json.loads(row[0]) if row else {}

    def save_attributes(self, request_envelope: RequestEnvelope, attributes: dict[str, Any]) -> None:
        self._connection().execute(
            "INSERT INTO listeners (user_key, attributes, updated_at) VALUES (?, ?, ?) "
            "ON CONFLICT (user_key) DO UPDATE SET attributes = excluded.attributes, updated_at = excluded.updated_at",
            (self._key(request_envelope), json.dumps(attributes, separators=(",", ":")), int(time.time())),
        )

    def delete_attributes(self, request_envelope: RequestEnvelope) -> None:
        self._connection().execute("DELETE FROM listeners WHERE user_key = ?", (self._key(request_envelope),))

    def close(self) -> None:
        connection = getattr(self._local, "connection", None)
        if connection is not None:
            connection.close()
            self._local.connection = None
