"""Engine construction (SQLite and PostgreSQL specifics live here) and the request session.

A request reads the dataset version (for its ETag) and then the data in one transaction
snapshot, so a load committing mid-request cannot mix old and new data in one response:
PostgreSQL request transactions are REPEATABLE READ (and READ ONLY); SQLite's deferred
BEGIN (emitted before the first statement) takes its snapshot at the first read.
"""

import time
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import Any

import anyio
import anyio.to_thread
from sqlalchemy import Connection, Engine, NullPool, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.expression import Join
from sqlmodel import Session
from starlette.requests import Request

from app.config import Settings, get_settings


def build_engine(url: str, settings: Settings | None = None) -> Engine:
    """An engine for `url`; SQLite gets foreign keys, WAL and real SAVEPOINT support."""
    settings = settings or get_settings()
    # The app admits at most concurrent_requests (never more than pool_size +
    # pool_max_overflow) requests at once (middleware.ConcurrencyLimit), so that requests
    # never queue for a connection while holding a thread.
    # Streaming downloads read their batches outside that limit, under their own smaller one
    # (app.exports.formats): the pool has room for both.
    pool = {
        "pool_size": settings.pool_size,
        "max_overflow": settings.pool_max_overflow + settings.export_concurrency,
        "pool_timeout": settings.pool_timeout_s,
    }
    if make_url(url).get_backend_name() == "sqlite":
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": 30}, **pool
        )
        _configure_sqlite(engine)
        return engine
    return create_engine(
        url,
        **pool,
        pool_pre_ping=True,
        connect_args={
            "options": f"-c statement_timeout={settings.statement_timeout_ms}"
            f" -c idle_in_transaction_session_timeout={settings.idle_in_transaction_timeout_ms}",
            "connect_timeout": settings.connect_timeout_s,
        },
    )


# SQLite calls the progress handler every this many virtual machine instructions (~1 ms).
_PROGRESS_STEPS = 10_000


def _configure_sqlite(engine: Engine) -> None:
    # pysqlite's own transaction handling breaks SAVEPOINT; take it over (SQLAlchemy docs,
    # "Serializable isolation / Savepoints / Transactional DDL").
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()
        info: dict[str, Any] = record.info

        # SQLite has no statement timeout: a non-zero answer interrupts the running statement
        # ("interrupted", an OperationalError), so a transaction past its deadline stops working.
        def past_deadline() -> int:
            deadline = info.get("deadline")
            return int(deadline is not None and time.monotonic() > deadline)

        dbapi_connection.set_progress_handler(past_deadline, _PROGRESS_STEPS)

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # Request sessions (and only they: loads take their time) read within a budget of
        # statement_timeout_ms from their first statement, PostgreSQL's limit per statement.
        budget_ms = connection.get_execution_options().get("budget_ms") or 0
        deadline = time.monotonic() + budget_ms / 1000 if budget_ms else None
        connection.connection.info["deadline"] = deadline
        connection.exec_driver_sql("BEGIN")


def readonly_grants(role: str, database: str, schema: str = "public") -> list[str]:
    """PostgreSQL statements that let `role` read, and only read, the API's tables: CONNECT
    to this database only (PUBLIC loses CONNECT and TEMP here), no CREATE in the schema for
    anyone but its owner, SELECT on every table now and later, read-only transactions by
    default.

    Run them as the role that runs the migrations, with CREATEROLE (for the last one): the
    default privileges then cover the tables that later migrations create, too.
    """
    role, database, schema = _quote(role), _quote(database), _quote(schema)
    return [
        f"REVOKE ALL ON DATABASE {database} FROM PUBLIC",
        f"GRANT CONNECT ON DATABASE {database} TO {role}",
        f"REVOKE CREATE ON SCHEMA {schema} FROM PUBLIC",
        f"GRANT USAGE ON SCHEMA {schema} TO {role}",
        f"GRANT SELECT ON ALL TABLES IN SCHEMA {schema} TO {role}",
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} GRANT SELECT ON TABLES TO {role}",
        f"ALTER ROLE {role} SET default_transaction_read_only = on",
    ]


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


