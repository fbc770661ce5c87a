"""Least privilege on PostgreSQL: the API serves through a role that can read and nothing else.

The role is made in a scratch database with the statements `roundup grant-readonly` runs
(app.db.readonly_grants); any write attempted through its connection fails, even after it
turns its own read-only default off.
"""

import uuid
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session

from app.db import build_engine, get_session, readonly_grants
from app.ingest.seed import seed
from app.main import create_app
from tests.support.databases import migrate, scratch_database
from tests.support.seed_facts import SEED_DIR, SEED_SLUG

pytestmark = pytest.mark.postgresql

CREATE_ROLE_SQL = "CREATE ROLE {role} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION"
DROP_ROLE_SQL = "DROP OWNED BY {role}; DROP ROLE {role};"


@pytest.fixture(scope="module")
def reader_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A seeded scratch database and the URL of a read-only role on it."""
    with scratch_database(tmp_path_factory.mktemp("readonly")) as url:
        migrate(url)
        owner = build_engine(url)
        with Session(owner) as session, session.begin():
            seed(session, [SEED_DIR], SEED_DIR)
        role = f"roundup_reader_{uuid.uuid4().hex[:8]}"
        database = make_url(url).database
        assert database is not None
        with owner.begin() as connection:
            connection.exec_driver_sql(CREATE_ROLE_SQL.format(role=role))
            for statement in readonly_grants(role, database):
                connection.exec_driver_sql(statement)
        try:
            yield make_url(url).set(username=role, password=None).render_as_string()
        finally:
            with owner.begin() as connection:
                connection.exec_driver_sql(DROP_ROLE_SQL.format(role=role))
            owner.dispose()


def test_the_api_serves_through_the_read_only_role(reader_url: str) -> None:
    engine = build_engine(reader_url)

    def session() -> Iterator[Session]:
        with Session(engine) as session:
            yield session

    app = create_app()
    app.api.dependency_overrides[get_session] = session
    with TestClient(app) as client:
        assert client.get("/readyz").json()["status"] == "ready"
        assert client.get(f"/v1/articles/{SEED_SLUG}").status_code == 200
        assert client.get("/v1/responses?stance=yes").json()["total"] == 3
    engine.dispose()


WRITES = [
    "INSERT INTO tag (slug, label, category, description) VALUES ('x', 'x', 'x', 'x')",
    "UPDATE article SET title = 'defaced'",
    "DELETE FROM argument_tag",
    "TRUNCATE response CASCADE",
    "ALTER TABLE article ADD COLUMN owned text",
    "DROP TABLE dataset_state",
    "CREATE TABLE public.planted (id int)",
    "CREATE TEMP TABLE scratch (id int)",
    "SELECT nextval('article_id_seq')",
    "CREATE INDEX planted ON article (title)",
    "LOCK TABLE article IN EXCLUSIVE MODE",
]


@pytest.mark.parametrize("statement", WRITES)
@pytest.mark.parametrize("read_write", [False, True], ids=["as-configured", "read-write-forced"])
def test_every_write_fails(reader_url: str, statement: str, read_write: bool) -> None:
    engine = build_engine(reader_url)
    with engine.connect() as connection:
        if read_write:  # the role lifts its own read-only default: privileges still refuse
            connection.execute(text("SET default_transaction_read_only = off"))
            connection.commit()
        with pytest.raises(DBAPIError) as refused:
            connection.exec_driver_sql(statement)
    engine.dispose()
    sqlstate = getattr(refused.value.orig, "sqlstate", None)
    # 25006: refused as a write in a read-only transaction; 42501: refused for lack of
    # privilege, which is all that is left once the role turns read-only off.
    expected = {"42501"} if read_write else {"25006", "42501"}
    assert sqlstate in expected, (statement, sqlstate, str(refused.value.orig))


def test_the_role_is_read_only_by_default_and_has_no_temp_tables(reader_url: str) -> None:
    engine = build_engine(reader_url)
    with engine.connect() as connection:
        shown = connection.execute(text("SHOW default_transaction_read_only")).scalar_one()
        privileges = connection.execute(
            text(
                "SELECT has_database_privilege(current_database(), 'CONNECT'),"
                " has_database_privilege(current_database(), 'TEMP'),"
                " has_database_privilege(current_database(), 'CREATE'),"
                " has_schema_privilege('public', 'CREATE')"
            )
        ).one()
    engine.dispose()
    assert (shown, tuple(privileges)) == ("on", (True, False, False, False))
