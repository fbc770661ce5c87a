"""Least privilege: the API serves everything through a connection that cannot write."""

import secrets
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from app.cli import main
from app.config import PROJECT_DIR, Settings, get_settings
from app.db import build_engine, get_engine, readonly_grants
from app.examples import DOWNLOAD_REQUESTS, EXAMPLE_REQUESTS
from app.main import create_app
from tests.support.databases import TEST_DATABASE_URL, scratch_database
from tests.support.seed_facts import SEED_EXPERTS, SEED_SLUG
from tests.support.snapshots import snapshot

# What a read-only connection must not do, and PostgreSQL's reason for refusing each.
WRITES = {
    "INSERT INTO dataset_state (id, version, changed_at) VALUES (2, 'x', CURRENT_TIMESTAMP)": (
        "permission denied for table dataset_state"
    ),
    "UPDATE article SET title = 'Changed'": "permission denied for table article",
    "DELETE FROM argument_tag": "permission denied for table argument_tag",
    "CREATE TABLE intruder (id integer)": "permission denied for schema public",
    "DROP TABLE argument_tag": "must be owner of table argument_tag",
}

UseDatabase = Callable[[str], None]


@pytest.fixture
def use_database(monkeypatch: pytest.MonkeyPatch) -> Iterator[UseDatabase]:
    """Point DATABASE_URL (so the commands) at a URL; dispose those engines after."""
    urls: list[str] = []

    def use(url: str) -> None:
        monkeypatch.setenv("DATABASE_URL", url)
        get_settings.cache_clear()
        urls.append(url)

    yield use
    for url in urls:
        monkeypatch.setenv("DATABASE_URL", url)
        get_settings.cache_clear()
        get_engine().dispose()
    get_settings.cache_clear()


def get_urls(app: FastAPI) -> list[str]:
    """The OpenAPI document itself, and every GET operation it describes, each requested as in
    its documented example (operations with path parameters need one)."""
    urls = [app.openapi_url or "/openapi.json"]
    for path, operations in app.openapi()["paths"].items():
        if "get" not in operations:
            continue
        if path in EXAMPLE_REQUESTS or path in DOWNLOAD_REQUESTS:
            urls.append({**EXAMPLE_REQUESTS, **DOWNLOAD_REQUESTS}[path])
        elif "{" not in path:
            urls.append(path)
        else:
            pytest.fail(f"no example request for GET {path}: add one to EXAMPLE_REQUESTS")
    return urls


def assert_serves_everything(reader_url: str) -> None:
    app = create_app(Settings(DATABASE_URL=reader_url))
    urls = get_urls(app.api)
    try:
        with TestClient(app) as client:
            statuses = {url: client.get(url).status_code for url in urls}
            article = client.get(f"/v1/articles/{SEED_SLUG}").json()
    finally:
        app.api.state.engine.dispose()
    assert statuses == dict.fromkeys(urls, 200)
    assert {"/healthz", "/openapi.json", f"/v1/articles/{SEED_SLUG}"} <= set(urls)
    assert [item["expert"]["slug"] for item in article["responses"]] == list(SEED_EXPERTS)


def refusals(reader_url: str) -> dict[str, str]:
    """Try each write on the read-only connection; the database's reason for each refusal."""
    engine = build_engine(reader_url)
    reasons = {}
    try:
        for statement in WRITES:
            with engine.connect() as connection, pytest.raises(DBAPIError) as refused:
                connection.execute(text(statement))
            orig = refused.value.orig
            diag = getattr(orig, "diag", None)
            reasons[statement] = diag.message_primary if diag else str(orig)
    finally:
        engine.dispose()
    return reasons


def unchanged_after_refusals(owner_url: str, reader_url: str) -> dict[str, str]:
    engine = create_engine(owner_url)
    try:
        with engine.connect() as connection:
            before = snapshot(connection)
        reasons = refusals(reader_url)
        with engine.connect() as connection:
            assert snapshot(connection) == before
    finally:
        engine.dispose()
    return reasons


