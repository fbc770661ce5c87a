"""Indexes built once after a first load instead of row by row during it.

A first load into empty tables (`load.bulk_load`) writes hundreds of thousands of rows; keeping
every secondary index and the full-text index up to date row by row costs more than building
them once at the end. Inside the load's own transaction, so a failed load leaves the schema as
it was: the indexes named `ix_*` on the tables the load fills are dropped and created again
from their own definitions; on SQLite the FTS5 insert trigger likewise, and the FTS5 table is
rebuilt. Readers of those tables on PostgreSQL wait for the load's commit (DROP INDEX locks
the table), as they would wait for the empty tables' first rows anyway.
"""

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import bindparam, text
from sqlmodel import Session

TABLES = ("response", "response_affiliation", "argument", "argument_tag", "search_document")
_FTS_TRIGGER = "search_document_ai"
_SQLITE_CACHE_KIB = 256 * 1024
_DEFINITIONS = {
    "sqlite": "SELECT name, sql FROM sqlite_master WHERE type = 'index'"
    " AND tbl_name IN :tables AND name LIKE 'ix\\_%' ESCAPE '\\'"
    " UNION ALL SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name = :trigger",
    "postgresql": "SELECT indexname, indexdef FROM pg_indexes"
    " WHERE schemaname = current_schema() AND tablename IN :tables"
    " AND indexname LIKE 'ix\\_%' ESCAPE '\\'",
}


@contextmanager
def indexes_afterwards(session: Session) -> Iterator[None]:
    """Drop the loaded tables' secondary indexes (and SQLite's FTS5 insert trigger), run the
    body, then build them all again."""
    dialect = session.get_bind().dialect.name
    if dialect not in _DEFINITIONS:
        yield
        return
    statement = text(_DEFINITIONS[dialect]).bindparams(bindparam("tables", expanding=True))
    params = {"tables": TABLES} | ({"trigger": _FTS_TRIGGER} if dialect == "sqlite" else {})
    found = session.execute(statement, params).all()
    for name, _ in found:
        kind = "TRIGGER" if name == _FTS_TRIGGER else "INDEX"
        session.execute(text(f'DROP {kind} "{name}"'))
    if dialect == "sqlite":
        # SQLite's 2 MB page cache spills a large transaction to the WAL again and again.
        cache_size = session.execute(text("PRAGMA cache_size")).scalar_one()
        session.execute(text(f"PRAGMA cache_size = {-_SQLITE_CACHE_KIB}"))
    yield
    session.flush()
    if dialect == "sqlite":
        session.execute(text("INSERT INTO search_fts(search_fts) VALUES ('rebuild')"))
    else:
        # A large build outlasts a statement timeout set for reads, and goes faster with more
        # memory than the default 64 MB (both for this transaction only).
        session.execute(text("SET LOCAL statement_timeout = 0"))
        session.execute(text("SET LOCAL maintenance_work_mem = '256MB'"))
    for _, definition in found:
        session.execute(text(definition))
    if dialect == "sqlite":
        session.execute(text(f"PRAGMA cache_size = {int(cache_size)}"))
