"""The OpenAPI examples are real: each equals what the API returns for the seed roundup."""

import json

from fastapi.testclient import TestClient

from app.openapi import EXAMPLE_REQUESTS, EXAMPLES_FILE, collect_examples


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
        if "application/json" in content:
            assert path in EXAMPLE_REQUESTS, path
            assert content["application/json"]["example"] == stored[path], path
