"""Experts and organizations."""

from functools import partial
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from app.deps import ExpertDep, OrganizationDep, SessionDep
from app.exports import columns
from app.exports.formats import FormatDep, export_list
from app.http.problems import responses
from app.params import CommaList, Cursor, Limit, split_commas
from app.queries import people
from app.queries.paging import Page
from app.routes import V1_DEPENDENCIES, page_response
from app.schemas import ExpertDetail, ExpertListItem, OrganizationDetail, OrganizationListItem

router = APIRouter(prefix="/v1", dependencies=V1_DEPENDENCIES)
ExpertOrganization = Annotated[
    CommaList | None,
    Query(description="Experts ever printed with this organization or its units."),
]
ExpertSort = Annotated[
    str, Query(max_length=200, description="Keys from: name, slug; '-' for descending.")
]
OrganizationKind = Annotated[
    CommaList | None,
    Query(description="Kind(s): university, think_tank, research_unit, government, ..."),
]
OrganizationSort = Annotated[
    str,
    Query(max_length=200, description="Keys from: name, slug, kind; '-' for descending."),
]


@router.get(
    "/experts",
    response_model=Page[ExpertListItem],
    responses=responses(400, 422),
    tags=["experts"],
)
def list_experts(
    request: Request,
    response: Response,
    session: SessionDep,
    export: FormatDep,
    organization: ExpertOrganization = None,
    sort: ExpertSort = "name",
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Response:
    """Every expert, with how many answers they have given. All of them as CSV or NDJSON:
    /v1/exports/experts."""
    fetch = partial(people.list_experts, session, split_commas(organization), sort)
    if export != "json":
        return export_list(export, "experts", columns.EXPERTS, fetch, cursor, response)
    items, page = fetch(limit=limit, cursor=cursor)
    return page_response(request, response, items, page)


@router.get(
    "/experts/{slug}",
    response_model=ExpertDetail,
    responses=responses(400, 404, 422),
    tags=["experts"],
)
def get_expert(session: SessionDep, expert: ExpertDep) -> ExpertDetail:
    """An expert's affiliation history as printed (oldest first) and every answer, with stance."""
    return people.expert_detail(session, expert)


@router.get(
    "/organizations",
    response_model=Page[OrganizationListItem],
    responses=responses(400, 422),
    tags=["organizations"],
)
def list_organizations(
    request: Request,
    response: Response,
    session: SessionDep,
    export: FormatDep,
    kind: OrganizationKind = None,
    sort: OrganizationSort = "name",
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Response:
    """Organizations from the curated gazetteer and the affiliation lines. All of them as CSV
    or NDJSON: /v1/exports/organizations."""
    fetch = partial(people.list_organizations, session, split_commas(kind), sort)
    if export != "json":
        return export_list(export, "organizations", columns.ORGANIZATIONS, fetch, cursor, response)
    items, page = fetch(limit=limit, cursor=cursor)
    return page_response(request, response, items, page)


@router.get(
    "/organizations/{slug}",
    response_model=OrganizationDetail,
    responses=responses(400, 404, 422),
    tags=["organizations"],
)
def get_organization(session: SessionDep, organization: OrganizationDep) -> OrganizationDetail:
    """An organization with its parent and units, and the experts printed with it or its units
    (their roles as printed)."""
    return people.organization_detail(session, organization)
