"""The explorer: a web page at `/` built only on the public JSON API, and its static files."""

import os
from pathlib import Path

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import FileResponse
from starlette.datastructures import Headers
from starlette.responses import Response
from starlette.staticfiles import PathLike, StaticFiles
from starlette.types import Scope

from app.http.conditional import gzip_variant, matched_etag

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"

# The page loads nothing but its own script, stylesheet and API; no inline code or styles.
CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "img-src 'self' data:",
        "style-src 'self'",
        "script-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
PAGE_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    # Revalidate (ETag) on every load, so a deploy never pairs a new page with an old script.
    "Cache-Control": "no-cache",
}

router = APIRouter(include_in_schema=False)


@router.get("/")
def index(request: Request) -> Response:
    """The explorer page; its state (roundup, tag, search, expert) is in the query string.
    A matching If-None-Match is a 304, as for the static files."""
    path = STATIC_DIR / "index.html"
    page = FileResponse(
        path,
        stat_result=os.stat(path),
        media_type="text/html; charset=utf-8",
        headers=PAGE_HEADERS,
    )
    matched = matched_etag(request, page.headers["etag"])
    if matched is not None:
        headers = {"ETag": matched, "Last-Modified": page.headers["last-modified"]}
        return Response(status_code=304, headers={**headers, **PAGE_HEADERS})
    return page


class StaticAssets(StaticFiles):
    """Static files that browsers revalidate, and never sniff. An HTML file (index.html is
    also reachable as /static/index.html) gets the page's own policy, not the docs page's."""

    def file_response(
        self,
        full_path: PathLike,
        stat_result: os.stat_result,
        scope: Scope,
        status_code: int = 200,
    ) -> Response:
        response = super().file_response(full_path, stat_result, scope, status_code)
        response.headers["Cache-Control"] = "no-cache"
        response.headers["X-Content-Type-Options"] = "nosniff"
        if Path(full_path).suffix == ".html":
            response.headers.update(PAGE_HEADERS)
        return response

    def is_not_modified(self, response_headers: Headers, request_headers: Headers) -> bool:
        """Also when If-None-Match names the ETag of the gzipped file
        (app.http.conditional.GzipETag)."""
        if super().is_not_modified(response_headers, request_headers):
            return True
        etag = response_headers.get("etag")
        header = request_headers.get("if-none-match")
        if (
            etag is None
            or header is None
            or "gzip" not in request_headers.get("accept-encoding", "")
        ):
            return False
        return gzip_variant(etag) in {tag.strip().removeprefix("W/") for tag in header.split(",")}


def install(app: FastAPI) -> None:
    app.include_router(router)
    app.mount("/static", StaticAssets(directory=STATIC_DIR), name="static")
