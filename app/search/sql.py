"""Full-text matching in SQL: FTS5 on SQLite, a GIN-indexed tsvector on PostgreSQL.

Both are built by migrations over `search_document.terms` (0002: FTS5; 0003: PostgreSQL's
stored `terms_vector` column and its GIN index). A query reaches SQL only as
the strings compiled from its parsed form (bound parameters), never as user text.
"""

from typing import Any

from sqlalchemy import Boolean, ColumnElement, Select, column, func, literal_column, select, table
from sqlalchemy.exc import CompileError
from sqlalchemy.ext.compiler import compiles
from sqlmodel import col

from app.models import SearchDocument
from app.search.query import SearchQuery

FTS_TABLE = "search_fts"
# PostgreSQL only (migration 0003): the stored tsvector of `terms`, GIN-indexed.
VECTOR_COLUMN = "terms_vector"
VECTOR_INDEX = "ix_search_document_terms_vector"
_SIMPLE: ColumnElement[Any] = literal_column("'simple'::regconfig")
_FTS = table(FTS_TABLE, column("rowid"))


class _TextMatch(ColumnElement[bool]):
    """True for the search_document rows that match; SQL chosen by the dialect."""

    inherit_cache = False
    type = Boolean()

    def __init__(self, query: SearchQuery) -> None:
        self.query = query


def text_match(query: SearchQuery) -> ColumnElement[bool]:
    """A condition on `search_document`: its text matches `query`."""
    return _TextMatch(query)


def scored_matches(query: SearchQuery, dialect: str, newest: int | None = None) -> Select[Any]:
    """(id, score) of the matching search_document rows; a higher score is more relevant.
    With `newest`, only the `newest` matches with the highest ids (the most recently
    indexed) are read and scored, however many match.

    SQLite: -bm25() of the FTS5 table. PostgreSQL: ts_rank() with length normalization 1
    (rank / (1 + log(words))). Scores rank hits within one result; they are not comparable
    across engines or queries."""
    if dialect == "sqlite":
        statement = (
            select(_FTS.c.rowid.label("id"), (-func.bm25(literal_column(FTS_TABLE))).label("score"))
            .select_from(_FTS)
            .where(_fts5_match(query))
        )
        # FTS5 walks its index in rowid order and stops at the limit: bm25 runs `newest` times.
        return (
            statement if newest is None else statement.order_by(_FTS.c.rowid.desc()).limit(newest)
        )
    if dialect == "postgresql":
        vector, tsquery = _vector(), _tsquery(query)
        matching = vector.op("@@")(tsquery)
        if newest is None:
            return select(
                col(SearchDocument.id).label("id"), func.ts_rank(vector, tsquery, 1).label("score")
            ).where(matching)
        # One pass: the primary key read backwards, each matching row ranked as it is found,
        # stopping after `newest` (a join back to rank them read the whole table).
        return (
            select(
                col(SearchDocument.id).label("id"), func.ts_rank(vector, tsquery, 1).label("score")
            )
            .where(matching)
            .order_by(col(SearchDocument.id).desc())
            .limit(newest)
        )
    raise CompileError(f"full-text search supports SQLite and PostgreSQL, not {dialect}")


def count_matches(query: SearchQuery, dialect: str, at_most: int) -> Select[Any]:
    """How many search_document rows match, counting no further than `at_most` (cheap: the
    index is read without scoring, and only as far as `at_most` rows)."""
    if dialect == "sqlite":
        found = select(_FTS.c.rowid).select_from(_FTS).where(_fts5_match(query))
    elif dialect == "postgresql":
        found = select(col(SearchDocument.id)).where(_vector().op("@@")(_tsquery(query)))
    else:
        raise CompileError(f"full-text search supports SQLite and PostgreSQL, not {dialect}")
    return select(func.count()).select_from(found.limit(at_most).subquery())


def include_in_autogenerate(
    _obj: object, name: str | None, type_: str, _reflected: bool, _compare_to: object
) -> bool:
    """Alembic include_object: the FTS5 tables and PostgreSQL's tsvector column and its index
    are not models."""
    if type_ == "table" and name is not None:
        return name != FTS_TABLE and not name.startswith(f"{FTS_TABLE}_")
    return (type_, name) not in {("index", VECTOR_INDEX), ("column", VECTOR_COLUMN)}


def _fts5_match(query: SearchQuery) -> ColumnElement[bool]:
    return literal_column(FTS_TABLE).op("MATCH")(query.fts5)


def _vector() -> ColumnElement[Any]:
    return literal_column(f"search_document.{VECTOR_COLUMN}")


def _tsquery(query: SearchQuery) -> ColumnElement[Any]:
    return func.to_tsquery(_SIMPLE, query.tsquery)


@compiles(_TextMatch, "sqlite")
def _sqlite_match(element: _TextMatch, compiler: Any, **kw: Any) -> str:
    matching = select(_FTS.c.rowid).where(_fts5_match(element.query))
    return str(compiler.process(col(SearchDocument.id).in_(matching), **kw))


@compiles(_TextMatch, "postgresql")
def _postgresql_match(element: _TextMatch, compiler: Any, **kw: Any) -> str:
    return str(compiler.process(_vector().op("@@")(_tsquery(element.query)), **kw))


@compiles(_TextMatch)
def _other_match(_element: _TextMatch, compiler: Any, **_kw: Any) -> str:
    raise CompileError(f"full-text search needs SQLite or PostgreSQL, not {compiler.dialect.name}")
