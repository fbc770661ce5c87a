"""The tag taxonomy, with usage."""

from typing import Annotated

from fastapi import APIRouter, Query, Response
from fastapi.responses import StreamingResponse

from app.deps import SessionDep, TagDep
from app.exports import columns
from app.exports.formats import EXPORTABLE, FormatDep, export_list
from app.listing import Page
from app.params import CommaList, split_commas
from app.problems import responses
from app.queries import tags
from app.queries.paging import IdPage
from app.routes import V1_DEPENDENCIES
from app.schemas import TagDetail, TagListItem

router = APIRouter(prefix="/v1/tags", tags=["tags"], dependencies=V1_DEPENDENCIES)


@router.get("", response_model=Page[TagListItem], responses={**responses(400, 422), **EXPORTABLE})
def list_tags(
    response: Response,
    session: SessionDep,
    export: FormatDep,
    category: Annotated[CommaList | None, Query(description="Tag category(ies).")] = None,
) -> Page[TagListItem] | StreamingResponse:
    """Every tag (one page: the taxonomy is small), with counts of the arguments, responses and
    experts that use it. `format=csv|ndjson` downloads them."""
    items = tags.list_tags(session, split_commas(category))
    if export != "json":
        page = IdPage(ids=[], total=len(items), next_cursor=None)
        return export_list(export, "tags", columns.TAGS, lambda **_: (items, page), None, response)
    response.headers["X-Total-Count"] = str(len(items))
    return Page(items=items, total=len(items), next_cursor=None)


@router.get("/{slug}", response_model=TagDetail, responses=responses(400, 404, 422))
def get_tag(session: SessionDep, tag: TagDep) -> TagDetail:
    """A tag, the experts whose arguments carry it, and the tags that co-occur with it on the
    same arguments."""
    return tags.tag_detail(session, tag)
