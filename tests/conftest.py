"""Test database: migrated by Alembic, seeded once; every test runs in a rolled-back transaction."""

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, event
from sqlmodel import Session

from app.config import get_settings
from app.db import build_engine, get_session
from app.ingest.importer import Transaction
from app.ingest.seed import seed
from app.main import create_app
from app.queries.paging import forget_totals
from tests.support.databases import migrate, on_postgresql, scratch_database
from tests.support.seed_facts import SEED_DIR

# Tests see the database through a rolled-back session the app is handed, which a response
# cache (reading the committed version on its own connection) cannot see: off here, and
# tested on its own in tests/http/test_response_cache.py.
os.environ.setdefault("ROUNDUP_RESPONSE_CACHE", "0")
get_settings.cache_clear()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests marked for one engine are skipped on the other, with the reason said once here;
    the browser and generated-client tests are `slow`, like the served-process modules."""
    other = "sqlite" if on_postgresql() else "postgresql"
    reason = f"needs {other} (the {other} suite runs it)"
    for item in items:
        if item.get_closest_marker(other) is not None:
            item.add_marker(pytest.mark.skip(reason=reason))
        if {"e2e", "clients"} & set(item.path.parent.parts[-1:]):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with scratch_database(tmp_path_factory.mktemp("db")) as url:
        migrate(url)
        yield url


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    engine = build_engine(database_url)
    with Session(engine) as session, session.begin():
        seed(session, [SEED_DIR], SEED_DIR)
    yield engine
    engine.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    """A session inside an outer transaction that is rolled back after the test. Totals the
    app remembered are forgotten first: a test's rows, unlike a load's, leave the data version
    as it was (app.queries.paging.count_once)."""
    forget_totals()
    connection = engine.connect()
    outer = connection.begin()
    session = Session(bind=connection, join_transaction_mode="create_savepoint")
    try:
        yield session
    finally:
        session.close()
        outer.rollback()
        connection.close()


@pytest.fixture
def transaction(session: Session) -> Transaction:
    """For the importer: each file in a savepoint, the test's stand-in for a transaction."""

    @contextmanager
    def savepoint() -> Iterator[Session]:
        with session.begin_nested():
            yield session

    return savepoint


@pytest.fixture
def client(session: Session) -> Iterator[TestClient]:
    app = create_app()
    app.api.dependency_overrides[get_session] = lambda: session
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture
def engines(tmp_path: Path) -> Iterator[tuple[Engine, Engine]]:
    """Two new, migrated databases on the engine under test, to compare two ways of loading."""
    with scratch_database(tmp_path) as first, scratch_database(tmp_path) as second:
        migrate(first)
        migrate(second)
        engines = build_engine(first), build_engine(second)
        yield engines
        for engine in engines:
            engine.dispose()


@pytest.fixture
def seed_copy(tmp_path: Path) -> Path:
    """A writable copy of seed/ for tests that change sources or annotations."""
    import shutil

    target = tmp_path / "seed"
    shutil.copytree(SEED_DIR, target)
    return target


@pytest.fixture
def statements(session: Session) -> Iterator[list[str]]:
    """Every SQL statement the test's session runs."""
    connection = session.connection()
    seen: list[str] = []

    def record(*args: Any) -> None:
        seen.append(args[2])

    event.listen(connection, "before_cursor_execute", record)
    yield seen
    event.remove(connection, "before_cursor_execute", record)
