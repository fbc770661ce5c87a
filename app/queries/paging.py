"""Lists, from the query to the page: whitelisted multi-key sorts, keyset cursors signed with
the deployment's secret, the page of ids a keyset query reads, facet counts, and the page
envelope the routes return."""

import base64
import hashlib
import hmac
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Generic, TypeVar

import orjson
from pydantic import BaseModel, Field, SecretStr
from sqlalchemy import ColumnElement, Date, Enum, Integer, Select, String, and_, false, func, or_
from sqlalchemy.engine import URL
from sqlalchemy.types import TypeDecorator, TypeEngine
from sqlmodel import Session

from app.db import engine_of
from app.errors import BadCursorError, UnknownSortError
from app.models import DeploymentSecret
from app.queries.meta import data_state
from app.schemas import FacetValue

# Per database URL: the key never changes while the database lives (migration 0004 wrote it).
_stored_secrets: dict[str, bytes] = {}
# Where a session carries the configured key (a SecretStr, or None), put there by the request's
# session dependency (app.deps) from the settings of the app serving it.
CURSOR_SECRET = "cursor_secret"  # noqa: S105 - a dict key, not a secret

Item = TypeVar("Item")
MAX_LIMIT = 500


class Page(BaseModel, Generic[Item]):
    """One page of a list: `next_cursor` is null on the last page."""

    items: list[Item]
    total: int = Field(description="How many items match the filters, over all pages.")
    next_cursor: str | None = Field(description="Pass as `cursor` to get the next page.")
    facets: dict[str, list[FacetValue]] | None = Field(
        default=None,
        description="Counts over the whole filtered set, when `facets` was asked for.",
    )

    @classmethod
    def model_parametrized_name(cls, params: tuple[Any, ...]) -> str:
        """`Page[ArticleListItem]` is `ArticleListItemPage` in the OpenAPI components."""
        return f"{getattr(params[0], '__name__', params[0])}Page"


@dataclass(frozen=True)
class SortKey:
    name: str
    column: ColumnElement[Any]
    descending: bool


def parse_sort(value: str, allowed: Mapping[str, ColumnElement[Any]]) -> list[SortKey]:
    """`-published_on,title` -> sort keys; names outside `allowed` are an `UnknownSortError`."""
    keys: list[SortKey] = []
    for raw in value.split(","):
        name = raw.strip().removeprefix("-")
        if name not in allowed or name in {key.name for key in keys}:
            raise UnknownSortError(
                "sort",
                "Unknown or repeated sort key.",
                f"{raw.strip()!r} is not one of: {', '.join(sorted(allowed))}"
                " (prefix '-' for descending; each key once)",
            )
        keys.append(SortKey(name, allowed[name], raw.strip().startswith("-")))
    return keys


def order_by(keys: Sequence[SortKey], tiebreaker: ColumnElement[Any]) -> list[Any]:
    return [key.column.desc() if key.descending else key.column.asc() for key in keys] + [
        tiebreaker.asc()
    ]


def after_cursor(
    keys: Sequence[SortKey], tiebreaker: ColumnElement[Any], values: list[Any]
) -> ColumnElement[bool]:
    """Rows strictly after `values` in the (keys..., tiebreaker) order: the keyset condition.

    Nested, so the leading key bounds an index range on its own:
    `k1 <= v1 AND (k1 < v1 OR (k2 >= v2 AND (k2 > v2 OR ...)))` (for `-k1,k2`), which equals
    the textbook `k1 < v1 OR (k1 = v1 AND k2 > v2) OR ...` (NULL-free keys)."""
    columns = [(key.column, key.descending) for key in keys] + [(tiebreaker, False)]
    condition: ColumnElement[bool] | None = None
    for (column, descending), value in reversed(list(zip(columns, values, strict=True))):
        beyond = column < value if descending else column > value
        if condition is None:
            condition = beyond
        else:
            reached = column <= value if descending else column >= value
            condition = and_(reached, or_(beyond, condition))
    return condition if condition is not None else false()


# Every sort key and id column is a PostgreSQL `integer`; positions, counts and ids are >= 0.
_INT_MAX = 2**31 - 1
_TEXT_MAX = 1000


def encode_cursor(values: list[Any], context: str, secret: bytes) -> str:
    """`values` (the last row's sort keys and id) signed with the deployment's `secret`, for
    the query that `context` names only."""
    payload = orjson.dumps({"v": values, "q": _query_digest(context)})
    body = base64.urlsafe_b64encode(payload).rstrip(b"=")
    return (body + b"." + _mac(body, secret)).decode("ascii")


def decode_cursor(
    cursor: str, columns: Sequence[ColumnElement[Any]], context: str, secret: bytes
) -> list[Any]:
    """The values in `cursor`, one per column, each checked against its column's type and
    range; a forged, damaged or foreign cursor, or an impossible value, is a 400."""
    try:
        values = _payload(cursor, context, secret)
        if len(values) != len(columns):
            raise ValueError("cursor from another query")
        return [_checked(value, column.type) for value, column in zip(values, columns, strict=True)]
    except (ValueError, KeyError, TypeError, UnicodeError, OverflowError):
        raise BadCursorError() from None


