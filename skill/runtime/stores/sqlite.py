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

from skill.runtime.stores import KeyFunction, StoreConfigError, salted_user_key

SALT_SUFFIX = ".salt"
"""The salt lives beside the database in its own 0600 file, never inside it: the file alone finds no one."""
PRIVATE_FILE_MODE = 0o600
PRIVATE_DIR_MODE = 0o700
PROBE_TIMEOUT_SECONDS = 0.1
"""How long a health check waits for the write lock before it reports the store as locked."""
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
    """ask-sdk persistence in a SQLite file.

    ``prepare`` (where the process starts: ``serve``'s master before it forks, the terminal, tests)
    creates the folder (0700) and file (0600), migrates the schema and settles the salt, failing
    loudly. Without it (each gunicorn worker) nothing is touched until the first request, so a
    locked or broken file never stops a worker from starting: she is answered without memory.
    """

    def __init__(self, path: Path, salt: Optional[bytes] = None, busy_timeout_ms: Optional[int] = None,
                 prepare: bool = True) -> None:
        self.path = Path(path)
        self.busy_timeout_ms = BUSY_TIMEOUT_MS if busy_timeout_ms is None else busy_timeout_ms
        self.salt_path = salt_file_for(self.path)
        self._local = threading.local()
        self._salt = salt
        self._key_function: Optional[KeyFunction] = None
        if prepare:
            make_private(self.path)
            self._migrate()
            if self._salt is None:
                self._salt = settle_salt(self._connection(), self.salt_path)
            make_private(self.path)  # the -wal and -shm files the first connection made

    def _key(self, request_envelope: RequestEnvelope) -> str:
        if self._key_function is None:
            if self._salt is None:
                self._salt = read_salt(self.salt_path)
            self._key_function = salted_user_key(self._salt)
        return self._key_function(request_envelope)

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

    def probe(self) -> Optional[str]:
        """Why this store cannot keep her memory now, or None: the file is writable and its schema current."""
        try:
            version = self.schema_version()
        except sqlite3.Error as error:
            return f"sqlite {self.path}: {error}"
        if version != len(MIGRATIONS):
            return f"sqlite {self.path}: schema version {version}, expected {len(MIGRATIONS)}"
        try:  # can a writer get in? (a lock held elsewhere, a read-only file); nothing is written
            probe = sqlite3.connect(self.path, timeout=PROBE_TIMEOUT_SECONDS, isolation_level=None)
            try:
                probe.execute("BEGIN IMMEDIATE")
                probe.execute("ROLLBACK")
            finally:
                probe.close()
        except sqlite3.Error as error:
            return f"sqlite {self.path}: cannot write: {error}"
        return None

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


def salt_file_for(database: Path) -> Path:
    return database.with_name(database.name + SALT_SUFFIX)


def make_private(database: Path) -> None:
    """The folder 0700 when we make it (or it is our default one), the database and its side files 0600."""
    folder = database.parent
    if not folder.exists():
        folder.mkdir(parents=True, mode=PRIVATE_DIR_MODE)
    elif folder == default_database_path().parent:
        folder.chmod(PRIVATE_DIR_MODE)
    if not database.exists():
        os.close(os.open(database, os.O_WRONLY | os.O_CREAT, PRIVATE_FILE_MODE))
    for path in (database, database.with_name(database.name + "-wal"), database.with_name(database.name + "-shm"),
                 salt_file_for(database)):
        if path.exists():
            path.chmod(PRIVATE_FILE_MODE)


def read_salt(path: Path) -> bytes:
    salt = path.read_bytes().strip()
    if not salt:
        raise StoreConfigError(f"sqlite: {path} is empty; restore the salt file (without it no record can be found)")
    return salt


def settle_salt(connection: sqlite3.Connection, path: Path) -> bytes:
    """The salt from its file; made once, or moved out of the database where older versions kept it."""
    row = connection.execute("SELECT value FROM meta WHERE key = 'user_key_salt'").fetchone()
    in_database = row[0].encode() if row else None
    if path.exists():
        salt = read_salt(path)
        if in_database is not None and in_database != salt:
            raise StoreConfigError(f"sqlite: {path} and the salt inside the database differ; keep the one the "
                                   "records were made with (the database's) and remove the other")
    else:
        salt = in_database or secrets.token_hex(32).encode()
        _write_private(path, salt)
    if in_database is not None:
        connection.execute("DELETE FROM meta WHERE key = 'user_key_salt'")  # the file holds it now
    return salt


def _write_private(path: Path, content: bytes) -> None:
    """Written whole or not at all, 0600 from the first byte."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_FILE_MODE)
    try:
        os.write(descriptor, content + b"\n")
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
    os.replace(temporary, path)
