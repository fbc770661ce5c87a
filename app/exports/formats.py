"""Exports of the lists (/v1/exports/*, `format=csv|ndjson`): every matching row, streamed.

Rows are read in keyset batches through the list query itself, so an export is the JSON list
with every page concatenated, in the same order, and memory stays flat however many rows
match. The first batch is read before the response starts: a bad sort or cursor is still a
problem document, not a broken download. Each batch is its own short transaction (a batch is
consistent; a load between two batches shows in the later ones, and keyset order never
repeats or skips a row that did not change).
"""

import asyncio
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
from app.exports.writers import Columns, csv_lines, ndjson_lines
from app.http.middleware import LEAVE_LIMIT
from app.http.negotiation import also_produces, preferred
from app.http.problems import send_problem
from app.queries.paging import IdPage

# The parameters' types, which FastAPI turns into the `format` enum (in this order) and mypy
# checks statically; tests/test_api_exports.py checks that they name DOWNLOADS, in order.
ExportFormat = Literal["json", "csv", "ndjson"]
DownloadFormat = Literal["csv", "ndjson"]


@dataclass(frozen=True)
class Format:
    """A download format: `name` is the `format=` value and the file's suffix, `offered` the
    media type Accept negotiation and the OpenAPI content name, `media_type` the body's
    Content-Type, `about` its half of the `format` parameter's description."""

    name: DownloadFormat
    offered: str
    media_type: str
    about: str
    write: Callable[[Columns[Any], Iterable[Any]], Iterator[bytes]]


# The first is the default; the order is the OpenAPI content's and breaks Accept ties.
DOWNLOADS = (
    Format(
        name="csv",
        offered="text/csv",
        media_type="text/csv; charset=utf-8; header=present",
        about="RFC 4180, a header row",
        write=csv_lines,
    ),
    Format(
        name="ndjson",
        offered="application/x-ndjson",
        media_type="application/x-ndjson",
        about="one JSON item a line, as in the JSON list",
        write=ndjson_lines,
    ),
)
_BY_NAME = {download.name: download for download in DOWNLOADS}
_BY_OFFERED = {download.offered: download for download in DOWNLOADS}
OFFERED = tuple(_BY_OFFERED)
BATCH = 500
# Offer order breaks ties: JSON first on the lists, the first download on the export operations.
_LIST_FORMATS: dict[str, ExportFormat] = {
    "application/json": "json",
    **{download.offered: download.name for download in DOWNLOADS},
}
TOO_MANY_DOWNLOADS = "Too many downloads are running; try again shortly."
log = logging.getLogger("roundup")
_KEPT_HEADERS = {"etag", "last-modified", "cache-control", "vary"}
EXPORT_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "Every matching row, streamed as a download.",
        "content": {offered: {"schema": {"type": "string"}} for offered in OFFERED},
    }
}

Item = TypeVar("Item", bound=BaseModel)
Item_co = TypeVar("Item_co", bound=BaseModel, covariant=True)


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


def _describe_downloads() -> str:
    """`csv` (...) or `ndjson` (...), from DOWNLOADS, and the default."""
    each = [f"`{download.name}` ({download.about})" for download in DOWNLOADS]
    *rest, last = each
    listed = f"{', '.join(rest)} or {last}" if rest else last
    return f"{listed}. Without it, the Accept header chooses; default `{DOWNLOADS[0].name}`."


@also_produces(*OFFERED)
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
        DownloadFormat | None, Query(alias="format", description=_describe_downloads())
    ] = None,
) -> DownloadFormat:
    if requested is not None:
        return requested
    chosen = preferred(request.headers.get("accept"), OFFERED) or ""
    return _BY_OFFERED.get(chosen, DOWNLOADS[0]).name


DownloadDep = Annotated[DownloadFormat, Depends(download_format)]


def negotiate(accept: str) -> ExportFormat:
    """The list format `accept` prefers (app.http.negotiation's parser; JSON on ties or none)."""
    return _LIST_FORMATS.get(preferred(accept, _LIST_FORMATS) or "", "json")


def export_list(
    export: DownloadFormat,
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
    download = _BY_NAME[export]
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
    headers["Content-Disposition"] = f'attachment; filename="{name}.{download.name}"'
    headers["X-Total-Count"] = str(page.total)
    body = download.write(columns, items())
    return ExportResponse(body, media_type=download.media_type, headers=headers)


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
