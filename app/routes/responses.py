"""Responses and arguments: filter, sort, page and facet the experts' answers."""

from dataclasses import replace
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response

from app.deps import SessionDep
from app.filters import ResponseFilters
from app.listing import Page
from app.models import ArgumentKind
from app.params import Cursor, Facets, Limit, argument_kinds, choose_facets, response_filters
from app.problems import responses
from app.queries import responses as queries
from app.routes import V1_DEPENDENCIES, set_page_headers
from app.schemas import ArgumentItem, ResponseItem

router = APIRouter(prefix="/v1", tags=["responses"], dependencies=V1_DEPENDENCIES)
FiltersDep = Annotated[ResponseFilters, Depends(response_filters)]


@router.get("/responses", response_model=Page[ResponseItem], responses=responses(400, 422))
def list_responses(
    request: Request,
    response: Response,
    session: SessionDep,
    filters: FiltersDep,
    sort: Annotated[
        str,
        Query(
            max_length=200,
            description="Comma-separated keys from: "
            + ", ".join(queries.RESPONSE_SORTS)
            + "; '-' for descending.",
        ),
    ] = "-published_on,article,position",
    facets: Facets = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[ResponseItem]:
    """Experts' answers across roundups. Facets (`stance`, `tag`, `organization`, `expert`,
    `article`) count responses over the whole filtered set; a response counts once per tag
    it raises, so tag counts can add up to more than `total`."""
    names = choose_facets(facets, queries.RESPONSE_FACETS)
    items, page = queries.list_responses(session, filters, sort, limit, cursor)
    set_page_headers(request, response, page)
    return Page(
        items=items,
        total=page.total,
        next_cursor=page.next_cursor,
        facets=queries.response_facets(session, filters, names) if names else None,
    )


@router.get("/arguments", response_model=Page[ArgumentItem], responses=responses(400, 422))
def list_arguments(
    request: Request,
    response: Response,
    session: SessionDep,
    filters: FiltersDep,
    kind: Annotated[tuple[ArgumentKind, ...], Depends(argument_kinds)],
    sort: Annotated[
        str,
        Query(
            max_length=200,
            description="Comma-separated keys from: "
            + ", ".join(queries.ARGUMENT_SORTS)
            + "; '-' for descending.",
        ),
    ] = "-published_on,article,response_position,position",
    facets: Facets = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[ArgumentItem]:
    """Arguments, each with its response's expert, article and stance. Filters are those of
    /v1/responses plus `kind`; `tag` matches the argument's own tags. Facets add `kind`."""
    filters = replace(filters, kind=kind)
    names = choose_facets(facets, queries.ARGUMENT_FACETS)
    items, page = queries.list_arguments(session, filters, sort, limit, cursor)
    set_page_headers(request, response, page)
    return Page(
        items=items,
        total=page.total,
        next_cursor=page.next_cursor,
        facets=queries.argument_facets(session, filters, names) if names else None,
    )
