"""The lists as downloads: every matching row as CSV or NDJSON, one operation per list.

Separate from the JSON lists so that each operation has one response type: generated clients
get plain page types for the lists and a text body here."""

from dataclasses import replace
from functools import partial

from fastapi import APIRouter, Response
from fastapi.responses import StreamingResponse

from app.deps import FiltersDep, SessionDep
from app.exports import columns
from app.exports.formats import EXPORT_RESPONSES, DownloadDep, as_models, export_list
from app.http.problems import responses
from app.params import Cursor, split_commas
from app.queries import articles, people, search, tags
from app.queries import responses as answers
from app.routes import V1_DEPENDENCIES
from app.routes.articles import ArticleSort, PublishedFrom, PublishedTo, Series
from app.routes.people import ExpertOrganization, ExpertSort, OrganizationKind, OrganizationSort
from app.routes.responses import (
    ARGUMENT_ORDER,
    RESPONSE_ORDER,
    ArgumentSort,
    KindDep,
    ResponseSort,
    TextDep,
)
from app.routes.search import KindsDep, QueryDep
from app.routes.tags import Category
from app.schemas import ArgumentItem, ArticleListItem, ResponseItem

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
    fetch = partial(
        articles.list_articles,
        session,
        series=split_commas(series),
        published_from=published_from,
        published_to=published_to,
        sort=sort,
    )
    models = as_models(ArticleListItem, fetch)
    return export_list(export, "articles", columns.ARTICLES, models, cursor, response)


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
    fetch = partial(people.list_experts, session, split_commas(organization), sort)
    return export_list(export, "experts", columns.EXPERTS, fetch, cursor, response)


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
    fetch = partial(people.list_organizations, session, split_commas(kind), sort)
    return export_list(export, "organizations", columns.ORGANIZATIONS, fetch, cursor, response)


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
    fetch = partial(answers.list_responses, session, replace(filters, text=text), sort)
    models = as_models(ResponseItem, fetch)
    return export_list(export, "responses", columns.RESPONSES, models, cursor, response)


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
    filters = replace(filters, kind=kind, text=text)
    fetch = partial(answers.list_arguments, session, filters, sort)
    models = as_models(ArgumentItem, fetch)
    return export_list(export, "arguments", columns.ARGUMENTS, models, cursor, response)


@router.get("/tags")
def export_tags(
    response: Response,
    session: SessionDep,
    export: DownloadDep,
    category: Category = None,
    cursor: Cursor = None,
) -> StreamingResponse:
    """Every tag /v1/tags matches, with its usage counts, as CSV or NDJSON."""
    fetch = partial(tags.tag_page, session, split_commas(category))
    return export_list(export, "tags", columns.TAGS, fetch, cursor, response)


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
    every_hit = search.RankedHits(session, query, filters, kinds)
    return export_list(export, "search", columns.SEARCH_HITS, every_hit, cursor, response)
