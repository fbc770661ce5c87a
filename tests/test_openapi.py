"""The OpenAPI examples are real: each equals what the API returns for the seed roundup."""

import json

from fastapi.testclient import TestClient

from app.openapi import EXAMPLE_REQUESTS, EXAMPLES_FILE, collect_examples, json_media_type


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
        else:
            assert list(content) == ["application/gzip"], path  # the dump: bytes, no example
