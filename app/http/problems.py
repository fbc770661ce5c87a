"""RFC 9457 problem details for every error the app produces."""

import logging
import sqlite3
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.exc import DisconnectionError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import Scope, Send

from app.errors import QueryError, UnknownSortError, UnknownTagError

PROBLEM_JSON = "application/problem+json"
DATABASE_UNAVAILABLE = "The database is unavailable; try again shortly."
OVER_BUDGET = (
    "The request needed more work than one request may take, and was stopped;"
    " narrow it (more words, fewer prefixes, filters or facets)."
)
log = logging.getLogger("roundup")


class InvalidParam(BaseModel):
    name: str
    reason: str


class Problem(BaseModel):
    """An RFC 9457 problem document."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str
    instance: str | None = None
    invalid_params: list[InvalidParam] | None = None


class ProblemError(Exception):
    """Raise from anywhere in a request to answer with a problem document."""

    def __init__(
        self, status: int, detail: str, *, invalid_params: list[InvalidParam] | None = None
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.invalid_params = invalid_params


def problem_document(
    status: int,
    detail: str,
    instance: str | None,
    invalid_params: list[InvalidParam] | None = None,
) -> dict[str, Any]:
    problem = Problem(
        title=HTTPStatus(status).phrase,
        status=status,
        detail=detail,
        instance=instance,
        invalid_params=invalid_params,
    )
    return problem.model_dump(exclude_none=True)


def problem_response(
    request: Request,
    status: int,
    detail: str,
    *,
    invalid_params: list[InvalidParam] | None = None,
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    return JSONResponse(
        problem_document(status, detail, request.url.path, invalid_params),
        status_code=status,
        media_type=PROBLEM_JSON,
        headers=headers,
    )


def _http_exception(request: Request, exc: Exception) -> JSONResponse:
    if not isinstance(exc, StarletteHTTPException):  # pragma: no cover - registered for it
        raise exc
    detail = exc.detail if isinstance(exc.detail, str) else HTTPStatus(exc.status_code).description
    return problem_response(request, exc.status_code, detail, headers=exc.headers)


def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    if not isinstance(exc, RequestValidationError):  # pragma: no cover - registered for it
        raise exc
    params = [
        InvalidParam(name=str(error["loc"][-1]) if error["loc"] else "request", reason=error["msg"])
        for error in exc.errors()
    ]
    return problem_response(
        request, 422, "The request parameters are not valid.", invalid_params=params
    )


def _problem_error(request: Request, exc: Exception) -> JSONResponse:
    if not isinstance(exc, ProblemError):  # pragma: no cover - registered for it
        raise exc
    return problem_response(request, exc.status, exc.detail, invalid_params=exc.invalid_params)


def _query_error(request: Request, exc: Exception) -> JSONResponse:
    """The query layer's errors (app.errors): an unknown sort key or tag is a 422 like any
    other invalid parameter; a cursor that cannot be used is a 400."""
    if not isinstance(exc, QueryError):  # pragma: no cover - registered for it
        raise exc
    status = 422 if isinstance(exc, UnknownSortError | UnknownTagError) else 400
    invalid = [InvalidParam(name=exc.param, reason=reason) for reason in exc.reasons]
    return problem_response(request, status, exc.detail, invalid_params=invalid)


def _database_unavailable(request: Request, exc: Exception) -> JSONResponse:
    if over_budget(exc):
        log.warning("over budget: %s %s", request.method, request.url.path)
        return problem_response(request, 503, OVER_BUDGET, headers={"Retry-After": "1"})
    # The driver's message names hosts and SQL: it goes to the log, never to the client.
    log.warning("database unavailable: %s: %s", type(exc).__name__, str(exc).splitlines()[0])
    return problem_response(request, 503, DATABASE_UNAVAILABLE, headers={"Retry-After": "1"})


def over_budget(exc: Exception) -> bool:
    """The database stopped the request's work: SQLite's progress handler interrupted it, or
    PostgreSQL's statement_timeout cancelled it (SQLSTATE 57014)."""
    orig = getattr(exc, "orig", None)
    if isinstance(orig, sqlite3.OperationalError):
        return str(orig) == "interrupted"
    return getattr(orig, "sqlstate", None) == "57014"


async def send_problem(
    scope: Scope,
    send: Send,
    status: int,
    detail: str,
    headers: Mapping[str, str] | None = None,
) -> None:
    """Answer with a problem document from ASGI middleware, outside any route."""
    response = JSONResponse(
        problem_document(status, detail, scope.get("path")),
        status_code=status,
        media_type=PROBLEM_JSON,
        headers=headers,
    )

    async def no_body() -> Any:  # pragma: no cover - problem responses never read the body
        return {"type": "http.request", "body": b"", "more_body": False}

    await response(scope, no_body, send)


def install(app: FastAPI) -> None:
    """Handlers for the errors routes raise; anything else is caught by
    middleware.UnexpectedErrors (a generic 500 that names no internals)."""
    app.add_exception_handler(StarletteHTTPException, _http_exception)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(ProblemError, _problem_error)
    app.add_exception_handler(QueryError, _query_error)
    for error in (OperationalError, PoolTimeoutError, DisconnectionError):
        app.add_exception_handler(error, _database_unavailable)


def problem_schemas_in_openapi(schema: dict[str, Any]) -> dict[str, Any]:
    """FastAPI documents a response model under the route's media type (application/json,
    application/ld+json, ...); problem documents are served as application/problem+json, so
    move their schema there."""
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            for response in operation.get("responses", {}).values():
                content = response.get("content", {})
                if PROBLEM_JSON not in content:
                    continue
                for media_type in [t for t in content if t != PROBLEM_JSON]:
                    documented = content[media_type].get("schema", {})
                    if documented.get("$ref", "").endswith("/Problem"):
                        content[PROBLEM_JSON] = content.pop(media_type)
    return schema


def responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI entries documenting the problem responses an operation can return."""
    return {
        status: {
            "model": Problem,
            "description": HTTPStatus(status).phrase,
            "content": {PROBLEM_JSON: {}},
        }
        for status in statuses
    }
