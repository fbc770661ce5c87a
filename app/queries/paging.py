"""Run a filtered, sorted, keyset-paginated list query and count its facets."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import SecretStr
from sqlalchemy import Select, func
from sqlmodel import Session

from app.db import engine_of
from app.listing import SortKey, cursor_values, encode_cursor, keyset_page
from app.models import DeploymentSecret
from app.schemas import FacetValue

# Per database URL: the key never changes while the database lives (migration 0004 wrote it).
_stored_secrets: dict[str, bytes] = {}
# Where a session carries the configured key (a SecretStr, or None), put there by the request's
# session dependency (app.deps) from the settings of the app serving it.
CURSOR_SECRET = "cursor_secret"  # noqa: S105 - a dict key, not a secret


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
    secret = cursor_secret(session)
    rows = session.execute(
        keyset_page(statement, keys, id_column, limit, cursor, context, secret)
    ).all()
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        values = cursor_values(rows[-1]._mapping, keys, "id")
        next_cursor = encode_cursor(values, context, secret)
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


def cursor_secret(session: Session) -> bytes:
    """The key that signs cursors: the configured one (`ROUNDUP_CURSOR_SECRET`) when the
    session carries one, else the random one the migrations stored in the database, shared
    by every worker and replica."""
    configured: SecretStr | None = session.info.get(CURSOR_SECRET)
    if configured is not None:
        return configured.get_secret_value().encode()
    url = str(engine_of(session).url)
    if url not in _stored_secrets:
        stored = session.get(DeploymentSecret, "cursor")
        if stored is None:
            raise RuntimeError("no cursor secret: run the migrations (0004 creates it)")
        _stored_secrets[url] = stored.value.encode()
    return _stored_secrets[url]
