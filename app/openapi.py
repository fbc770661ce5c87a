"""OpenAPI 3.1 for generated clients: stable operation ids, enum-typed filters, the response
headers and 304s, and a realistic example per operation, taken from the seed roundup.

The examples live in app/openapi_examples.json; `roundup examples` (`make examples`)
regenerates them from a freshly seeded database (app/examples.py), and a test fails when they
drift from what the API returns.
"""

import hashlib
import json
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute

from app.exports import dump, jsonld
from app.http import problems
from app.http.conditional import matched_etag

EXAMPLES_FILE = Path(__file__).with_name("openapi_examples.json")
LICENSE = {
    "name": "MIT (code and annotations; quoted texts: their publishers)",
    "identifier": "MIT",
}
SERVERS = [{"url": "/", "description": "The deployment that serves this document."}]
TAGS = [
    {"name": "articles", "description": "The roundups."},
    {"name": "experts", "description": "The experts and what they answered."},
    {"name": "organizations", "description": "The organizations the experts were printed with."},
    {"name": "responses", "description": "The experts' answers, filtered, sorted and faceted."},
    {"name": "arguments", "description": "The tagged arguments within the answers."},
    {"name": "tags", "description": "The tag taxonomy."},
    {"name": "search", "description": "Full-text search."},
    {"name": "summaries", "description": "Stance summaries, agreement and corpus statistics."},
    {"name": "exports", "description": "Downloads: CSV, NDJSON, AIF, JSON-LD, the full dump."},
    {"name": "meta", "description": "What is loaded."},
    {"name": "health", "description": "Liveness and readiness probes."},
]
HEADERS: dict[str, dict[str, Any]] = {
    "ETag": {
        "description": "Strong validator of this representation; send it as If-None-Match.",
        "schema": {"type": "string"},
    },
    "Last-Modified": {
        "description": "When the loaded data last changed.",
        "schema": {"type": "string"},
    },
    "Cache-Control": {"description": "How long to reuse it.", "schema": {"type": "string"}},
    "Link": {
        "description": 'The next page, as `<url>; rel="next"`; absent on the last page.',
        "schema": {"type": "string"},
    },
    "X-Total-Count": {
        "description": "How many items match, over all pages.",
        "schema": {"type": "integer"},
    },
    "Content-Disposition": {
        "description": "The download's file name.",
        "schema": {"type": "string"},
    },
    "Repr-Digest": {
        "description": "SHA-256 of the file (RFC 9530), as `sha-256=:<base64>:`.",
        "schema": {"type": "string"},
    },
    "Retry-After": {"description": "Seconds to wait.", "schema": {"type": "integer"}},
}
VALIDATORS = ("ETag", "Last-Modified", "Cache-Control")
PAGED = {
    "/v1/articles",
    "/v1/experts",
    "/v1/organizations",
    "/v1/responses",
    "/v1/arguments",
    "/v1/search",
    "/v1/tags",
}
# Filter parameters whose values are an enum in the components (they also accept
# comma-separated values, which a typed client need not use: it repeats the parameter).
ENUM_PARAMS = {"stance": "Stance", "kind": "ArgumentKind", "type": "SearchKind"}
ENUM_PARAM_PATHS = {
    "kind": ("/v1/arguments", "/v1/exports/arguments"),
    "type": ("/v1/search", "/v1/exports/search"),
}
# Inline enums of parameters, named once in the components (generators name them per
# operation otherwise: ListResponsesTagMatch, ExportTagsFormatType0, ...).
NAMED_PARAM_ENUMS = {"tag_match": "TagMatch", "format": "ExportFormat"}
JSONLD_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "A schema.org Article in JSON-LD (compacted against https://schema.org):"
    " the mapping is in docs/api.md#json-ld.",
    "required": ["@context", "@type", "@id", "headline", "datePublished", "mainEntity"],
    "properties": {
        "@context": {"type": "string", "const": "https://schema.org"},
        "@type": {"type": "string", "const": "Article"},
        "@id": {"type": "string", "format": "uri"},
        "headline": {"type": "string"},
        "description": {"type": "string"},
        "datePublished": {"type": "string", "format": "date"},
        "url": {"type": "string", "format": "uri"},
        "publisher": {"type": "object", "additionalProperties": True},
        "isPartOf": {"type": "object", "additionalProperties": True},
        "contributor": {"type": "array", "items": {"type": "object", "additionalProperties": True}},
        "mainEntity": {"type": "object", "additionalProperties": True},
    },
    "additionalProperties": True,
}


def operation_id(route: APIRoute) -> str:
    """`list_articles` -> `listArticles`: one stable style, from the handler's name."""
    first, *rest = route.name.split("_")
    return first + "".join(word.capitalize() for word in rest)


def json_media_type(content: dict[str, Any]) -> str:
    """The JSON media type an operation documents (application/json, or a +json type)."""
    return next(t for t in content if t == "application/json" or t.endswith("+json"))


