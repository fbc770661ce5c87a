"""What downloads cost the database: a search is ranked once, whatever its size; each batch
of a list download is a transaction of its own."""

from typing import Any

import orjson
import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.exports import formats


def _ranking(statement: str) -> bool:
    return "bm25(" in statement or "ts_rank(" in statement


def _json_pages(client: TestClient, params: dict[str, str]) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    query = {**params, "limit": "7"}
    while True:
        body = client.get("/v1/search", params=query).json()
        items.extend(body["items"])
        if body["next_cursor"] is None:
            return items
        query["cursor"] = body["next_cursor"]


@pytest.mark.parametrize(
    "params",
    [{"q": "russia"}, {"q": "russia OR europe", "type": "argument,response"}, {"q": "eur*"}],
)
def test_a_search_download_ranks_once(
    client: TestClient,
    statements: list[str],
    monkeypatch: pytest.MonkeyPatch,
    params: dict[str, str],
) -> None:
    expected = _json_pages(client, params)
    assert len(expected) > 9
    monkeypatch.setattr(formats, "BATCH", 3)
    statements.clear()
    response = client.get("/v1/search", params={**params, "format": "ndjson"})
    assert response.status_code == 200
    hits = [orjson.loads(line) for line in response.content.splitlines()]
    assert hits == expected
    assert response.headers["x-total-count"] == str(len(expected))
    # Matches are scored once (ranked and counted by one query) however many batches there are
    # (one per 3 hits); before, each batch ranked them again: quadratic.
    assert sum(_ranking(statement) for statement in statements) == 1
    batches = -(-len(expected) // 3)
    hydrations = [s for s in statements if "FROM search_document JOIN article" in s]
    assert len(hydrations) == batches


def test_a_search_download_starts_at_its_cursor(client: TestClient) -> None:
    everything = _json_pages(client, {"q": "russia"})
    cursor = client.get("/v1/search", params={"q": "russia", "limit": "4"}).json()["next_cursor"]
    response = client.get(
        "/v1/search", params={"q": "russia", "format": "ndjson", "cursor": cursor}
    )
    assert [orjson.loads(line) for line in response.content.splitlines()] == everything[4:]


@pytest.mark.parametrize("url", ["/v1/arguments?format=csv", "/v1/exports/arguments?format=csv"])
def test_each_batch_of_a_list_download_is_its_own_transaction(
    client: TestClient, session: Session, monkeypatch: pytest.MonkeyPatch, url: str
) -> None:
    monkeypatch.setattr(formats, "BATCH", 10)
    closes = 0
    close = session.close

    def counted_close() -> None:
        nonlocal closes
        closes += 1
        close()

    monkeypatch.setattr(session, "close", counted_close)
    response = client.get(url)
    assert response.status_code == 200
    # 41 arguments: batches of 10, 10, 10, 10 and 1, each ended before it is written.
    assert (response.content.count(b"\r\n"), closes) == (42, 5)
