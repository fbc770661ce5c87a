"""A list's total is counted once per filtered set and data version (app.queries.paging.
count_once): the next pages reuse it, a load counts again."""

import tracemalloc
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlmodel import Session, col

from app.ingest.importer import Transaction
from app.models import Argument
from app.queries import paging
from tests.support.imports import import_files

NO_ORGANIZATION = Path(__file__).parents[1] / "fixtures" / "roundups" / "no-organization.txt"


def _totals_counted(statements: list[str]) -> int:
    """Statements that count a whole list (facets and per-item counts select more)."""
    return sum(statement.lstrip().startswith("SELECT count(*)") for statement in statements)


def _pages(
    client: TestClient, path: str, params: dict[str, str], statements: list[str]
) -> list[tuple[dict[str, Any], int]]:
    """Every page of `path`, each with how many totals its request counted."""
    pages = []
    query = {**params, "limit": "2"}
    while True:
        statements.clear()
        response = client.get(path, params=query)
        assert response.status_code == 200, response.text
        body = response.json()
        pages.append((body, _totals_counted(statements)))
        if body["next_cursor"] is None:
            return pages
        query["cursor"] = body["next_cursor"]


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/v1/arguments", {}),
        ("/v1/arguments", {"tag": "sanctions"}),
        ("/v1/arguments", {"stance": "yes_conditional", "sort": "-response_position"}),
        ("/v1/responses", {}),
        ("/v1/responses", {"stance": "yes"}),
        ("/v1/experts", {}),
        ("/v1/organizations", {}),
    ],
)
def test_paging_through_a_list_counts_its_total_once(
    client: TestClient, statements: list[str], path: str, params: dict[str, str]
) -> None:
    pages = _pages(client, path, params, statements)
    assert len(pages) > 1
    items = [item for body, _ in pages for item in body["items"]]
    assert {body["total"] for body, _ in pages} == {len(items)}
    assert [counted for _, counted in pages] == [1] + [0] * (len(pages) - 1)
    # Asked again from the first page, nothing is counted.
    assert [counted for _, counted in _pages(client, path, params, statements)] == [0] * len(pages)


def test_each_filtered_set_has_its_own_total(client: TestClient) -> None:
    everything = client.get("/v1/arguments").json()["total"]
    against = client.get("/v1/arguments", params={"stance": "not_yet"}).json()["total"]
    assert 0 < against < everything
    assert client.get("/v1/arguments").json()["total"] == everything


def test_a_load_counts_the_total_again(
    client: TestClient, session: Session, transaction: Transaction, statements: list[str]
) -> None:
    before = client.get("/v1/arguments").json()["total"]
    [result] = import_files([NO_ORGANIZATION], transaction)
    assert result.status == "inserted", result
    statements.clear()
    after = client.get("/v1/arguments").json()["total"]
    assert _totals_counted(statements) == 1
    assert after == session.execute(select(func.count()).select_from(Argument)).scalar_one()
    assert after > before


def test_only_a_bounded_number_of_short_names_are_kept(
    session: Session, statements: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(paging, "_TOTALS_KEPT", 3)
    arguments = select(col(Argument.id))
    expected = session.execute(select(func.count()).select_from(Argument)).scalar_one()
    statements.clear()
    for name in ["a", "b", "c", "d", "a", "d", "x" * 513, "x" * 513]:
        assert paging.count_once(session, name, arguments) == expected
    # "a", the oldest of four, was forgotten and counted again (pushing "b" out); "d" was
    # remembered, and moved to the newest; the long name is never kept.
    assert _totals_counted(statements) == 4 + 1 + 0 + 2
    assert [name for _, name, _ in paging._totals] == ["c", "a", "d"]


def test_a_full_memory_of_totals_stays_small(session: Session) -> None:
    """4,096 totals with the longest names kept: a few megabytes a worker, whatever clients
    invent."""
    statement = select(col(Argument.id)).where(col(Argument.id) < 0)
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for number in range(paging._TOTALS_KEPT + 500):
            name = f"{number:06d}".ljust(paging._NAME_CHARS_KEPT, "x")
            assert paging.count_once(session, name, statement) == 0
        held = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert len(paging._totals) == paging._TOTALS_KEPT
    assert held < 4 * 1024 * 1024, held
