"""Application factory."""

from fastapi import FastAPI

from app import __version__, problems
from app.routes import articles, health


def create_app() -> FastAPI:
    app = FastAPI(
        title="Roundup API",
        version=__version__,
        summary="Expert-roundup journalism as structured, queryable data.",
    )
    problems.install(app)
    app.include_router(health.router)
    app.include_router(articles.router)
    return app
