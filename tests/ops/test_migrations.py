"""Alembic owns the schema: it round-trips, and the models match it."""

from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, create_engine, inspect, text

from app.models import metadata
from app.search.sql import include_in_autogenerate
from tests.support.databases import alembic_config, on_postgresql, scratch_database

TABLES = {
    "affiliation",
    "alembic_version",
    "argument",
    "argument_tag",
    "article",
    "dataset_state",
    "deployment_secret",
    "expert",
    "organization",
    "response",
    "response_affiliation",
    "search_document",
    "tag",
}
# The FTS5 table and its shadow tables (SQLite only); PostgreSQL has an index instead.
FTS_TABLES = {f"search_fts{suffix}" for suffix in ("", "_config", "_data", "_docsize", "_idx")}


def _schema(engine: Engine) -> set[str]:
    """Tables, plus the search machinery that is not a table on this engine."""
    names = set(inspect(engine).get_table_names())
    with engine.connect() as connection:
        if on_postgresql():
            indexes = connection.execute(
                text("SELECT indexname FROM pg_indexes WHERE indexname LIKE '%terms_%'")
            )
        else:
            indexes = connection.execute(
                text("SELECT name FROM sqlite_master WHERE type = 'trigger' ORDER BY name")
            )
        names.update(indexes.scalars())
    return names


def test_upgrade_downgrade_upgrade(tmp_path: Path) -> None:
    sqlite_search = FTS_TABLES | {"search_document_ad", "search_document_ai", "search_document_au"}
    head = TABLES | ({"ix_search_document_terms_vector"} if on_postgresql() else sqlite_search)
    at_0002 = TABLES | ({"ix_search_document_terms_tsvector"} if on_postgresql() else sqlite_search)
    with scratch_database(tmp_path) as url:
        config = alembic_config(url)
        engine = create_engine(url)
        try:
            command.upgrade(config, "head")
            assert _schema(engine) == head
            command.downgrade(config, "0004")
            assert _schema(engine) == head
            command.downgrade(config, "0003")
            assert _schema(engine) == head - {"deployment_secret"}
            command.downgrade(config, "0002")
            assert _schema(engine) == at_0002 - {"deployment_secret"}
            command.downgrade(config, "0001")
            assert _schema(engine) == TABLES - {"search_document", "deployment_secret"}
            command.downgrade(config, "base")
            assert _schema(engine) == {"alembic_version"}
            command.upgrade(config, "head")
            assert _schema(engine) == head
        finally:
            engine.dispose()


def test_models_match_migrations(database_url: str) -> None:
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(
                connection,
                opts={"compare_type": True, "include_object": include_in_autogenerate},
            )
            assert compare_metadata(context, metadata) == []
    finally:
        engine.dispose()


ROWS_AT_0003 = [
    "INSERT INTO article (id, slug, title, question, published_on, publisher, source_sha256,"
    " loaded_at) VALUES (1, 'a', 'A?', 'A?', '2025-01-01', 'P', 'x', '2025-01-01 00:00:00')",
    "INSERT INTO expert (id, slug, name) VALUES (1, 'jane-doe', 'Jane Doe')",
    "INSERT INTO organization (id, slug, name, kind) VALUES (1, 'example', 'Example', 'unknown')",
    "INSERT INTO affiliation (id, expert_id, organization_id, role) VALUES (1, 1, 1, 'Fellow')",
    "INSERT INTO response (id, article_id, expert_id, position, affiliation_line, body, stance,"
    " stance_source, word_count) VALUES (1, 1, 1, 1, 'Fellow, Example', 'Yes.', 'yes', 'rules', 1)",
    "INSERT INTO response_affiliation (response_id, position, affiliation_id) VALUES (1, 1, 1)",
    'INSERT INTO argument (id, response_id, position, text, start, "end", kind,'
    " annotation_source) VALUES (1, 1, 1, 'Yes.', 0, 4, 'claim', 'rules')",
]


def test_0005_keeps_the_rows_it_rebuilds_around(tmp_path: Path) -> None:
    """0005 rebuilds `affiliation` on SQLite and adds `response.printed_name`: the links that
    point at the affiliations and the responses' arguments survive, both ways."""
    counts = (
        "SELECT (SELECT count(*) FROM affiliation), (SELECT count(*) FROM response_affiliation),"
        " (SELECT count(*) FROM argument)"
    )
    with scratch_database(tmp_path) as url:
        config = alembic_config(url)
        engine = create_engine(url)
        try:
            command.upgrade(config, "0003")
            with engine.begin() as connection:
                for statement in ROWS_AT_0003:
                    connection.execute(text(statement))
            command.upgrade(config, "0005")
            with engine.connect() as connection:
                assert tuple(connection.execute(text(counts)).one()) == (1, 1, 1)
                names = connection.execute(text("SELECT printed_name FROM response"))
                assert names.scalars().all() == ["Jane Doe"]
            command.downgrade(config, "0003")
            with engine.connect() as connection:
                assert tuple(connection.execute(text(counts)).one()) == (1, 1, 1)
        finally:
            engine.dispose()
