"""Full-text search across what the experts said."""

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response
from sqlmodel import Session

from app.deps import FiltersDep, SessionDep
from app.exports import columns
from app.exports.formats import FormatDep
from app.filters import ResponseFilters
from app.http.problems import responses
from app.models import SearchKind
from app.params import Cursor, required_text_query, search_kinds
from app.queries import search as queries
from app.routes import V1_DEPENDENCIES, Listing, json_response, set_page_headers
from app.schemas import SearchHit, SearchResults
from app.search.query import SearchQuery

router = APIRouter(prefix="/v1", tags=["search"], dependencies=V1_DEPENDENCIES)
QueryDep = Annotated[SearchQuery, Depends(required_text_query)]
KindsDep = Annotated[tuple[SearchKind, ...], Depends(search_kinds)]


@router.get("/search", response_model=SearchResults, responses=responses(400, 422))
def search(
    request: Request,
    response: Response,
    session: SessionDep,
    query: QueryDep,
    filters: FiltersDep,
    kinds: KindsDep,
    export: FormatDep,
    limit: Annotated[int, Query(ge=1, le=100, description="Page size, 1 to 100.")] = 20,
    cursor: Cursor = None,
) -> Response:
    """Ranked hits across the experts' answers, their arguments, and article titles and deks,
    each with its article, expert and stance and a highlighted snippet. Query language:
    words, "phrases", prefix*, AND, OR, NOT, parentheses (docs/api.md#search). Filters are
    those of /v1/responses; `tag` matches an argument's own tags, an answer's arguments' tags.
    Malformed queries are a 422 naming the fault. Every hit as CSV or NDJSON:
    /v1/exports/search."""
    if export != "json":
        return search_listing(session, query, filters, kinds).download(export, cursor, response)
    items, page = queries.search(session, query, filters, kinds, limit=limit, cursor=cursor)
    set_page_headers(request, response, page)
    results = SearchResults.model_construct(
        query=query.canonical,
        items=items,
        total=page.total,
        next_cursor=page.next_cursor,
        truncated=page.truncated,
    )
    return json_response(results, response)


def search_listing(
    session: Session, query: SearchQuery, filters: ResponseFilters, kinds: tuple[SearchKind, ...]
) -> Listing[SearchHit]:
    """Every hit, best first, in batches (the export; the JSON page is `queries.search`)."""
    return Listing(
        "search", columns.SEARCH_HITS, queries.RankedHits(session, query, filters, kinds)
    )
