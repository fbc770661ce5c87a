"""Whole-roundup documents for other tools: AIF, schema.org JSON-LD, and the full dump."""

from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse

from app.deps import ArticleDep, SessionDep
from app.exports import dump, jsonld
from app.exports.aif import to_aif
from app.exports.formats import carried_headers
from app.negotiation import preferred
from app.problems import responses
from app.queries import articles, people
from app.queries import dump as records
from app.queries.meta import data_state
from app.routes import V1_DEPENDENCIES
from app.schemas import AifDocument
from app.urls import public_base

router = APIRouter(prefix="/v1", tags=["exports"], dependencies=V1_DEPENDENCIES)
OCTET_STREAM = "application/octet-stream"


class JSONLDResponse(JSONResponse):
    media_type = jsonld.MEDIA_TYPE


@router.get("/articles/{slug}/aif", response_model=AifDocument, responses=responses(400, 404, 422))
def article_aif(session: SessionDep, article: ArticleDep) -> AifDocument:
    """The roundup as an Argument Interchange Format nodeset (AIFdb JSON: nodes, edges,
    locutions, participants) that AIF tools such as OVA can load: I-nodes for the question,
    each stance and each argument, RA nodes from each argument to the stance it supports,
    L-nodes and participants for the experts. Mapping: docs/api.md#aif."""
    return to_aif(articles.article_detail(session, article))


@router.get(
    "/articles/{slug}/jsonld",
    response_class=JSONLDResponse,
    responses={
        200: {"description": "schema.org JSON-LD", "content": {jsonld.MEDIA_TYPE: {}}},
        **responses(400, 404, 422),
    },
)
def article_jsonld(request: Request, session: SessionDep, article: ArticleDep) -> Any:
    """The roundup as schema.org JSON-LD: an Article whose mainEntity is the Question, with
    each expert's Answer (author: Person, affiliation: Organization) and the answer's
    arguments as Claims. Mapping: docs/api.md#json-ld."""
    detail = articles.article_detail(session, article)
    publisher = people.organization_slug_by_name(session, detail.publisher)
    return jsonld.to_jsonld(detail, public_base(request) + "/", publisher)


@router.get(
    "/dump",
    response_class=Response,
    responses={
        200: {
            "description": "gzipped JSON Lines",
            "content": {dump.MEDIA_TYPE: {}, OCTET_STREAM: {}},
        },
        **responses(400),
    },
)
def download_dump(request: Request, response: Response, session: SessionDep) -> Response:
    """The whole dataset as one gzipped JSON Lines file: a `dump` record (format, data
    version, counts, SHA-256 of the lines after it, license and attribution), then every
    organization, tag, expert, article, response and argument. `Repr-Digest` carries the
    SHA-256 of the file. Format: docs/api.md#dump."""
    state = data_state(session)
    built = dump.build_dump(
        records.records(session),
        state.version if state else None,
        state.changed_at if state else None,
    )
    # The same bytes; a client that asks for application/octet-stream gets that label.
    media_type = preferred(request.headers.get("accept"), (dump.MEDIA_TYPE, OCTET_STREAM))
    return Response(
        content=built.content,
        media_type=media_type or dump.MEDIA_TYPE,
        headers={
            **carried_headers(response),
            "Content-Disposition": f'attachment; filename="{dump.FILENAME}"',
            "Repr-Digest": built.repr_digest,
        },
    )