def test_sqlite_read_only_url_serves_everything_and_writes_nothing(
    tmp_path: Path, use_database: UseDatabase, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "roundup.db"
    owner_url = f"sqlite:///{path}"
    use_database(owner_url)
    assert main(["migrate"]) == 0
    assert main(["seed"]) == 0
    reader_url = f"sqlite:///file:{path}?mode=ro&uri=true"

    assert_serves_everything(reader_url)
    assert unchanged_after_refusals(owner_url, reader_url) == dict.fromkeys(
        WRITES, "attempt to write a readonly database"
    )


@pytest.mark.postgresql
def test_postgresql_reader_role_serves_everything_and_writes_nothing(
    tmp_path: Path, use_database: UseDatabase, capsys: pytest.CaptureFixture[str]
) -> None:
    suffix = uuid.uuid4().hex[:12]
    owner, reader = f"roundup_owner_{suffix}", f"roundup_reader_{suffix}"
    password = secrets.token_hex(16)
    admin = create_engine(
        make_url(TEST_DATABASE_URL).set(drivername="postgresql+psycopg"),
        isolation_level="AUTOCOMMIT",
    )
    with admin.connect() as connection:
        # The owner has CREATEROLE, as docs/deployment.md asks (for the reader's settings).
        connection.execute(text(f"CREATE ROLE {owner} LOGIN CREATEROLE PASSWORD '{password}'"))
        connection.execute(text(f"CREATE ROLE {reader} LOGIN PASSWORD '{password}'"))
    try:
        with scratch_database(tmp_path) as url:
            server = make_url(url)
            with admin.connect() as connection:
                connection.execute(text(f'ALTER DATABASE "{server.database}" OWNER TO {owner}'))
            owner_url, reader_url = (
                server.set(username=role, password=password).render_as_string(hide_password=False)
                for role in (owner, reader)
            )
            # The owner migrates, seeds and grants, as docs/deployment.md says.
            use_database(owner_url)
            assert main(["migrate"]) == 0
            assert main(["seed"]) == 0
            capsys.readouterr()
            assert main(["grant-readonly", reader]) == 0
            assert capsys.readouterr().out == (
                f'REVOKE ALL ON DATABASE "{server.database}" FROM PUBLIC;\n'
                f'GRANT CONNECT ON DATABASE "{server.database}" TO "{reader}";\n'
                'REVOKE CREATE ON SCHEMA "public" FROM PUBLIC;\n'
                f'GRANT USAGE ON SCHEMA "public" TO "{reader}";\n'
                f'GRANT SELECT ON ALL TABLES IN SCHEMA "public" TO "{reader}";\n'
                f'ALTER DEFAULT PRIVILEGES IN SCHEMA "public" GRANT SELECT ON TABLES'
                f' TO "{reader}";\n'
                f'ALTER ROLE "{reader}" SET default_transaction_read_only = on;\n'
            )
            # The reader's transactions are read-only by default: the database refuses each
            # write as such before it looks at privileges (tests/ops/test_readonly_role.py checks
            # the privileges with the default turned off).

            assert_serves_everything(reader_url)
            assert unchanged_after_refusals(owner_url, reader_url) == dict(
                zip(
                    WRITES,
                    [
                        f"cannot execute {command} in a read-only transaction"
                        for command in ("INSERT", "UPDATE", "DELETE", "CREATE TABLE", "DROP TABLE")
                    ],
                    strict=True,
                )
            )

            # A table a later migration creates is readable without granting again.
            owner_engine = create_engine(owner_url)
            with owner_engine.begin() as connection:
                connection.execute(text("CREATE TABLE later (id integer)"))
                connection.execute(text("INSERT INTO later VALUES (1)"))
            owner_engine.dispose()
            reader_engine = create_engine(reader_url)
            with reader_engine.connect() as connection:
                assert connection.execute(text("SELECT id FROM later")).all() == [(1,)]
            reader_engine.dispose()
    finally:
        with admin.connect() as connection:
            for role in (reader, owner):
                connection.execute(text(f"DROP ROLE IF EXISTS {role}"))
        admin.dispose()


def test_the_documented_grants_are_the_ones_the_command_runs() -> None:
    doc = (PROJECT_DIR / "docs" / "deployment.md").read_text(encoding="utf-8")
    unindented = "\n".join(line.strip() for line in doc.splitlines())
    statements = readonly_grants("roundup_reader", "roundup")
    assert "".join(f"\n{statement};" for statement in statements) + "\n" in unindented