def _ref(kind: str, name: str) -> dict[str, str]:
    return {"$ref": f"#/components/{kind}/{name}"}


def _headers(names: list[str]) -> dict[str, Any]:
    return {name: _ref("headers", name) for name in names}


def _describe_operation(path: str, operation: dict[str, Any]) -> None:
    responses = operation["responses"]
    for status in ("429", "503"):
        if status in responses:
            responses[status]["headers"] = _headers(["Retry-After"])
    if not path.startswith("/v1/"):
        return
    names = list(VALIDATORS)
    if path in PAGED:
        names += ["Link", "X-Total-Count"]
    elif path.startswith("/v1/exports/"):
        names += ["Content-Disposition", "X-Total-Count"]
    elif path == "/v1/dump":
        names += ["Content-Disposition", "Repr-Digest"]
    responses["200"]["headers"] = _headers(names)
    responses["304"] = {
        "description": "Not Modified: the representation named by If-None-Match (or not"
        " changed since If-Modified-Since) is still current.",
        "headers": _headers(list(VALIDATORS)),
    }
    for parameter in operation.get("parameters", []):
        enum = ENUM_PARAMS.get(parameter["name"])
        if enum and path in ENUM_PARAM_PATHS.get(parameter["name"], (path,)):
            parameter["schema"] = {"type": "array", "items": _ref("schemas", enum)}


def _plain_parameters(schema: dict[str, Any]) -> None:
    """An optional query parameter is absent, never null (a query string cannot say null):
    `anyOf: [X, null]` becomes X, so generators type it `X | undefined`, not `X | null`; and
    inline enums are named once in the components."""
    components = schema["components"]["schemas"]
    for item in schema["paths"].values():
        for parameter in item["get"].get("parameters", []):
            found = parameter["schema"]
            options = [o for o in found.get("anyOf", []) if o.get("type") != "null"]
            if len(options) == 1 and len(found["anyOf"]) == 2:
                kept = {k: v for k, v in found.items() if k != "anyOf"}
                found = parameter["schema"] = {**options[0], **kept}
            name = NAMED_PARAM_ENUMS.get(parameter["name"])
            if name and "enum" in found:
                components[name] = {"type": "string", "enum": found["enum"], "title": name}
                kept = {k: v for k, v in found.items() if k in ("default", "description")}
                parameter["schema"] = {**_ref("schemas", name), **kept}


def _non_json_bodies(paths: dict[str, Any]) -> None:
    binary = {"schema": {"type": "string", "format": "binary"}}
    for status in ("200", "206"):
        paths["/v1/dump"]["get"]["responses"][status]["content"] = {
            dump.MEDIA_TYPE: binary,
            "application/octet-stream": binary,
        }
    content = paths["/v1/articles/{slug}/jsonld"]["get"]["responses"]["200"]["content"]
    content[jsonld.MEDIA_TYPE]["schema"] = _ref("schemas", "ArticleJsonLd")


def build(app: FastAPI) -> dict[str, Any]:
    schema = get_openapi(
        title=app.title,
        version=app.version,
        summary=app.summary,
        description=app.description,
        routes=app.routes,
        license_info=LICENSE,
        servers=SERVERS,
        tags=TAGS,
    )
    schema = problems.problem_schemas_in_openapi(schema)
    schema["security"] = []
    schema["components"]["schemas"]["ArticleJsonLd"] = JSONLD_SCHEMA
    schema["components"]["headers"] = HEADERS
    _non_json_bodies(schema["paths"])
    _plain_parameters(schema)
    for path, item in schema["paths"].items():
        _describe_operation(path, item["get"])
    examples = json.loads(EXAMPLES_FILE.read_text(encoding="utf-8"))
    for path, example in examples.items():
        operation = schema["paths"].get(path, {}).get("get")
        if operation is not None:
            content = operation["responses"]["200"]["content"]
            content[json_media_type(content)]["example"] = example
    return schema


def install(app: FastAPI, max_age: int) -> None:
    """Replace app.openapi with a cached schema built by `build`, and serve it with an ETag
    (a hash of its bytes), Cache-Control and 304s."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = build(app)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    url = app.openapi_url or "/openapi.json"
    app.router.routes[:] = [r for r in app.router.routes if getattr(r, "path", None) != url]
    rendered: list[tuple[bytes, str]] = []

    @app.get(url, include_in_schema=False)
    def openapi_document(request: Request) -> Response:
        if not rendered:
            body = JSONResponse(openapi()).body
            rendered.append((bytes(body), '"' + hashlib.sha256(body).hexdigest()[:32] + '"'))
        body, etag = rendered[0]
        headers = {
            "ETag": etag,
            "Cache-Control": f"public, max-age={max_age}",
            "Vary": "Accept-Encoding",
        }
        matched = matched_etag(request, etag)
        if matched is not None:
            return Response(status_code=304, headers={**headers, "ETag": matched})
        return Response(body, media_type="application/json", headers=headers)
