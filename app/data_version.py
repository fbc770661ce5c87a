"""The current data version, cheaply and without a request session, for the response cache.

SQLite: one private read-only connection per process; each check is a single-row read
(microseconds). PostgreSQL: a watcher thread LISTENs on `roundup_data` (the loader NOTIFYs
it in the load's own transaction, so it fires at commit) and re-reads the version on each
notification, and at least every `poll_seconds` in case a notification is missed.
"""

import logging
import sqlite3
import threading
from typing import Protocol
from urllib.parse import quote

import psycopg
from sqlalchemy.engine import make_url

log = logging.getLogger("roundup")

CHANNEL = "roundup_data"
_QUERY = "SELECT version FROM dataset_state WHERE id = 1"


class VersionSource(Protocol):
    def current(self) -> str | None:
        """The version now, or None when it cannot be read (then nothing is cached)."""

    def close(self) -> None: ...


class SQLiteVersion:
    def __init__(self, uri: str) -> None:
        """`uri`: an SQLite `file:` URI, opened read-only (see sqlite_uri)."""
        self._uri = uri
        self._connection: sqlite3.Connection | None = None
        self._failing = False

    def current(self) -> str | None:
        try:
            if self._connection is None:
                self._connection = sqlite3.connect(
                    self._uri, uri=True, check_same_thread=False, timeout=1.0
                )
            row = self._connection.execute(_QUERY).fetchone()
        except sqlite3.Error as error:
            self.close()
            if not self._failing:
                log.warning(
                    "response cache off: the data version cannot be read from %s: %s",
                    self._uri,
                    error,
                )
            self._failing = True
            return None
        if self._failing:
            log.warning("response cache on: the data version is readable again")
            self._failing = False
        return str(row[0]) if row else None

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None


class PostgresVersion:
    def __init__(self, url: str, poll_seconds: float = 1.0) -> None:
        self._url = url
        self._poll = poll_seconds
        self._version: str | None = None
        self._first_read = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, name="data-version", daemon=True)
        self._thread.start()

    def current(self) -> str | None:
        if not self._first_read.is_set():
            self._first_read.wait(self._poll)
        return self._version

    def close(self) -> None:
        self._stop.set()

    def _watch(self) -> None:
        while not self._stop.is_set():
            try:
                with psycopg.connect(self._url, autocommit=True, connect_timeout=5) as conn:
                    conn.execute(f"LISTEN {CHANNEL}")
                    while not self._stop.is_set():
                        row = conn.execute(_QUERY).fetchone()
                        self._version = str(row[0]) if row else None
                        self._first_read.set()
                        for _ in conn.notifies(timeout=self._poll, stop_after=1):
                            pass
            except psycopg.Error as error:
                if self._version is not None or not self._first_read.is_set():
                    log.warning("response cache off: the data version cannot be read: %s", error)
                self._version = None  # unknown: serve uncached until the database is back
                self._first_read.set()
                self._stop.wait(self._poll)


def sqlite_uri(database: str, query: dict[str, str | tuple[str, ...]]) -> str | None:
    """The read-only `file:` URI of the database file a SQLAlchemy SQLite URL names (a plain
    path, or with `uri=true` a `file:` URI such as `file:/data/roundup.db`, whose parameters
    SQLAlchemy moved to `query`); None for an in-memory database."""
    if query.get("uri") in ("true", "1"):
        if not database.startswith("file:") or query.get("mode") == "memory":
            return None
        path = database.removeprefix("file:").split("?", 1)[0]
        return None if path in ("", ":memory:") else f"file:{path}?mode=ro"
    if not database or database == ":memory:":
        return None
    return f"file:{quote(database)}?mode=ro"


def version_source(database_url: str) -> VersionSource | None:
    """A version source for `database_url`, or None for an in-memory SQLite database."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        uri = sqlite_uri(url.database or "", dict(url.query))
        return SQLiteVersion(uri) if uri else None
    plain = url.set(drivername="postgresql").render_as_string(hide_password=False)
    return PostgresVersion(plain)
