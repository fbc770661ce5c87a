"""The explorer: a web page at `/` built only on the public JSON API, and its static files."""

import os
from pathlib import Path

from fastapi import APIRouter, FastAPI
from fastapi.responses import FileResponse
from starlette.responses import Response
from starlette.staticfiles import PathLike, StaticFiles
from starlette.types import Scope

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
def index() -> FileResponse:
    """The explorer page; its state (roundup, tag, search, expert) is in the query string."""
    return FileResponse(
        STATIC_DIR / "index.html", media_type="text/html; charset=utf-8", headers=PAGE_HEADERS
    )


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


def install(app: FastAPI) -> None:
    app.include_router(router)
    app.mount("/static", StaticAssets(directory=STATIC_DIR), name="static")