# pg_advisory_lock key held while one process migrates and seeds ("ROUNDUP!" in ASCII).
STARTUP_LOCK_KEY = 0x524F554E44555021


@contextmanager
def startup_lock(url: str) -> Iterator[None]:
    """Serialise start-up work across processes sharing a PostgreSQL database.

    Many copies of the image may start at once; each waits here, so only one migrates or
    seeds at a time and the others find the work done. SQLite needs no lock: one box, and
    its writers already queue on the file lock.
    """
    if make_url(url).get_backend_name() != "postgresql":
        yield
        return
    # Its own connection without statement_timeout: waiting for the lock may take a while.
    engine = create_engine(url, poolclass=NullPool, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": STARTUP_LOCK_KEY})
            try:
                yield
            finally:
                connection.execute(
                    text("SELECT pg_advisory_unlock(:key)"), {"key": STARTUP_LOCK_KEY}
                )
    finally:
        engine.dispose()


def reading(engine: Engine, budget_ms: int = 0) -> Engine:
    """`engine` for request sessions: on PostgreSQL each transaction is one REPEATABLE READ,
    READ ONLY snapshot (SQLite's transactions are snapshots already). On SQLite, a transaction
    is interrupted `budget_ms` after it began (0: never); PostgreSQL has its statement_timeout."""
    if engine.dialect.name != "postgresql":
        return engine.execution_options(budget_ms=budget_ms)
    return engine.execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)


def engine_of(session: Session) -> Engine:
    """The engine behind `session` (bound to an engine, or to one of its connections)."""
    bind = session.get_bind()
    return bind.engine if isinstance(bind, Connection) else bind


@lru_cache
def _engine_for(url: str) -> Engine:
    return build_engine(url)


def get_engine() -> Engine:
    """The process-wide engine for the configured URL, built on first use (never at import):
    the commands'. The app reads through its own (request_engine)."""
    return _engine_for(get_settings().database_url)


def request_engine(settings: Settings) -> Engine:
    """The engine an app's request sessions read through, built from the app's settings
    (create_app keeps it on app.state). Building it does no I/O: it connects on first use."""
    return reading(build_engine(settings.database_url, settings), settings.statement_timeout_ms)


async def get_session(request: Request) -> AsyncIterator[Session]:
    """The request's session, on the engine of the app serving it. Opening one does no I/O,
    so it happens on the event loop, and a sync generator would cost two thread-pool
    hand-offs a request. Closing it ends its transaction: in-process for SQLite
    (microseconds), over the network for PostgreSQL, so there in the thread pool, shielded
    so that a cancelled request still returns its connection."""
    engine: Engine = request.app.state.engine
    session = Session(engine)
    try:
        yield session
    finally:
        if engine.dialect.name == "sqlite":
            session.close()
        else:
            with anyio.CancelScope(shield=True):
                await anyio.to_thread.run_sync(session.close)


class OrderedJoin(Join):
    """An inner join to be run in the order written, the left side driving the loop.

    SQLite reorders inner joins by its own estimates and, without statistics, may scan the
    largest table and sort all of it; written as CROSS JOIN, SQLite keeps the order. Other
    backends get a plain JOIN and plan it themselves."""

    inherit_cache = True


@compiles(OrderedJoin, "sqlite")
def _ordered_join_sqlite(join: OrderedJoin, compiler: SQLCompiler, **kw: Any) -> str:
    kw["asfrom"] = True
    if join.onclause is None:
        raise ValueError("OrderedJoin needs an ON clause")
    return (
        join.left._compiler_dispatch(compiler, **kw)
        + " CROSS JOIN "
        + join.right._compiler_dispatch(compiler, **kw)
        + " ON "
        + join.onclause._compiler_dispatch(compiler, **kw)
    )
