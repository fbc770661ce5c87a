"""Alembic owns the schema: it round-trips, and the models match it."""

from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect

from app.models import metadata
from tests.databases import alembic_config, scratch_database

TABLES = {
    "affiliation",
    "alembic_version",
    "argument",
    "argument_tag",
    "article",
    "dataset_state",
    "expert",
    "organization",
    "response",
    "response_affiliation",
    "tag",
}


def test_upgrade_downgrade_upgrade(tmp_path: Path) -> None:
    with scratch_database(tmp_path) as url:
        config = alembic_config(url)
        engine = create_engine(url)
        try:
            command.upgrade(config, "head")
            assert set(inspect(engine).get_table_names()) == TABLES
            command.downgrade(config, "base")
            assert set(inspect(engine).get_table_names()) == {"alembic_version"}
            command.upgrade(config, "head")
            assert set(inspect(engine).get_table_names()) == TABLES
        finally:
            engine.dispose()


def test_models_match_migrations(database_url: str) -> None:
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            assert compare_metadata(context, metadata) == []
    finally:
        engine.dispose()
