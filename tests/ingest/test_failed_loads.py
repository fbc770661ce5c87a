"""Failed loads lose nothing: a load that fails half-way, a seed process killed mid-load, and
a full disk each leave the previous data in place and served."""

import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlmodel import Session

from app.cli import main
from app.config import get_settings
from app.db import build_engine, get_session
from app.ingest.load import load as real_load
from app.ingest.seed import seed
from app.main import create_app
from tests.support.copies import seed_folder
from tests.support.databases import migrate, on_postgresql, scratch_database, seeded_database
from tests.support.seed_facts import SEED_DIR, SEED_SLUG
from tests.support.snapshots import snapshot

ROUNDUP = Path(sys.executable).parent / "roundup"


@pytest.fixture
def loaded_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A scratch database holding the seed roundup; DATABASE_URL points at it."""
    with seeded_database(tmp_path) as url:
        monkeypatch.setenv("DATABASE_URL", url)
        get_settings.cache_clear()
        yield url
    get_settings.cache_clear()


def state_of(url: str) -> dict[str, list[tuple[Any, ...]]]:
    engine = build_engine(url)
    with engine.connect() as connection:
        rows = snapshot(connection)
    engine.dispose()
    return rows


def served_article(url: str) -> tuple[int, dict[str, Any]]:
    """What the API answers for the seed roundup when reading `url`."""
    engine = build_engine(url)

    def session() -> Iterator[Session]:
        with Session(engine) as session:
            yield session

    app = create_app()
    app.api.dependency_overrides[get_session] = session
    with TestClient(app) as client:
        response = client.get(f"/v1/articles/{SEED_SLUG}")
    engine.dispose()
    return response.status_code, response.json()


def test_a_load_failing_half_way_changes_nothing(
    loaded_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before, served = state_of(loaded_url), served_article(loaded_url)
    folder = seed_folder(tmp_path / "seed", copies=2)
    loaded: list[str] = []

    def load_then_fail(session: Session, document: Any, *args: Any) -> None:
        if len(loaded) == 2:  # the third roundup: the database goes away mid-load
            raise OperationalError("INSERT ...", {}, Exception("server closed the connection"))
        real_load(session, document, *args)
        session.flush()
        loaded.append(document.document.slug)

    monkeypatch.setattr("app.ingest.seed.load", load_then_fail)
    monkeypatch.setenv("ROUNDUP_SEED_DIR", str(folder))
    get_settings.cache_clear()

    assert main(["seed", str(folder)]) == 2

    assert loaded == [f"{SEED_SLUG}-1", f"{SEED_SLUG}-2"]  # written before the failure
    assert state_of(loaded_url) == before
    assert served_article(loaded_url) == served


def _writing(url: str) -> bool:
    """Whether another connection has begun writing to the database at `url`."""
    if not on_postgresql():
        lite = sqlite3.connect(make_url(url).database or "", timeout=0, isolation_level=None)
        try:
            lite.execute("BEGIN IMMEDIATE")
            lite.execute("ROLLBACK")
            return False
        except sqlite3.OperationalError:
            return True  # "database is locked": a writer holds it
        finally:
            lite.close()
    engine = build_engine(url)
    with engine.connect() as connection:
        writers = connection.execute(
            text(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                " AND backend_xid IS NOT NULL AND pid <> pg_backend_pid()"
            )
        ).scalar_one()
    engine.dispose()
    return bool(writers)


def test_a_killed_seed_process_changes_nothing(loaded_url: str, tmp_path: Path) -> None:
    before, served = state_of(loaded_url), served_article(loaded_url)
    folder = seed_folder(tmp_path / "seed", copies=15)
    env = {**os.environ, "DATABASE_URL": loaded_url, "ROUNDUP_SEED_DIR": str(folder)}
    process = subprocess.Popen(
        [str(ROUNDUP), "seed"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    try:
        deadline = time.monotonic() + 120
        while not _writing(loaded_url):
            assert process.poll() is None, "the seed ended before it was seen writing"
            assert time.monotonic() < deadline
            time.sleep(0.02)
        time.sleep(0.5)  # well into the load
        assert process.poll() is None, "the seed committed before it could be killed"
        process.send_signal(signal.SIGKILL)
        assert process.wait(timeout=30) == -signal.SIGKILL
    finally:
        if process.poll() is None:
            process.kill()
        process.communicate()

    assert state_of(loaded_url) == before
    assert served_article(loaded_url) == served
    # The database is not left locked or damaged: the same load now goes through.
    result = subprocess.run([str(ROUNDUP), "seed"], env=env, capture_output=True, text=True)
    assert (result.returncode, result.stdout) == (
        0,
        f"seed: {15 * 57} inserted, 0 updated, 0 deleted\n",
    )


def _page_limit_after(engine: Engine, extra_pages: int) -> None:
    """Cap the SQLite file at its current size plus `extra_pages`, like a nearly full disk."""

    @event.listens_for(engine, "connect")
    def _cap(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        pages = cursor.execute("PRAGMA page_count").fetchone()[0]
        cursor.execute(f"PRAGMA max_page_count = {int(pages) + extra_pages}")
        cursor.close()


def test_a_full_sqlite_file_changes_nothing(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'small.db'}"
    migrate(url)
    engine = build_engine(url)
    with Session(engine) as session, session.begin():
        seed(session, [SEED_DIR], SEED_DIR)
    engine.dispose()
    before, served = state_of(url), served_article(url)
    folder = seed_folder(tmp_path / "seed", copies=8)

    capped = build_engine(url)
    _page_limit_after(capped, extra_pages=16)
    with pytest.raises(OperationalError) as raised, Session(capped) as session, session.begin():
        seed(session, [folder], folder)
    capped.dispose()

    assert "database or disk is full" in str(raised.value)
    assert state_of(url) == before
    assert served_article(url) == served


@pytest.fixture
def tiny_tablespace() -> Iterator[str]:
    """A PostgreSQL tablespace on a 256 KB tmpfs (needs root, as CI and developers run)."""
    mount_point = Path(tempfile.mkdtemp(prefix="roundup-tiny-"))  # in /tmp: postgres can reach
    subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=256k,mode=0700", "tmpfs", str(mount_point)],
        check=True,
    )
    name = f"roundup_tiny_{uuid.uuid4().hex[:8]}"
    admin = build_engine(os.environ["TEST_DATABASE_URL"]).execution_options(
        isolation_level="AUTOCOMMIT"
    )
    try:
        subprocess.run(["chown", "postgres:postgres", str(mount_point)], check=True)
        with admin.connect() as connection:
            connection.exec_driver_sql(f"CREATE TABLESPACE {name} LOCATION '{mount_point}'")
        yield name
        with admin.connect() as connection:
            connection.exec_driver_sql(f"DROP TABLESPACE IF EXISTS {name}")
    finally:
        admin.dispose()
        subprocess.run(["umount", str(mount_point)], check=True)
        mount_point.rmdir()


@pytest.mark.postgresql  # a PostgreSQL tablespace; SQLite has its own
def test_a_full_disk_under_postgresql_changes_nothing(tiny_tablespace: str, tmp_path: Path) -> None:
    with scratch_database(tmp_path) as url:
        migrate(url)
        engine = build_engine(url)
        with Session(engine) as session, session.begin():
            seed(session, [SEED_DIR], SEED_DIR)
        with engine.begin() as connection:
            for table in ("response", "argument"):
                connection.exec_driver_sql(f"ALTER TABLE {table} SET TABLESPACE {tiny_tablespace}")
        before, served = state_of(url), served_article(url)
        folder = seed_folder(tmp_path / "seed", copies=25)

        with (
            pytest.raises(OperationalError) as raised,
            Session(engine) as session,
            session.begin(),
        ):
            seed(session, [folder], folder)

        assert "No space left on device" in str(raised.value)
        assert state_of(url) == before
        assert served_article(url) == served
        with engine.begin() as connection:  # give the tablespace back before it is dropped
            for table in ("response", "argument"):
                connection.exec_driver_sql(f"ALTER TABLE {table} SET TABLESPACE pg_default")
        engine.dispose()
