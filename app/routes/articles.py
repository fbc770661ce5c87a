"""Articles: the roundups themselves."""

from datetime import date
from functools import partial
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from sqlmodel import Session

from app.deps import SessionDep, Slug, found_or_404
from app.exports import columns
from app.exports.formats import FormatDep
from app.http.problems import responses
from app.params import CommaList, Cursor, Limit, split_commas
from app.queries import articles
from app.queries.paging import Page
from app.routes import V1_DEPENDENCIES, Listing, json_response, list_or_export
from app.schemas import ArticleDetail, ArticleListItem

router = APIRouter(prefix="/v1/articles", tags=["articles"], dependencies=V1_DEPENDENCIES)
Series = Annotated[CommaList | None, Query(description="Series name(s).")]
PublishedFrom = Annotated[date | None, Query(description="Published on or after.")]
PublishedTo = Annotated[date | None, Query(description="Published on or before.")]
ArticleSort = Annotated[
    str,
    Query(
        max_length=200,
        description="Comma-separated keys from: published_on, title, slug; '-' for descending.",
    ),
]


@router.get("", response_model=Page[ArticleListItem], responses=responses(400, 422))
def list_articles(
    request: Request,
    response: Response,
    session: SessionDep,
    export: FormatDep,
    series: Series = None,
    published_from: PublishedFrom = None,
    published_to: PublishedTo = None,
    sort: ArticleSort = "-published_on,slug",
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Response:
    """Roundups, newest first, each with its stance counts (for a stance bar). Every matching
    article as CSV or NDJSON: /v1/exports/articles."""
    found = article_listing(session, series, published_from, published_to, sort)
    return list_or_export(request, response, export, found, limit, cursor)


def article_listing(
    session: Session,
    series: list[str] | None,
    published_from: date | None,
    published_to: date | None,
    sort: str,
) -> Listing[ArticleListItem]:
    fetch = partial(
        articles.list_articles,
        session,
        series=split_commas(series),
        published_from=published_from,
        published_to=published_to,
        sort=sort,
    )
    return Listing.of_plain("articles", columns.ARTICLES, ArticleListItem, fetch)


@router.get("/{slug}", response_model=ArticleDetail, responses=responses(400, 404, 422))
def get_article(session: SessionDep, slug: Slug, response: Response) -> Response:
    """The whole roundup in one response: the article, and each expert's answer in printed
    order with the affiliations as printed, the stance, and the tagged arguments with their
    character spans in the answer body."""
    document = articles.article_document(session, slug)
    return json_response(found_or_404(document, "article", slug), response)
