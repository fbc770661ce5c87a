"""Scratch databases for tests: a SQLite file, or a throwaway PostgreSQL database."""

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlmodel import Session

from app.config import PROJECT_DIR
from app.db import build_engine
from app.ingest.seed import seed
from tests.support.seed_facts import SEED_DIR

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "")


def on_postgresql() -> bool:
    return TEST_DATABASE_URL.startswith("postgresql")


@contextmanager
def scratch_database(folder: Path) -> Iterator[str]:
    """A new empty database URL on the engine under test; dropped afterwards."""
    if not on_postgresql():
        yield f"sqlite:///{folder / f'{uuid.uuid4().hex}.db'}"
        return
    server = make_url(TEST_DATABASE_URL).set(drivername="postgresql+psycopg")
    name = f"roundup_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def alembic_config(url: str) -> Config:
    config = Config(str(PROJECT_DIR / "alembic.ini"))
    config.set_main_option("sqlalchemy.url", url)
    return config


def migrate(url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(url), revision)


@contextmanager
def seeded_database(folder: Path) -> Iterator[str]:
    """A scratch database, migrated, with the seed roundup committed (for servers started in a
    process of their own, which see only committed data); dropped afterwards."""
    with scratch_database(folder) as url:
        migrate(url)
        engine = build_engine(url)
        with Session(engine) as session, session.begin():
            seed(session, [SEED_DIR], SEED_DIR)
        engine.dispose()
        yield url
