"""The tag taxonomy, with usage."""

from functools import partial
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from sqlmodel import Session

from app.deps import SessionDep, TagDep
from app.exports import columns
from app.exports.formats import FormatDep
from app.http.problems import responses
from app.params import CommaList, Cursor, Limit, split_commas
from app.queries import tags
from app.queries.paging import Page
from app.routes import V1_DEPENDENCIES, Listing, json_response, list_or_export
from app.schemas import TagDetail, TagListItem

router = APIRouter(prefix="/v1/tags", tags=["tags"], dependencies=V1_DEPENDENCIES)
Category = Annotated[CommaList | None, Query(description="Tag category(ies).")]


@router.get("", response_model=Page[TagListItem], responses=responses(400, 422))
def list_tags(
    request: Request,
    response: Response,
    session: SessionDep,
    export: FormatDep,
    category: Category = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Response:
    """The tags by slug, with counts of the arguments, responses and experts that use them.
    Paged like every list (the seed's taxonomy fits one page). As CSV or NDJSON:
    /v1/exports/tags."""
    found = tag_listing(session, category)
    return list_or_export(request, response, export, found, limit, cursor)


def tag_listing(session: Session, category: list[str] | None) -> Listing[TagListItem]:
    return Listing("tags", columns.TAGS, partial(tags.tag_page, session, split_commas(category)))


@router.get("/{slug}", response_model=TagDetail, responses=responses(400, 404, 422))
def get_tag(session: SessionDep, tag: TagDep, response: Response) -> Response:
    """A tag, the experts whose arguments carry it, and the tags that co-occur with it on the
    same arguments."""
    return json_response(tags.tag_detail(session, tag), response)
