"""The lists as downloads: every matching row as CSV or NDJSON, one operation per list.

Separate from the JSON lists so that each operation has one response type: generated clients
get plain page types for the lists and a text body here."""

from dataclasses import replace

from fastapi import APIRouter, Response
from fastapi.responses import StreamingResponse

from app.deps import FiltersDep, SessionDep
from app.exports.formats import EXPORT_RESPONSES, DownloadDep
from app.http.problems import responses
from app.params import Cursor
from app.routes import V1_DEPENDENCIES
from app.routes.articles import ArticleSort, PublishedFrom, PublishedTo, Series, article_listing
from app.routes.people import (
    ExpertOrganization,
    ExpertSort,
    OrganizationKind,
    OrganizationSort,
    expert_listing,
    organization_listing,
)
from app.routes.responses import (
    ARGUMENT_ORDER,
    RESPONSE_ORDER,
    ArgumentSort,
    KindDep,
    ResponseSort,
    TextDep,
    argument_listing,
    response_listing,
)
from app.routes.search import KindsDep, QueryDep, search_listing
from app.routes.tags import Category, tag_listing

router = APIRouter(
    prefix="/v1/exports",
    tags=["exports"],
    dependencies=V1_DEPENDENCIES,
    responses={**EXPORT_RESPONSES, **responses(400, 422)},
    default_response_class=StreamingResponse,
)


@router.get("/articles")
def export_articles(
    response: Response,
    session: SessionDep,
    export: DownloadDep,
    series: Series = None,
    published_from: PublishedFrom = None,
    published_to: PublishedTo = None,
    sort: ArticleSort = "-published_on,slug",
    cursor: Cursor = None,
) -> StreamingResponse:
    """Every article /v1/articles matches, in its order, as CSV or NDJSON."""
    found = article_listing(session, series, published_from, published_to, sort)
    return found.download(export, cursor, response)


@router.get("/experts")
def export_experts(
    response: Response,
    session: SessionDep,
    export: DownloadDep,
    organization: ExpertOrganization = None,
    sort: ExpertSort = "name",
    cursor: Cursor = None,
) -> StreamingResponse:
    """Every expert /v1/experts matches, as CSV or NDJSON."""
    return expert_listing(session, organization, sort).download(export, cursor, response)


@router.get("/organizations")
def export_organizations(
    response: Response,
    session: SessionDep,
    export: DownloadDep,
    kind: OrganizationKind = None,
    sort: OrganizationSort = "name",
    cursor: Cursor = None,
) -> StreamingResponse:
    """Every organization /v1/organizations matches, as CSV or NDJSON."""
    return organization_listing(session, kind, sort).download(export, cursor, response)


@router.get("/responses")
def export_responses(
    response: Response,
    session: SessionDep,
    filters: FiltersDep,
    text: TextDep,
    export: DownloadDep,
    sort: ResponseSort = RESPONSE_ORDER,
    cursor: Cursor = None,
) -> StreamingResponse:
    """Every response /v1/responses matches, as CSV or NDJSON."""
    found = response_listing(session, replace(filters, text=text), sort)
    return found.download(export, cursor, response)


@router.get("/arguments")
def export_arguments(
    response: Response,
    session: SessionDep,
    filters: FiltersDep,
    kind: KindDep,
    text: TextDep,
    export: DownloadDep,
    sort: ArgumentSort = ARGUMENT_ORDER,
    cursor: Cursor = None,
) -> StreamingResponse:
    """Every argument /v1/arguments matches, as CSV or NDJSON."""
    found = argument_listing(session, replace(filters, kind=kind, text=text), sort)
    return found.download(export, cursor, response)


@router.get("/tags")
def export_tags(
    response: Response,
    session: SessionDep,
    export: DownloadDep,
    category: Category = None,
    cursor: Cursor = None,
) -> StreamingResponse:
    """Every tag /v1/tags matches, with its usage counts, as CSV or NDJSON."""
    return tag_listing(session, category).download(export, cursor, response)


@router.get("/search")
def export_search(
    response: Response,
    session: SessionDep,
    query: QueryDep,
    filters: FiltersDep,
    kinds: KindsDep,
    export: DownloadDep,
    cursor: Cursor = None,
) -> StreamingResponse:
    """Every hit /v1/search finds, best first (of the 10,000 most recently indexed matches at
    most, as in the JSON search), as CSV or NDJSON."""
    return search_listing(session, query, filters, kinds).download(export, cursor, response)
