"""Engines: the PostgreSQL pool and timeout come from settings; the start-up lock excludes."""

from pathlib import Path

import pytest
from sqlalchemy import QueuePool, create_engine, text

from app.config import Settings
from app.db import STARTUP_LOCK_KEY, build_engine, startup_lock
from tests.support.databases import TEST_DATABASE_URL

PG_ONLY = pytest.mark.postgresql


def test_postgresql_pool_is_sized_from_settings() -> None:
    # No connection is made: the pool is built lazily.
    engine = build_engine("postgresql+psycopg://roundup@127.0.0.1:1/roundup", Settings(pool_size=7))
    assert isinstance(engine.pool, QueuePool)
    assert engine.pool.size() == 7


@PG_ONLY
def test_postgresql_pool_replaces_a_connection_the_server_dropped() -> None:
    engine = build_engine(TEST_DATABASE_URL, Settings(pool_size=1, pool_max_overflow=0))
    admin = create_engine(TEST_DATABASE_URL, isolation_level="AUTOCOMMIT")
    backend_pid = text("SELECT pg_backend_pid()")
    try:
        with engine.connect() as connection:
            dropped = connection.execute(backend_pid).scalar()
        with admin.connect() as connection:
            connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": dropped})
        # Without pre-ping this checkout would hand out the dead connection and fail.
        with engine.connect() as connection:
            assert connection.execute(backend_pid).scalar() not in (None, dropped)
    finally:
        engine.dispose()
        admin.dispose()


@PG_ONLY
def test_postgresql_sessions_get_the_statement_timeout() -> None:
    engine = build_engine(TEST_DATABASE_URL, Settings(statement_timeout_ms=1234))
    try:
        with engine.connect() as connection:
            assert connection.execute(text("SHOW statement_timeout")).scalar() == "1234ms"
    finally:
        engine.dispose()


def test_startup_lock_is_a_no_op_on_sqlite(tmp_path: Path) -> None:
    missing = tmp_path / "no-such-folder" / "roundup.db"
    with startup_lock(f"sqlite:///{missing}"):
        pass
    assert not missing.parent.exists()


@PG_ONLY
def test_startup_lock_excludes_other_processes_until_released() -> None:
    other = create_engine(TEST_DATABASE_URL, isolation_level="AUTOCOMMIT")
    try_lock = text("SELECT pg_try_advisory_lock(:key)")
    try:
        with other.connect() as connection:
            with startup_lock(TEST_DATABASE_URL):
                assert connection.execute(try_lock, {"key": STARTUP_LOCK_KEY}).scalar() is False
            assert connection.execute(try_lock, {"key": STARTUP_LOCK_KEY}).scalar() is True
            connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": STARTUP_LOCK_KEY})
    finally:
        other.dispose()
