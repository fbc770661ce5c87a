"""Liveness, readiness, and what is loaded."""

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.exc import SQLAlchemyError

from app.deps import SessionDep
from app.http.negotiation import require_acceptable
from app.http.problems import problem_response, responses
from app.params import reject_unknown_params
from app.queries import meta as queries
from app.routes import V1_DEPENDENCIES, json_response
from app.schemas import Meta

router = APIRouter(
    tags=["health"], dependencies=[Depends(reject_unknown_params), Depends(require_acceptable)]
)
meta_router = APIRouter(prefix="/v1", tags=["meta"], dependencies=V1_DEPENDENCIES)


class Health(BaseModel):
    status: str


class Ready(BaseModel):
    status: str
    schema_revision: str
    articles: int


@router.get("/healthz", response_model=Health)
def healthz() -> Health:
    """The process is up (it does not touch the database)."""
    return Health(status="ok")


@router.get("/readyz", response_model=Ready, responses=responses(503))
def readyz(request: Request, session: SessionDep) -> Ready | JSONResponse:
    """Ready to serve: the database answers, is migrated to this code's revision, and holds
    at least one roundup. 503 otherwise."""
    try:
        queries.ping(session)
        revision = queries.schema_revision(session)
        articles = queries.meta(session).counts["articles"] if revision else 0
    except SQLAlchemyError:
        return problem_response(request, 503, "The database is not reachable.")
    head = queries.head_revision()
    if revision != head:
        return problem_response(
            request, 503, f"The database schema is at {revision!r}, not {head!r}."
        )
    if articles == 0:
        return problem_response(request, 503, "No roundup is loaded yet.")
    return Ready(status="ready", schema_revision=revision, articles=articles)


@meta_router.get("/meta", response_model=Meta, responses=responses(400))
def get_meta(session: SessionDep, response: Response) -> Response:
    """API version, schema revision, data version, counts, last load time and source hashes."""
    return json_response(queries.meta(session), response)
