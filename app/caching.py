"""Conditional GET: a strong ETag derived from the loaded data and the request, and 304s.

The ETag is a hash of the dataset version (changed by every load that changes data), the
path, the query string, and the media type asked for (Accept). It is known before any body is
rendered, so a matching If-None-Match is answered without touching the data. A gzipped body
is another representation: `GzipETag` marks its ETag `"<tag>-gzip"`, so identical bytes
carry one ETag, whichever encoding the client accepts.
"""

import hashlib
from email.utils import format_datetime, parsedate_to_datetime

from fastapi import Request, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.config import get_settings
from app.deps import SessionDep
from app.queries.meta import data_state

VARY = "Accept, Accept-Encoding"
GZIP_SUFFIX = "-gzip"


class NotModified(Exception):  # noqa: N818 - a control-flow signal, not an error
    def __init__(self, headers: dict[str, str]) -> None:
        super().__init__("not modified")
        self.headers = headers


def etag_for(version: str, request: Request) -> str:
    key = "|".join(
        (version, request.url.path, request.url.query, request.headers.get("accept", ""))
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


def conditional_get(request: Request, response: Response, session: SessionDep) -> None:
    """Set ETag, Last-Modified, Cache-Control and Vary; raise NotModified when they match."""
    state = data_state(session)
    etag = etag_for(state.version if state else "empty", request)
    headers = {
        "ETag": etag,
        "Cache-Control": f"public, max-age={get_settings().cache_max_age}",
        "Vary": VARY,
    }
    if state is not None:
        headers["Last-Modified"] = format_datetime(state.changed_at, usegmt=True)
    response.headers.update(headers)
    if "if-none-match" in request.headers:
        matched = matched_etag(request, etag)
        if matched is not None:
            raise NotModified({**headers, "ETag": matched})
    elif state is not None and (since := request.headers.get("if-modified-since")):
        try:
            unchanged = parsedate_to_datetime(since) >= state.changed_at
        except (TypeError, ValueError):
            unchanged = False
        if unchanged:
            raise NotModified(headers)


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
