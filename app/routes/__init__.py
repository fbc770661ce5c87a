"""One router per resource; every /v1 route rejects unknown parameters and answers 304s."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from fastapi import Depends, Request, Response
from fastapi.responses import StreamingResponse
from pydantic import BaseModel
from pydantic_core import to_json

from app.exports.formats import (
    DownloadFormat,
    ExportFormat,
    Fetch,
    PlainFetch,
    as_models,
    export_list,
)
from app.exports.writers import Columns
from app.http.conditional import conditional_get
from app.http.negotiation import require_acceptable
from app.http.urls import public_url
from app.params import max_page_size, reject_unknown_params
from app.queries.paging import IdPage
from app.schemas import FacetValue

V1_DEPENDENCIES = [
    Depends(reject_unknown_params),
    Depends(require_acceptable),
    Depends(conditional_get),
    Depends(max_page_size),
]
Item = TypeVar("Item", bound=BaseModel)
Facets = dict[str, list[FacetValue]]


@dataclass(frozen=True)
class Listing(Generic[Item]):
    """A list query with its filters and sort bound, as the JSON list and its export share it:
    `rows` reads the download's items; `plain`, when set, the JSON page's (plain data, in the
    public model's field order, serialized without a model)."""

    name: str
    columns: Columns[Item]
    rows: Fetch[Item]
    plain: PlainFetch | None = None

    @classmethod
    def of_plain(
        cls, name: str, columns: Columns[Item], model: type[Item], fetch: PlainFetch
    ) -> "Listing[Item]":
        """A list whose query returns plain data: the download validates it into `model`."""
        return cls(name, columns, as_models(model, fetch), fetch)

    def download(
        self, export: DownloadFormat, cursor: str | None, response: Response
    ) -> StreamingResponse:
        """Every row from `cursor` on, as CSV or NDJSON (app.exports.formats.export_list)."""
        return export_list(export, self.name, self.columns, self.rows, cursor, response)


def list_or_export(
    request: Request,
    response: Response,
    export: ExportFormat,
    listing: Listing[Any],
    limit: int,
    cursor: str | None,
    facets: Callable[[], Facets] | None = None,
) -> Response:
    """One page of `listing` in the page envelope (with `facets` counted after the page), or,
    for `format=csv|ndjson` or an Accept header asking for them, every row as a download."""
    if export != "json":
        return listing.download(export, cursor, response)
    fetch = listing.plain or listing.rows
    items, page = fetch(limit=limit, cursor=cursor)
    return page_response(request, response, items, page, facets() if facets else None)


def page_response(
    request: Request,
    response: Response,
    items: Sequence[BaseModel] | Sequence[dict[str, Any]],
    page: IdPage,
    facets: Facets | None = None,
) -> Response:
    """The page envelope of app.queries.paging.Page, serialized once, with the page headers."""
    set_page_headers(request, response, page)
    envelope = {
        "items": items,
        "total": page.total,
        "next_cursor": page.next_cursor,
        "facets": facets,
    }
    return json_response(envelope, response)


def set_page_headers(request: Request, response: Response, page: IdPage) -> None:
    """X-Total-Count, and a Link to the next page when there is one."""
    response.headers["X-Total-Count"] = str(page.total)
    if page.next_cursor is not None:
        next_url = request.url.include_query_params(cursor=page.next_cursor)
        target = public_url(request, next_url.path, next_url.query)
        response.headers["Link"] = f'<{target}>; rel="next"'


def json_response(model: BaseModel | dict[str, Any], response: Response) -> Response:
    """`model` (or a dict holding models) serialized once, with the headers dependencies set on
    `response`: FastAPI would validate a returned model against `response_model` again before
    serializing it."""
    headers = {
        name: value
        for name, value in response.headers.items()
        if name not in ("content-length", "content-type")
    }
    return Response(to_json(model), media_type="application/json", headers=headers)
