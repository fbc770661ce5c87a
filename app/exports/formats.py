"""Exports of the lists (/v1/exports/*, `format=csv|ndjson`): every matching row, streamed.

Rows are read in keyset batches through the list query itself, so an export is the JSON list
with every page concatenated, in the same order, and memory stays flat however many rows
match. The first batch is read before the response starts: a bad sort or cursor is still a
problem document, not a broken download. Each batch is its own short transaction (a batch is
consistent; a load between two batches shows in the later ones, and keyset order never
repeats or skips a row that did not change).
"""

import asyncio
import csv
import io
import logging
import weakref
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Generic, Literal, Protocol, TypeVar

import anyio
from fastapi import Depends, Query, Request, Response
from fastapi.responses import StreamingResponse
from pydantic import BaseModel
from sqlmodel import Session
from starlette.types import Message, Receive, Scope, Send

from app.config import Settings
from app.http.middleware import LEAVE_LIMIT
from app.http.negotiation import also_produces, preferred
from app.http.problems import send_problem
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
TOO_MANY_DOWNLOADS = "Too many downloads are running; try again shortly."
log = logging.getLogger("roundup")
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


class PlainFetch(Protocol):
    """A list query returning plain data (a public model's fields, in order) for each item."""

    def __call__(
        self, *, limit: int, cursor: str | None
    ) -> tuple[Sequence[dict[str, Any]], IdPage]: ...


@dataclass(frozen=True)
class as_models(Generic[Item]):  # noqa: N801 - used as a function
    """`fetch`, its items validated into `model` (for the exports, which read attributes);
    it keeps the session `fetch` is bound to, which a download releases between batches."""

    model: type[Item]
    fetch: PlainFetch

    @property
    def session(self) -> Session | None:
        return _bound_session(self.fetch)

    def __call__(self, *, limit: int, cursor: str | None) -> tuple[Sequence[Item], IdPage]:
        items, page = self.fetch(limit=limit, cursor=cursor)
        return [self.model.model_validate(item) for item in items], page


@also_produces("text/csv", NDJSON_MEDIA_TYPE)
async def export_format(  # no I/O: async, so it need not hop to the thread pool
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
    """The list format `accept` prefers (app.http.negotiation's parser; JSON on ties or none)."""
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
    NDJSON (each item as in the JSON list).

    Each batch is read in a transaction of its own, which ends (its connection back in the
    pool) before the batch is written: a client that reads slowly, or not at all, holds no
    connection and no snapshot, only the download slot (see ExportResponse)."""
    session = _bound_session(fetch)
    first, page = fetch(limit=BATCH, cursor=cursor)
    _end_transaction(session)

    def items() -> Iterator[Item]:
        yield from first
        after = page.next_cursor
        while after is not None:
            more, following = fetch(limit=BATCH, cursor=after)
            _end_transaction(session)
            yield from more
            after = following.next_cursor

    headers = carried_headers(response)
    headers["Content-Disposition"] = f'attachment; filename="{name}.{export}"'
    headers["X-Total-Count"] = str(page.total)
    if export == "csv":
        return ExportResponse(
            csv_lines(columns, items()), media_type=CSV_MEDIA_TYPE, headers=headers
        )
    return ExportResponse(ndjson_lines(items()), media_type=NDJSON_MEDIA_TYPE, headers=headers)


def _bound_session(fetch: object) -> Session | None:
    """The session a list query is bound to (routes bind it with functools.partial)."""
    bound = getattr(fetch, "session", None)
    if isinstance(bound, Session):
        return bound
    return next((arg for arg in getattr(fetch, "args", ()) if isinstance(arg, Session)), None)


def _end_transaction(session: Session | None) -> None:
    """Give the connection back; the session begins a new transaction when next used."""
    if session is not None:
        session.close()


# Per event loop (one per worker process; tests run several loops).
_download_slots: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore]" = (
    weakref.WeakKeyDictionary()
)


class ExportResponse(StreamingResponse):
    """A download: it leaves the app's concurrency limit (it reads in batches of its own) for
    the downloads' smaller one, waiting up to `pool_timeout_s` for a slot (then a 503), it is
    cut when the client reads nothing for `export_send_timeout_s`, and it stops when the
    client disconnects."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        settings: Settings = scope["app"].state.settings  # the app serving the request
        leave = scope.get(LEAVE_LIMIT)
        if leave is not None:
            leave()
        slots = _download_slots.setdefault(
            asyncio.get_running_loop(), asyncio.Semaphore(settings.export_concurrency)
        )
        try:
            await asyncio.wait_for(slots.acquire(), settings.pool_timeout_s)
        except TimeoutError:
            await self._close_body()
            await send_problem(scope, send, 503, TOO_MANY_DOWNLOADS, headers={"Retry-After": "5"})
            return
        try:
            await self._stream_until_disconnect(
                receive, _with_timeout(send, settings.export_send_timeout_s)
            )
        finally:
            slots.release()
            await self._close_body()

    async def _stream_until_disconnect(self, receive: Receive, send: Send) -> None:
        """Stream the body, and stop as soon as the client disconnects (as Starlette's own
        __call__ does): the server's send() returns silently once the client is gone, so
        without the listener a download would run to its end for nobody."""
        async with anyio.create_task_group() as group:

            async def stream() -> None:
                try:
                    await self.stream_response(send)
                except DownloadStalledError:
                    log.warning("download cut: the client read nothing for a while")
                group.cancel_scope.cancel()

            group.start_soon(stream)
            await self.listen_for_disconnect(receive)
            group.cancel_scope.cancel()

    async def _close_body(self) -> None:
        close = getattr(self.body_iterator, "aclose", None)
        if close is not None:
            await close()


class DownloadStalledError(Exception):
    pass


def _with_timeout(send: Send, seconds: float) -> Send:
    async def timed(message: Message) -> None:
        try:
            await asyncio.wait_for(send(message), seconds)
        except TimeoutError:
            raise DownloadStalledError from None

    return timed


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