def _payload(cursor: str, context: str, secret: bytes) -> list[Any]:
    body, mac = cursor.encode("ascii").split(b".")
    if not hmac.compare_digest(mac, _mac(body, secret)):
        raise ValueError("bad signature")
    data = orjson.loads(base64.urlsafe_b64decode(body + b"=" * (-len(body) % 4)))
    if not isinstance(data, dict) or data["q"] != _query_digest(context):
        raise ValueError("cursor from another query")
    values = data["v"]
    if not isinstance(values, list):
        raise TypeError("values are not a list")
    return values


def _checked(value: Any, kind: TypeEngine[Any]) -> Any:
    """`value` as its column's type wants it; ValueError or TypeError when it cannot be one."""
    if isinstance(kind, TypeDecorator):
        kind = kind.impl_instance
    if isinstance(kind, Date):
        if not isinstance(value, str):
            raise TypeError("a date is a string")
        return date.fromisoformat(value)
    if isinstance(kind, Enum):
        if value not in kind.enums:
            raise ValueError("not one of the enumeration's values")
        return value
    if isinstance(kind, String):
        if not isinstance(value, str) or len(value) > (kind.length or _TEXT_MAX):
            raise TypeError("not a string that fits the column")
        return value
    if isinstance(kind, Integer):
        if type(value) is not int or not 0 <= value <= _INT_MAX:
            raise ValueError("not an integer in range")
        return value
    raise TypeError(f"no cursor check for {kind!r}")


def encode_offset(offset: int, context: str, secret: bytes) -> str:
    """A cursor holding a position in a ranked result (search pages by offset)."""
    return encode_cursor([offset], context, secret)


def decode_offset(cursor: str, context: str, secret: bytes, maximum: int) -> int:
    """The offset in `cursor`, at most `maximum`; anything else is a 400."""
    try:
        [offset] = _payload(cursor, context, secret)
    except (ValueError, KeyError, TypeError, UnicodeError, OverflowError):
        raise BadCursorError() from None
    if type(offset) is not int or not 0 < offset <= maximum:
        raise BadCursorError()
    return offset


def _mac(body: bytes, secret: bytes) -> bytes:
    """HMAC-SHA-256 of the payload under the deployment's secret, truncated to 96 bits."""
    digest = hmac.new(secret, body, hashlib.sha256).digest()[:12]
    return base64.urlsafe_b64encode(digest).rstrip(b"=")


def _query_digest(context: str) -> str:
    """A digest naming the query (filters and sort) a cursor belongs to, so that a cursor is
    refused on any other; the HMAC, not this, is what makes a cursor unforgeable."""
    return hashlib.sha256(context.encode()).hexdigest()[:16]


def cursor_values(row: Mapping[Any, Any], keys: Sequence[SortKey], tiebreaker: str) -> list[Any]:
    values = [row[key.name] for key in keys] + [row[tiebreaker]]
    return [value.isoformat() if isinstance(value, date) else value for value in values]


def keyset_page(
    statement: Select[Any],
    keys: Sequence[SortKey],
    tiebreaker: ColumnElement[Any],
    limit: int,
    cursor: str | None,
    context: str,
    secret: bytes,
) -> Select[Any]:
    """`statement` ordered, after the cursor, limited to one row more than a page."""
    if cursor is not None:
        columns = [key.column for key in keys] + [tiebreaker]
        values = decode_cursor(cursor, columns, context, secret)
        statement = statement.where(after_cursor(keys, tiebreaker, values))
    return statement.order_by(*order_by(keys, tiebreaker)).limit(limit + 1)


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
        total = count_once(session, context, filtered)
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


# Totals counted by this process, by database, filtered set and data version: paging through
# one filtered set counts it once (an exact count of 350,000 arguments costs PostgreSQL about
# 22 ms). Every load changes the version, so a remembered total is never stale. At most
# 4,096 are kept, each named in at most 512 characters (longer filters are counted every
# time), so clients inventing filters cannot grow a worker by more than a few megabytes.
_TOTALS_KEPT = 4096
_NAME_CHARS_KEPT = 512
_totals: OrderedDict[tuple[URL, str, str], int] = OrderedDict()
_totals_lock = threading.Lock()


def forget_totals() -> None:
    """Forget every remembered total."""
    with _totals_lock:
        _totals.clear()


def count_once(session: Session, filtered_set: str, statement: Select[Any]) -> int:
    """`count_rows(session, statement)`, remembered while the data version stays the same;
    `filtered_set` names what `statement` selects (the list and its filters), and must
    differ whenever the rows it selects can."""
    state = None if len(filtered_set) > _NAME_CHARS_KEPT else data_state(session)
    if state is None:
        return count_rows(session, statement)
    key = (engine_of(session).url, filtered_set, state.version)
    with _totals_lock:
        total = _totals.get(key)
        if total is not None:
            _totals.move_to_end(key)
            return total
    total = count_rows(session, statement)
    with _totals_lock:
        _totals[key] = total
        while len(_totals) > _TOTALS_KEPT:
            _totals.popitem(last=False)
    return total


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
