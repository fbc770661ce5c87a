"""Conditional GET: a strong ETag derived from the loaded data and the request, and 304s.

The ETag is a hash of all that can change a body: the dataset version (changed by every load
that changes data), the configured public base URL (in Link headers and JSON-LD), the path,
the query string, and the media type asked for (what of Accept selects one). It is known
before any body is rendered, so a matching If-None-Match is answered without touching the
data. A gzipped body is another representation: `GzipETag` marks its ETag `"<tag>-gzip"`, so
identical bytes carry one ETag, whichever encoding the client accepts.
"""

import hashlib
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime

from fastapi import Request, Response
from fastapi.routing import APIRoute
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.deps import SessionDep, SettingsDep
from app.http.negotiation import DEFAULT_TYPES, accept_key, produces
from app.http.urls import public_base
from app.queries.meta import data_state

VARY = "Accept, Accept-Encoding"
SETTLE = timedelta(seconds=2)
GZIP_SUFFIX = "-gzip"


class NotModified(Exception):  # noqa: N818 - a control-flow signal, not an error
    def __init__(self, headers: dict[str, str]) -> None:
        super().__init__("not modified")
        self.headers = headers


def etag_for(version: str, request: Request) -> str:
    route = request.scope.get("route")
    offered = produces(route) if isinstance(route, APIRoute) else DEFAULT_TYPES
    key = "|".join(
        (
            version,
            public_base(request),
            request.url.path,
            request.url.query,
            accept_key(request.headers.get("accept", ""), offered),
        )
    )
    return '"' + hashlib.blake2b(key.encode(), digest_size=16).hexdigest() + '"'


def gzip_variant(etag: str) -> str:
    """`"abc"` -> `"abc-gzip"`: the ETag of the gzipped body."""
    return etag[:-1] + GZIP_SUFFIX + '"'


def matched_etag(request: Request, etag: str) -> str | None:
    """The ETag (`etag`, or its gzip variant if the client takes gzip) that the request's
    If-None-Match names (weak comparison; `*` names any), or None."""
    header = request.headers.get("if-none-match")
    if header is None:
        return None
    candidates = {tag.strip().removeprefix("W/") for tag in header.split(",")}
    etags = [etag]
    if "gzip" in request.headers.get("accept-encoding", ""):
        etags.append(gzip_variant(etag))
    return next((tag for tag in etags if tag in candidates or "*" in candidates), None)


def conditional_get(
    request: Request, response: Response, session: SessionDep, settings: SettingsDep
) -> None:
    """Set ETag, Last-Modified, Cache-Control and Vary; raise NotModified when they match."""
    state = data_state(session)
    etag = etag_for(state.version if state else "empty", request)
    headers = {
        "ETag": etag,
        "Cache-Control": f"public, max-age={settings.cache_max_age}",
        "Vary": VARY,
    }
    if state is not None:
        headers["Last-Modified"] = format_datetime(last_modified(state.changed_at), usegmt=True)
    response.headers.update(headers)
    if "if-none-match" in request.headers:
        matched = matched_etag(request, etag)
        if matched is not None:
            raise NotModified({**headers, "ETag": matched})
    elif state is not None and (since := request.headers.get("if-modified-since")):
        try:
            unchanged = parsedate_to_datetime(since) >= _second_after(state.changed_at)
        except (TypeError, ValueError):
            unchanged = False
        if unchanged:
            raise NotModified(headers)


def last_modified(changed_at: datetime, now: datetime | None = None) -> datetime:
    """The date to print for data changed at `changed_at` (whole seconds).

    HTTP dates have whole seconds, and two loads can change the data within one. So the
    second of the change is never a date If-Modified-Since is answered 304 for; only the
    second after it is, and it is printed only once no later load can be stamped with the
    second of this one: SETTLE after that second ended (a load stamps its time before it
    commits; SETTLE also absorbs a small clock difference between loader and server). A
    client that read the data before then got the second of the change, and is sent the data
    again when it asks with that date."""
    after = _second_after(changed_at)
    if (now or datetime.now(UTC)) >= after + SETTLE:
        return after
    return changed_at.replace(microsecond=0)


def _second_after(changed_at: datetime) -> datetime:
    return changed_at.replace(microsecond=0) + timedelta(seconds=1)


def not_modified_response(_request: Request, exc: Exception) -> Response:
    headers = exc.headers if isinstance(exc, NotModified) else {}
    return Response(status_code=304, headers=headers)


class GzipETag:
    """Just outside GZipMiddleware: a response it compressed gets the gzip variant of its
    ETag; one it left alone keeps the ETag of the identity body."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def mark(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                gzipped = (b"content-encoding", b"gzip") in [
                    (name.lower(), value) for name, value in headers
                ]
                if gzipped:
                    suffix = GZIP_SUFFIX.encode()
                    headers = [
                        (name, value[:-1] + suffix + b'"')
                        if name.lower() == b"etag"
                        and value.endswith(b'"')
                        and not value.endswith(suffix + b'"')
                        else (name, value)
                        for name, value in headers
                    ]
                    message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, mark)
