"""Lists: whitelisted multi-key sorts, opaque signed keyset cursors, and the page envelope."""

import base64
import hashlib
import hmac
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Generic, TypeVar

import orjson
from pydantic import BaseModel, Field
from sqlalchemy import ColumnElement, Date, Select, and_, false, or_

from app.problems import InvalidParam, ProblemError
from app.schemas import FacetValue

Item = TypeVar("Item")
MAX_LIMIT = 500
_CURSOR_KEY = b"roundup-cursor-v1"


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
    """`-published_on,title` -> sort keys; names outside `allowed` are a 422."""
    keys: list[SortKey] = []
    for raw in value.split(","):
        name = raw.strip().removeprefix("-")
        if name not in allowed or name in {key.name for key in keys}:
            raise ProblemError(
                422,
                "Unknown or repeated sort key.",
                invalid_params=[
                    InvalidParam(
                        name="sort",
                        reason=f"{raw.strip()!r} is not one of: {', '.join(sorted(allowed))}"
                        " (prefix '-' for descending; each key once)",
                    )
                ],
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


def encode_cursor(values: list[Any], context: str) -> str:
    payload = orjson.dumps({"v": values, "c": _fingerprint(context)})
    body = base64.urlsafe_b64encode(payload).rstrip(b"=")
    return (body + b"." + _sign(body)).decode("ascii")


def decode_cursor(cursor: str, keys: Sequence[SortKey], context: str) -> list[Any]:
    """The sort values in `cursor`; a forged, damaged or foreign cursor is a 400."""
    try:
        body, signature = cursor.encode("ascii").split(b".")
        if not hmac.compare_digest(signature, _sign(body)):
            raise ValueError("bad signature")
        data = orjson.loads(base64.urlsafe_b64decode(body + b"=" * (-len(body) % 4)))
        if data["c"] != _fingerprint(context) or len(data["v"]) != len(keys) + 1:
            raise ValueError("cursor from another query")
        values: list[Any] = list(data["v"])
        for index, key in enumerate(keys):
            if isinstance(key.column.type, Date):
                values[index] = date.fromisoformat(values[index])
        return values
    except (ValueError, KeyError, TypeError, UnicodeError):
        raise ProblemError(
            400,
            "The cursor is not valid for this query; start again without it.",
            invalid_params=[InvalidParam(name="cursor", reason="malformed, altered or foreign")],
        ) from None


def _sign(body: bytes) -> bytes:
    digest = hmac.new(_CURSOR_KEY, body, hashlib.sha256).digest()[:12]
    return base64.urlsafe_b64encode(digest).rstrip(b"=")


def _fingerprint(context: str) -> str:
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
) -> Select[Any]:
    """`statement` ordered, after the cursor, limited to one row more than a page."""
    if cursor is not None:
        statement = statement.where(
            after_cursor(keys, tiebreaker, decode_cursor(cursor, keys, context))
        )
    return statement.order_by(*order_by(keys, tiebreaker)).limit(limit + 1)
