"""One router per resource; every /v1 route rejects unknown parameters and answers 304s."""

from collections.abc import Sequence
from typing import Any

from fastapi import Depends, Request, Response
from pydantic import BaseModel
from pydantic_core import to_json

from app.http.conditional import conditional_get
from app.http.negotiation import require_acceptable
from app.http.urls import public_url
from app.params import reject_unknown_params
from app.queries.paging import IdPage
from app.schemas import FacetValue

V1_DEPENDENCIES = [
    Depends(reject_unknown_params),
    Depends(require_acceptable),
    Depends(conditional_get),
]


def page_response(
    request: Request,
    response: Response,
    items: Sequence[BaseModel] | Sequence[dict[str, Any]],
    page: IdPage,
    facets: dict[str, list[FacetValue]] | None = None,
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
