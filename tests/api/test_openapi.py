"""The OpenAPI examples are real: each equals what the API returns for the seed roundup."""

import json
import re
from typing import Any

from fastapi.testclient import TestClient

from app.examples import EXAMPLE_REQUESTS, collect_examples
from app.openapi import EXAMPLES_FILE, json_media_type


def test_examples_match_live_responses(client: TestClient) -> None:
    stored = json.loads(EXAMPLES_FILE.read_text(encoding="utf-8"))
    live = collect_examples(lambda url: client.get(url).json())
    # On a mismatch, run `make examples` and review the diff.
    assert live == stored


def test_every_json_operation_has_an_example(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    stored = json.loads(EXAMPLES_FILE.read_text(encoding="utf-8"))
    for path, item in spec["paths"].items():
        content = item["get"]["responses"]["200"]["content"]
        if any(t == "application/json" or t.endswith("+json") for t in content):
            assert path in EXAMPLE_REQUESTS, path
            assert content[json_media_type(content)]["example"] == stored[path], path
        elif path == "/v1/dump":
            binary = {"schema": {"type": "string", "format": "binary"}}
            assert content == {"application/gzip": binary, "application/octet-stream": binary}
        else:
            assert path.startswith("/v1/exports/"), path
            text = {"schema": {"type": "string"}}
            assert content == {"text/csv": text, "application/x-ndjson": text}, path


def test_the_document_is_ready_for_generators(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    assert spec["servers"] == [
        {"url": "/", "description": "The deployment that serves this document."}
    ]
    assert spec["info"]["license"]["identifier"] == "MIT"
    assert spec["security"] == []
    assert "testserver" not in json.dumps(spec)
    operations = {path: item["get"] for path, item in spec["paths"].items()}
    ids = [operation["operationId"] for operation in operations.values()]
    assert len(set(ids)) == len(ids)
    assert all(re.fullmatch(r"[a-z]+(?:[A-Z][a-z]*)*", name) for name in ids), ids
    assert operations["/v1/articles"]["operationId"] == "listArticles"
    assert operations["/v1/exports/arguments"]["operationId"] == "exportArguments"
    assert {path: op["tags"] for path, op in operations.items() if len(op["tags"]) != 1} == {}
    assert operations["/v1/arguments"]["tags"] == ["arguments"]
    declared = {tag["name"] for tag in spec["tags"]}
    assert {op["tags"][0] for op in operations.values()} == declared


def test_every_v1_operation_declares_its_304_and_headers(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    for path, item in spec["paths"].items():
        responses = item["get"]["responses"]
        if not path.startswith("/v1/"):
            assert "304" not in responses, path
            continue
        assert set(responses["304"]["headers"]) == {"ETag", "Last-Modified", "Cache-Control"}
        headers = set(responses["200"]["headers"])
        assert {"ETag", "Last-Modified", "Cache-Control"} <= headers, path
        if path.startswith("/v1/exports/"):
            assert headers >= {"Content-Disposition", "X-Total-Count"}, path
        if item["get"]["operationId"].startswith("list") or path == "/v1/search":
            assert headers >= {"Link", "X-Total-Count"}, path
    dump = spec["paths"]["/v1/dump"]["get"]["responses"]["200"]["headers"]
    assert set(dump) >= {"Content-Disposition", "Repr-Digest"}
    assert set(spec["components"]["headers"]) == {
        "ETag",
        "Last-Modified",
        "Cache-Control",
        "Link",
        "X-Total-Count",
        "Content-Disposition",
        "Repr-Digest",
        "Retry-After",
    }


def test_lists_are_plain_pages_and_filters_are_enums(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    articles = spec["paths"]["/v1/articles"]["get"]
    assert list(articles["responses"]["200"]["content"]) == ["application/json"]
    assert "format" not in {p["name"] for p in articles["parameters"]}

    def schema(path: str, name: str) -> dict[str, Any]:
        parameters = spec["paths"][path]["get"]["parameters"]
        found: dict[str, Any] = next(p for p in parameters if p["name"] == name)["schema"]
        return found

    for path, name, enum in [
        ("/v1/responses", "stance", "Stance"),
        ("/v1/arguments", "kind", "ArgumentKind"),
        ("/v1/search", "type", "SearchKind"),
        ("/v1/exports/responses", "stance", "Stance"),
    ]:
        assert schema(path, name) == {
            "type": "array",
            "items": {"$ref": f"#/components/schemas/{enum}"},
        }
    assert schema("/v1/exports/tags", "format")["$ref"] == "#/components/schemas/ExportFormat"
    jsonld = spec["paths"]["/v1/articles/{slug}/jsonld"]["get"]["responses"]
    assert jsonld["200"]["content"]["application/ld+json"]["schema"] == {
        "$ref": "#/components/schemas/ArticleJsonLd"
    }
    assert list(jsonld["404"]["content"]) == ["application/problem+json"]
