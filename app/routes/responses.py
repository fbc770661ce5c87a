"""Responses and arguments: filter, sort, page and facet the experts' answers."""

from dataclasses import replace
from functools import partial
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response
from sqlmodel import Session

from app.deps import FiltersDep, SessionDep
from app.exports import columns
from app.exports.formats import FormatDep
from app.filters import ResponseFilters
from app.http.problems import responses
from app.models import ArgumentKind
from app.params import (
    Cursor,
    Facets,
    Limit,
    argument_kinds,
    choose_facets,
    optional_text_query,
)
from app.queries import responses as queries
from app.queries.paging import Page
from app.routes import V1_DEPENDENCIES, Listing, list_or_export
from app.schemas import ArgumentItem, ResponseItem
from app.search.query import SearchQuery

router = APIRouter(prefix="/v1", dependencies=V1_DEPENDENCIES)
TextDep = Annotated[SearchQuery | None, Depends(optional_text_query)]
KindDep = Annotated[tuple[ArgumentKind, ...], Depends(argument_kinds)]
ResponseSort = Annotated[
    str,
    Query(
        max_length=200,
        description="Comma-separated keys from: "
        + ", ".join(queries.RESPONSE_SORTS)
        + "; '-' for descending.",
    ),
]
ArgumentSort = Annotated[
    str,
    Query(
        max_length=200,
        description="Comma-separated keys from: "
        + ", ".join(queries.ARGUMENT_SORTS)
        + "; '-' for descending.",
    ),
]
RESPONSE_ORDER = "-published_on,article,position"
ARGUMENT_ORDER = "-published_on,article,response_position,position"


@router.get(
    "/responses",
    response_model=Page[ResponseItem],
    responses=responses(400, 422),
    tags=["responses"],
)
def list_responses(
    request: Request,
    response: Response,
    session: SessionDep,
    filters: FiltersDep,
    text: TextDep,
    export: FormatDep,
    sort: ResponseSort = RESPONSE_ORDER,
    facets: Facets = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Response:
    """Experts' answers across roundups; `q` keeps those whose text matches. Facets (`stance`,
    `tag`, `organization`, `expert`, `article`) count responses over the whole filtered set; a
    response counts once per tag it raises, so tag counts can add up to more than `total`.
    Every matching response as CSV or NDJSON: /v1/exports/responses."""
    filters = replace(filters, text=text)
    names = choose_facets(facets, queries.RESPONSE_FACETS)
    counts = partial(queries.response_facets, session, filters, names) if names else None
    found = response_listing(session, filters, sort)
    return list_or_export(request, response, export, found, limit, cursor, counts)


@router.get(
    "/arguments",
    response_model=Page[ArgumentItem],
    responses=responses(400, 422),
    tags=["arguments"],
)
def list_arguments(
    request: Request,
    response: Response,
    session: SessionDep,
    filters: FiltersDep,
    kind: KindDep,
    text: TextDep,
    export: FormatDep,
    sort: ArgumentSort = ARGUMENT_ORDER,
    facets: Facets = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Response:
    """Arguments, each with its response's expert, article and stance. Filters are those of
    /v1/responses plus `kind`; `tag` matches the argument's own tags, `q` its own text. Facets
    add `kind`. Every matching argument as CSV or NDJSON: /v1/exports/arguments."""
    filters = replace(filters, kind=kind, text=text)
    names = choose_facets(facets, queries.ARGUMENT_FACETS)
    counts = partial(queries.argument_facets, session, filters, names) if names else None
    found = argument_listing(session, filters, sort)
    return list_or_export(request, response, export, found, limit, cursor, counts)


def response_listing(
    session: Session, filters: ResponseFilters, sort: str
) -> Listing[ResponseItem]:
    fetch = partial(queries.list_responses, session, filters, sort)
    return Listing.of_plain("responses", columns.RESPONSES, ResponseItem, fetch)


def argument_listing(
    session: Session, filters: ResponseFilters, sort: str
) -> Listing[ArgumentItem]:
    fetch = partial(queries.list_arguments, session, filters, sort)
    return Listing.of_plain("arguments", columns.ARGUMENTS, ArgumentItem, fetch)
