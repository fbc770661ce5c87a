"""Application factory."""

import base64
import hashlib
import re

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from app import __version__, openapi
from app.config import Settings, get_settings
from app.data_version import version_source
from app.http import problems
from app.http.conditional import GzipETag, NotModified, not_modified_response
from app.http.middleware import (
    AllowedMethods,
    ConcurrencyLimit,
    DedupeVary,
    HeadAsGet,
    RateLimit,
    RequestTarget,
    RequestTimeout,
    SecurityHeaders,
    UnexpectedErrors,
)
from app.http.negotiation import all_produced
from app.http.response_cache import ResponseCache
from app.routes import (
    articles,
    documents,
    explorer,
    exports,
    health,
    people,
    responses,
    search,
    summaries,
    tags,
)

# Problems any operation can answer with, whatever its parameters.
COMMON_PROBLEMS = problems.responses(400, 406, 414, 429, 503)
CDN = "https://cdn.jsdelivr.net"
# What a browser on another origin may send (conditional requests, cache control, the
# headers jQuery and friends add) and read back (validators, paging, the dump's digest).
CORS_REQUEST_HEADERS = [
    "Accept",
    "Accept-Language",
    "Cache-Control",
    "If-Modified-Since",
    "If-None-Match",
    "Pragma",
    "X-Requested-With",
]
CORS_EXPOSED_HEADERS = [
    "Content-Disposition",
    "ETag",
    "Last-Modified",
    "Link",
    "Repr-Digest",
    "Retry-After",
    "X-Total-Count",
]


class RoundupAPI(FastAPI):
    """FastAPI with a front door: when `front` is set (the response cache, with no rate limit
    to obey), it sees each request before anything else, so a hit costs a lookup and never
    enters the middleware stack; what it stores is what that stack sent, headers and all."""

    front: ASGIApp | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.front is None:
            await super().__call__(scope, receive, send)
        else:
            await self.front(scope, receive, send)

    async def stack(self, scope: Scope, receive: Receive, send: Send) -> None:
        """The application behind the front door: middleware, routing, handlers."""
        await super().__call__(scope, receive, send)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    app = RoundupAPI(
        title="Roundup API",
        version=__version__,
        summary="Expert-roundup journalism as structured, queryable data.",
        docs_url=None,
        redoc_url=None,
        generate_unique_id_function=openapi.operation_id,
    )
    app.state.settings = settings
    problems.install(app)
    openapi.install(app, settings.cache_max_age)
    app.add_exception_handler(NotModified, not_modified_response)
    for router in (
        health.router,
        health.meta_router,
        articles.router,
        people.router,
        responses.router,
        tags.router,
        search.router,
        summaries.router,
        documents.router,
        exports.router,
    ):
        app.include_router(router, responses=COMMON_PROBLEMS)
    explorer.install(app)

    docs_page = get_swagger_ui_html(openapi_url=app.openapi_url or "", title=app.title)

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return docs_page

    # Added innermost first: the last one added sees a request first. The response cache is
    # the front door; with a rate limit set, it sits inside the limit instead, so that cached
    # answers obey it too (and outer layers add their headers to each answer).
    app.add_middleware(GZipMiddleware, minimum_size=1000)
    app.add_middleware(GzipETag)
    app.add_middleware(ConcurrencyLimit, limit=settings.pool_size + settings.pool_max_overflow)
    app.add_middleware(RequestTimeout, seconds=settings.request_timeout_s)
    app.add_middleware(AllowedMethods, router=app.router)
    if settings.response_cache:
        source = version_source(settings.database_url)
        media_types = all_produced(app.routes)

        def response_cache(inner: ASGIApp) -> ASGIApp:
            return ResponseCache(
                inner,
                source,
                max_bytes=settings.response_cache_mb * 1024 * 1024,
                max_entries=settings.response_cache_entries,
                media_types=media_types,
                cors_origins=settings.cors_origins,
            )

        if settings.rate_limit_per_minute:
            app.add_middleware(response_cache)
        else:
            app.front = response_cache(app.stack)
    app.add_middleware(RateLimit, per_minute=settings.rate_limit_per_minute)
    app.add_middleware(RequestTarget, max_length=settings.max_url_length)
    app.add_middleware(
        CORSMiddleware,
        allow_origins=settings.cors_origins,
        allow_methods=["GET", "HEAD", "OPTIONS"],
        allow_headers=CORS_REQUEST_HEADERS,
        expose_headers=CORS_EXPOSED_HEADERS,
        max_age=600,
    )
    app.add_middleware(DedupeVary)
    app.add_middleware(HeadAsGet)
    app.add_middleware(UnexpectedErrors)
    app.add_middleware(SecurityHeaders, html_csp=docs_csp(bytes(docs_page.body)))
    return app


def docs_csp(page: bytes) -> str:
    """The docs page may run only its own inline script (by hash) and Swagger UI's bundle."""
    hashes = " ".join(
        "'sha256-" + base64.b64encode(hashlib.sha256(script).digest()).decode() + "'"
        for script in re.findall(rb"<script>(.*?)</script>", page, flags=re.DOTALL)
    )
    return (
        f"default-src 'none'; script-src {CDN} {hashes}; style-src {CDN} 'unsafe-inline';"
        f" img-src 'self' data: https://fastapi.tiangolo.com; connect-src 'self';"
        " frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
    )
