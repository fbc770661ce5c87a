"""Conditional GET: a strong ETag derived from the loaded data and the request, and 304s.

The ETag is a hash of all that can change a body: the dataset version (changed by every load
that changes data), the configured public base URL (in Link headers and JSON-LD), the path,
the query string, and the representation asked for (what of Accept selects one, gzip or
not). It is known before any body is rendered, so a matching If-None-Match is answered
without touching the data.
"""

import hashlib
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime

from fastapi import Request, Response
from fastapi.routing import APIRoute

from app.config import get_settings
from app.deps import SessionDep
from app.negotiation import DEFAULT_TYPES, accept_key, produces
from app.queries.meta import data_state
from app.urls import public_base

VARY = "Accept, Accept-Encoding"
SETTLE = timedelta(seconds=2)


class NotModified(Exception):  # noqa: N818 - a control-flow signal, not an error
    def __init__(self, headers: dict[str, str]) -> None:
        super().__init__("not modified")
        self.headers = headers


def etag_for(version: str, request: Request) -> str:
    gzip = "gzip" in request.headers.get("accept-encoding", "")
    route = request.scope.get("route")
    offered = produces(route) if isinstance(route, APIRoute) else DEFAULT_TYPES
    key = "|".join(
        (
            version,
            public_base(request),
            request.url.path,
            request.url.query,
            accept_key(request.headers.get("accept", ""), offered),
            "gzip" if gzip else "identity",
        )
    )
    return '"' + hashlib.blake2b(key.encode(), digest_size=16).hexdigest() + '"'


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
        headers["Last-Modified"] = format_datetime(last_modified(state.changed_at), usegmt=True)
    response.headers.update(headers)
    if_none_match = request.headers.get("if-none-match")
    if if_none_match is not None:
        candidates = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
        if etag in candidates or "*" in candidates:
            raise NotModified(headers)
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
