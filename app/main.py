"""Application factory."""

import base64
import hashlib
import re
from collections.abc import Callable, Iterable
from functools import partial

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from starlette.middleware import Middleware
from starlette.types import ASGIApp, Receive, Scope, Send

from app import __version__, openapi
from app.config import Settings, get_settings
from app.data_version import version_source
from app.db import request_engine
from app.http import problems
from app.http.balance import worker_shares
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


class App:
    """What `create_app` returns and uvicorn serves: `asgi` answers each request; `api` is the
    FastAPI application inside it (routes, state, OpenAPI, dependency overrides)."""

    def __init__(self, api: FastAPI, asgi: ASGIApp) -> None:
        self.api = api
        self.asgi = asgi

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.asgi(scope, receive, send)


def create_app(settings: Settings | None = None) -> App:
    """The application configured by `settings` (default: the environment's), which every
    request obeys: they are kept on `app.api.state.settings`, read through app.deps."""
    settings = settings or get_settings()
    worker_shares()  # under `roundup serve --workers N`: this worker's connection count, 0
    api = FastAPI(
        title="Roundup API",
        version=__version__,
        summary="Expert-roundup journalism as structured, queryable data.",
        docs_url=None,
        redoc_url=None,
        generate_unique_id_function=openapi.operation_id,
    )
    api.state.settings = settings
    api.state.engine = request_engine(settings)
    problems.install(api)
    openapi.install(api, settings.cache_max_age)
    api.add_exception_handler(NotModified, not_modified_response)
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
        api.include_router(router, responses=COMMON_PROBLEMS)
    explorer.install(api)

    docs_page = get_swagger_ui_html(openapi_url=api.openapi_url or "", title=api.title)

    @api.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return docs_page

    # The response cache comes first of all when it has no rate limit to obey, so that a hit
    # costs a lookup and never enters the middleware; with a limit set, it sits inside the
    # limit, so that cached answers obey it too. Either way it stores what the layers inside
    # it sent, headers and all. It reads the routes (the media types they produce).
    cache = response_cache(settings, api.routes)
    front = None if settings.rate_limit_per_minute else cache
    behind_limit = [] if cache is None or front is not None else [Middleware(cache)]
    # The middleware in request order, outermost first: what FastAPI(middleware=...) takes,
    # set once the routes exist (AllowedMethods reads the router).
    api.user_middleware = [
        Middleware(SecurityHeaders, html_csp=docs_csp(bytes(docs_page.body))),
        Middleware(UnexpectedErrors),
        Middleware(HeadAsGet),
        Middleware(DedupeVary),
        Middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "HEAD", "OPTIONS"],
            allow_headers=CORS_REQUEST_HEADERS,
            expose_headers=CORS_EXPOSED_HEADERS,
            max_age=600,
        ),
        Middleware(RequestTarget, max_length=settings.max_url_length),
        Middleware(RateLimit, per_minute=settings.rate_limit_per_minute),
        *behind_limit,
        Middleware(AllowedMethods, router=api.router),
        Middleware(RequestTimeout, seconds=settings.request_timeout_s),
        Middleware(
            ConcurrencyLimit,
            limit=settings.pool_size + settings.pool_max_overflow,
            turns=request_concurrency(settings),
        ),
        Middleware(GzipETag),
        # Level 6, not starlette's 9: a 125 KB page of answers compresses in 1.2 ms instead of
        # 1.8, to 15.4 KB instead of 15.3.
        Middleware(GZipMiddleware, minimum_size=1000, compresslevel=6),
    ]
    return App(api, api if front is None else front(api))


def response_cache(
    settings: Settings, routes: Iterable[object]
) -> Callable[[ASGIApp], ASGIApp] | None:
    """The response cache around an application, as the settings configure it (None: off)."""
    if not settings.response_cache:
        return None
    return partial(
        ResponseCache,
        source=version_source(settings.database_url),
        max_bytes=settings.response_cache_mb * 1024 * 1024,
        max_entries=settings.response_cache_entries,
        media_types=all_produced(routes),
        cors_origins=settings.cors_origins,
    )


def request_concurrency(settings: Settings) -> int:
    """Requests a worker runs at once (for their first 50 ms; a longer one gives up its
    turn). Requests are mostly Python work, which threads share under one lock: past two at
    a time, more only makes each wait longer (at 16 connections on 2 workers, article detail
    p99 131 ms at ten at once, 35 ms at two; docs/performance.md). Never more than the pool
    has connections."""
    return min(settings.concurrent_requests, settings.pool_size + settings.pool_max_overflow)


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
