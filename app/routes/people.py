"""Experts and organizations."""

from functools import partial
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from sqlmodel import Session

from app.deps import ExpertDep, OrganizationDep, SessionDep
from app.exports import columns
from app.exports.formats import FormatDep
from app.http.problems import responses
from app.params import CommaList, Cursor, Limit, split_commas
from app.queries import people
from app.queries.paging import Page
from app.routes import V1_DEPENDENCIES, Listing, json_response, list_or_export
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
    found = expert_listing(session, organization, sort)
    return list_or_export(request, response, export, found, limit, cursor)


def expert_listing(
    session: Session, organization: list[str] | None, sort: str
) -> Listing[ExpertListItem]:
    fetch = partial(people.list_experts, session, split_commas(organization), sort)
    return Listing("experts", columns.EXPERTS, fetch)


@router.get(
    "/experts/{slug}",
    response_model=ExpertDetail,
    responses=responses(400, 404, 422),
    tags=["experts"],
)
def get_expert(session: SessionDep, expert: ExpertDep, response: Response) -> Response:
    """An expert's affiliation history as printed (oldest first) and every answer, with stance."""
    return json_response(people.expert_detail(session, expert), response)


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
    found = organization_listing(session, kind, sort)
    return list_or_export(request, response, export, found, limit, cursor)


def organization_listing(
    session: Session, kind: list[str] | None, sort: str
) -> Listing[OrganizationListItem]:
    fetch = partial(people.list_organizations, session, split_commas(kind), sort)
    return Listing("organizations", columns.ORGANIZATIONS, fetch)


@router.get(
    "/organizations/{slug}",
    response_model=OrganizationDetail,
    responses=responses(400, 404, 422),
    tags=["organizations"],
)
def get_organization(
    session: SessionDep, organization: OrganizationDep, response: Response
) -> Response:
    """An organization with its parent and units, and the experts printed with it or its units
    (their roles as printed)."""
    return json_response(people.organization_detail(session, organization), response)
