"""Whole-roundup documents for other tools: AIF, schema.org JSON-LD, and the full dump."""

import hashlib
import logging
import os
from functools import partial
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import FileResponse, JSONResponse
from sqlalchemy import Engine
from sqlmodel import Session
from starlette.datastructures import Headers
from starlette.responses import MalformedRangeHeader, RangeNotSatisfiable
from starlette.types import Receive, Scope, Send

from app.db import engine_of, reading
from app.deps import ArticleDep, SessionDep, SettingsDep
from app.exports import dump, jsonld
from app.exports.aif import to_aif
from app.exports.dump_cache import DataChangedError, UnsafeFolderError, dump_file
from app.exports.formats import carried_headers
from app.http.negotiation import preferred
from app.http.problems import problem_response, responses, send_problem
from app.http.urls import public_base
from app.queries import articles, people
from app.queries import dump as records
from app.queries.meta import data_state
from app.routes import V1_DEPENDENCIES, json_response
from app.schemas import AifDocument

router = APIRouter(prefix="/v1", tags=["exports"], dependencies=V1_DEPENDENCIES)
OCTET_STREAM = "application/octet-stream"
log = logging.getLogger("roundup")


class JSONLDResponse(JSONResponse):
    media_type = jsonld.MEDIA_TYPE


@router.get("/articles/{slug}/aif", response_model=AifDocument, responses=responses(400, 404, 422))
def article_aif(session: SessionDep, article: ArticleDep, response: Response) -> Response:
    """The roundup as an Argument Interchange Format nodeset (AIFdb JSON: nodes, edges,
    locutions, participants) that AIF tools such as OVA can load: I-nodes for the question,
    each stance and each argument, RA nodes from each argument to the stance it supports,
    L-nodes and participants for the experts. Mapping: docs/api.md#aif."""
    return json_response(to_aif(articles.article_detail(session, article)), response)


@router.get(
    "/articles/{slug}/jsonld",
    response_class=JSONLDResponse,
    responses={
        200: {"description": "schema.org JSON-LD", "content": {jsonld.MEDIA_TYPE: {}}},
        **responses(400, 404, 422),
    },
)
def article_jsonld(request: Request, session: SessionDep, article: ArticleDep) -> Any:
    """The roundup as schema.org JSON-LD: an Article whose mainEntity is the Question, with
    each expert's Answer (author: Person, affiliation: Organization) and the answer's
    arguments as Claims. Mapping: docs/api.md#json-ld."""
    detail = articles.article_detail(session, article)
    publisher = people.organization_slug_by_name(session, detail.publisher)
    return jsonld.to_jsonld(detail, public_base(request) + "/", publisher)


@router.get(
    "/dump",
    response_class=Response,
    responses={
        200: {
            "description": "gzipped JSON Lines",
            "content": {dump.MEDIA_TYPE: {}, OCTET_STREAM: {}},
        },
        206: {
            "description": "the requested byte range",
            "content": {dump.MEDIA_TYPE: {}, OCTET_STREAM: {}},
        },
        **responses(400, 416),
    },
)
def download_dump(
    request: Request, response: Response, session: SessionDep, settings: SettingsDep
) -> Response:
    """The whole dataset as one gzipped JSON Lines file: a `dump` record (format, data
    version, counts, SHA-256 of the lines after it, license and attribution), then every
    organization, tag, expert, article, response and argument. `Repr-Digest` carries the
    SHA-256 of the file. Built once per data version and served as a file: `Range` requests
    resume a download (206; 416 past the end). While the file of a new version is being
    built, a 503 with Retry-After. Format: docs/api.md#dump."""
    state = data_state(session)
    engine = engine_of(session)
    # One folder per database, so that deployments sharing a directory never meet.
    database = hashlib.sha256(str(engine.url).encode()).hexdigest()[:16]
    try:
        found = dump_file(
            settings.dump_cache_dir,
            database,
            state.version if state else "empty",
            partial(_build_dump, reading(engine), state.version if state else None),
            settings.request_timeout_s / 2,
        )
    except UnsafeFolderError as error:
        log.error("dump not served: ROUNDUP_DUMP_CACHE_DIR is not private: %s", error)
        return problem_response(request, 503, DUMP_FOLDER_UNSAFE)
    if found is None:
        return problem_response(request, 503, DUMP_BUILDING, headers={"Retry-After": "10"})
    # The same bytes; a client that asks for application/octet-stream gets that label.
    media_type = preferred(request.headers.get("accept"), (dump.MEDIA_TYPE, OCTET_STREAM))
    return DumpResponse(
        found.path,
        media_type=media_type or dump.MEDIA_TYPE,
        headers={
            **carried_headers(response),
            "Content-Disposition": f'attachment; filename="{dump.FILENAME}"',
            "Repr-Digest": dump.repr_digest(found.sha256),
        },
    )


DUMP_BUILDING = "The dump of the current data is being built; try again shortly."
DUMP_FOLDER_UNSAFE = "The dump cannot be served: its cache folder is not private to the server."


def _build_dump(engine: Engine, version: str | None, path: Path) -> str:
    """Write the dump of `version` to `path` from a snapshot of its own (no request budget:
    it runs in the background, once per version); returns the file's SHA-256."""
    with Session(engine) as session, path.open("wb") as out:
        state = data_state(session)
        if (state.version if state else None) != version:
            raise DataChangedError(version)
        return dump.write_dump(
            records.records(session), version, state.changed_at if state else None, out
        )


class DumpResponse(FileResponse):
    """A file response whose unsatisfiable ranges are problem documents, like every error."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        wanted = Headers(scope=scope).get("range")
        if wanted is not None:
            try:
                self._parse_range_header(wanted, os.stat(self.path).st_size)
            except RangeNotSatisfiable as unsatisfiable:
                await send_problem(
                    scope,
                    send,
                    416,
                    "The range starts past the end of the file.",
                    headers={"Content-Range": f"bytes */{unsatisfiable.max_size}"},
                )
                return
            except MalformedRangeHeader:
                pass  # served whole, as FileResponse does
        await super().__call__(scope, receive, send)
