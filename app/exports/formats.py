"""`format=csv|ndjson` (or the Accept header) on list endpoints: every matching row, streamed.

Rows are read in keyset batches through the list query itself, so an export is the JSON list
with every page concatenated, in the same order, and memory stays flat however many rows
match. The first batch is read before the response starts: a bad sort or cursor is still a
problem document, not a broken download.
"""

import csv
import io
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Annotated, Any, Literal, Protocol, TypeVar

from fastapi import Depends, Query, Request, Response
from fastapi.responses import StreamingResponse
from pydantic import BaseModel

from app.queries.paging import IdPage

ExportFormat = Literal["json", "csv", "ndjson"]
BATCH = 500
CSV_MEDIA_TYPE = "text/csv; charset=utf-8; header=present"
NDJSON_MEDIA_TYPE = "application/x-ndjson"
_ACCEPTED: dict[str, ExportFormat] = {
    "application/json": "json",
    "application/*": "json",
    "*/*": "json",
    "text/csv": "csv",
    "application/x-ndjson": "ndjson",
}
_KEPT_HEADERS = {"etag", "last-modified", "cache-control", "vary"}
EXPORTABLE: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The list as JSON, or every matching row as CSV or NDJSON.",
        "content": {
            "text/csv": {"schema": {"type": "string"}},
            NDJSON_MEDIA_TYPE: {"schema": {"type": "string"}},
        },
    }
}

Item = TypeVar("Item", bound=BaseModel)
Item_co = TypeVar("Item_co", bound=BaseModel, covariant=True)
Columns = Sequence[tuple[str, Callable[[Item], object]]]


class Fetch(Protocol[Item_co]):
    """A list query with everything bound but the page size and the cursor."""

    def __call__(self, *, limit: int, cursor: str | None) -> tuple[Sequence[Item_co], IdPage]: ...


class PlainFetch(Protocol):
    """A list query returning plain data (a public model's fields, in order) for each item."""

    def __call__(
        self, *, limit: int, cursor: str | None
    ) -> tuple[Sequence[dict[str, Any]], IdPage]: ...


def as_models(model: type[Item], fetch: PlainFetch) -> Fetch[Item]:
    """`fetch`, its items validated into `model` (for the exports, which read attributes)."""

    def fetch_models(*, limit: int, cursor: str | None) -> tuple[Sequence[Item], IdPage]:
        items, page = fetch(limit=limit, cursor=cursor)
        return [model.model_validate(item) for item in items], page

    return fetch_models


async def export_format(  # no I/O: async, so it need not hop to the thread pool
    request: Request,
    requested: Annotated[
        ExportFormat | None,
        Query(
            alias="format",
            description="`csv` or `ndjson`: every matching row (not one page), streamed as a"
            " download; `limit` is ignored. Without it, `Accept: text/csv` or"
            " `Accept: application/x-ndjson` asks for the same. Default: JSON.",
        ),
    ] = None,
) -> ExportFormat:
    return requested or negotiate(request.headers.get("accept", ""))


FormatDep = Annotated[ExportFormat, Depends(export_format)]


def negotiate(accept: str) -> ExportFormat:
    """The supported type the Accept header prefers most (earliest on ties); JSON otherwise."""
    best: tuple[float, ExportFormat] = (0.0, "json")
    for media_range in accept.split(","):
        media_type, *params = (part.strip() for part in media_range.split(";"))
        found = _ACCEPTED.get(media_type.lower())
        if found is None:
            continue
        weight = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    weight = float(value)
                except ValueError:
                    weight = 0.0
        if weight > best[0]:
            best = (weight, found)
    return best[1]


def export_list(
    export: ExportFormat,
    name: str,
    columns: Columns[Item],
    fetch: Fetch[Item],
    cursor: str | None,
    response: Response,
) -> StreamingResponse:
    """Stream every row `fetch` yields from `cursor` on, as CSV (flattened by `columns`) or
    NDJSON (each item as in the JSON list)."""
    first, page = fetch(limit=BATCH, cursor=cursor)

    def items() -> Iterator[Item]:
        yield from first
        after = page.next_cursor
        while after is not None:
            more, following = fetch(limit=BATCH, cursor=after)
            yield from more
            after = following.next_cursor

    headers = carried_headers(response)
    headers["Content-Disposition"] = f'attachment; filename="{name}.{export}"'
    headers["X-Total-Count"] = str(page.total)
    if export == "csv":
        return StreamingResponse(
            csv_lines(columns, items()), media_type=CSV_MEDIA_TYPE, headers=headers
        )
    return StreamingResponse(ndjson_lines(items()), media_type=NDJSON_MEDIA_TYPE, headers=headers)


def carried_headers(response: Response) -> dict[str, str]:
    """The caching headers a dependency set on `response`, for a Response built by hand
    (FastAPI only merges them into the responses it builds itself)."""
    return {k: v for k, v in response.headers.items() if k.lower() in _KEPT_HEADERS}


def csv_lines(columns: Columns[Item], items: Iterable[Item], chunk: int = 100) -> Iterator[bytes]:
    """RFC 4180: a header row, CRLF line ends, fields quoted when needed, UTF-8."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([name for name, _ in columns])
    for count, item in enumerate(items, start=1):
        writer.writerow([cell(get(item)) for _, get in columns])
        if count % chunk == 0:
            yield _drain(buffer)
    yield _drain(buffer)


def ndjson_lines(items: Iterable[BaseModel]) -> Iterator[bytes]:
    for item in items:
        yield item.model_dump_json().encode() + b"\n"


def cell(value: Any) -> str:
    """A CSV field: null is empty, lists are joined with ';'."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return ";".join(cell(part) for part in value)
    if hasattr(value, "isoformat"):
        return str(value.isoformat())
    return str(value)


def _drain(buffer: io.StringIO) -> bytes:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text.encode()
