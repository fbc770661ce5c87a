"""Application factory."""

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.middleware.gzip import GZipMiddleware

from app import __version__, openapi, problems
from app.caching import NotModified, not_modified_response
from app.config import Settings, get_settings
from app.data_version import version_source
from app.middleware import DedupeVary, HeadAsGet
from app.response_cache import ResponseCache
from app.routes import (
    articles,
    documents,
    explorer,
    health,
    people,
    responses,
    search,
    summaries,
    tags,
)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    app = FastAPI(
        title="Roundup API",
        version=__version__,
        summary="Expert-roundup journalism as structured, queryable data.",
    )
    problems.install(app)
    openapi.install(app)
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
    ):
        app.include_router(router)
    explorer.install(app)
    app.add_middleware(GZipMiddleware, minimum_size=1000)
    app.add_middleware(
        CORSMiddleware,
        allow_origins=settings.cors_origins,
        allow_methods=["GET", "HEAD", "OPTIONS"],
        expose_headers=["ETag", "Link", "X-Total-Count", "Last-Modified"],
        max_age=600,
    )
    app.add_middleware(DedupeVary)
    if settings.response_cache:
        app.add_middleware(
            ResponseCache,
            source=version_source(settings.database_url),
            max_bytes=settings.response_cache_mb * 1024 * 1024,
        )
    app.add_middleware(HeadAsGet)
    return app
