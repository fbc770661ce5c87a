"""Run a filtered, sorted, keyset-paginated list query and count its facets."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func
from sqlmodel import Session

from app.listing import SortKey, cursor_values, encode_cursor, keyset_page
from app.schemas import FacetValue


@dataclass(frozen=True)
class IdPage:
    ids: list[int]
    total: int
    next_cursor: str | None


def page_ids(
    session: Session,
    filtered: Select[Any],
    id_column: Any,
    keys: Sequence[SortKey],
    limit: int,
    cursor: str | None,
    context: str,
    total: int | None = None,
) -> IdPage:
    """`filtered` selects matching rows (with every join the sort keys need); returns one page
    of ids in sort order, the total (counted here unless given), and the next page's cursor."""
    if total is None:
        total = count_rows(session, filtered)
    statement = filtered.with_only_columns(
        id_column.label("id"), *(key.column.label(key.name) for key in keys)
    )
    rows = session.execute(keyset_page(statement, keys, id_column, limit, cursor, context)).all()
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        next_cursor = encode_cursor(cursor_values(rows[-1]._mapping, keys, "id"), context)
    return IdPage([row.id for row in rows], total, next_cursor)


def count_rows(session: Session, statement: Select[Any]) -> int:
    """How many rows `statement` selects."""
    counted = statement.with_only_columns(func.count(), maintain_column_froms=True)
    return int(session.execute(counted).scalar_one())


FacetQuery = Callable[[Select[Any]], Select[Any]]


def count_facet(
    session: Session, statement: Select[Any], label: Callable[[Any, Any], str] | None = None
) -> list[FacetValue]:
    """`statement` selects (value, label, count) rows; sorted by count, then value."""
    rows = session.execute(statement).all()
    values = [
        FacetValue(value=str(value), label=label(value, name) if label else str(name), count=count)
        for value, name, count in rows
    ]
    return sorted(values, key=lambda item: (-item.count, item.value))
