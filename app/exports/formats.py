"""Exports of the lists (/v1/exports/*, `format=csv|ndjson`): every matching row, streamed.

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

from app.negotiation import also_produces, preferred
from app.queries.paging import IdPage

ExportFormat = Literal["json", "csv", "ndjson"]
DownloadFormat = Literal["csv", "ndjson"]
BATCH = 500
CSV_MEDIA_TYPE = "text/csv; charset=utf-8; header=present"
NDJSON_MEDIA_TYPE = "application/x-ndjson"
# Offer order breaks ties: JSON first on the lists, CSV first on the export operations.
_FORMATS: dict[str, ExportFormat] = {
    "application/json": "json",
    "text/csv": "csv",
    NDJSON_MEDIA_TYPE: "ndjson",
}
_KEPT_HEADERS = {"etag", "last-modified", "cache-control", "vary"}
EXPORT_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "Every matching row, streamed as a download.",
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


@also_produces("text/csv", NDJSON_MEDIA_TYPE)
def export_format(
    request: Request,
    requested: Annotated[
        ExportFormat | None, Query(alias="format", include_in_schema=False)
    ] = None,
) -> ExportFormat:
    """The JSON lists still stream an export for `format=csv|ndjson` or `Accept: text/csv`
    (undocumented there, so generated clients see plain pages; /v1/exports/* is the typed way)."""
    return requested or negotiate(request.headers.get("accept", ""))


FormatDep = Annotated[ExportFormat, Depends(export_format)]


def download_format(
    request: Request,
    requested: Annotated[
        DownloadFormat | None,
        Query(
            alias="format",
            description="`csv` (RFC 4180, a header row) or `ndjson` (one JSON item a line, as in"
            " the JSON list). Without it, the Accept header chooses; default `csv`.",
        ),
    ] = None,
) -> DownloadFormat:
    if requested is not None:
        return requested
    chosen = _FORMATS.get(
        preferred(request.headers.get("accept"), ("text/csv", NDJSON_MEDIA_TYPE)) or ""
    )
    return "ndjson" if chosen == "ndjson" else "csv"


DownloadDep = Annotated[DownloadFormat, Depends(download_format)]


def negotiate(accept: str) -> ExportFormat:
    """The list format `accept` prefers (app.negotiation's parser; JSON on ties or none)."""
    return _FORMATS.get(preferred(accept, _FORMATS) or "", "json")


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
