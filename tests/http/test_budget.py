"""Expensive requests end within a budget: SQLite is interrupted, PostgreSQL times out, and
either way the client gets a 503 problem saying the request was too expensive."""

import sqlite3
import time
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, col, select

from app.config import Settings
from app.db import build_engine, get_session, reading
from app.http.problems import OVER_BUDGET, over_budget
from app.main import create_app
from app.models import SearchDocument, SearchKind
from app.queries import search
from app.search.query import parse_query
from app.search.sql import text_match

# Counts to a billion: minutes of work for either engine.
ENDLESS = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT count(*) FROM n"
ENDLESS_LIMITED = ENDLESS.replace("FROM n)", "FROM n WHERE i < 1000000000)")


@pytest.fixture
def budgeted(database_url: str) -> Iterator[Engine]:
    """The request engine as the app builds it, with a budget of 200 ms."""
    engine = build_engine(database_url, Settings(statement_timeout_ms=200))
    yield reading(engine, 200)
    engine.dispose()


def test_a_statement_past_the_budget_is_stopped(budgeted: Engine) -> None:
    started = time.monotonic()
    with Session(budgeted) as session, pytest.raises(OperationalError) as raised:
        session.execute(text(ENDLESS_LIMITED)).scalar_one()
    elapsed = time.monotonic() - started
    assert over_budget(raised.value)
    assert 0.15 < elapsed < 1.5
    # The connection is fine for the next request, which gets a budget of its own.
    with Session(budgeted) as session:
        assert session.execute(text("SELECT 1")).scalar_one() == 1


@pytest.mark.sqlite  # PostgreSQL's loads get statement_timeout as well
def test_loads_have_no_budget(database_url: str) -> None:
    engine = build_engine(database_url, Settings(statement_timeout_ms=1))
    try:
        with Session(engine) as session:
            query = ENDLESS.replace("FROM n)", "FROM n WHERE i < 300000)")
            assert session.execute(text(query)).scalar_one() == 300000
    finally:
        engine.dispose()


def test_over_budget_is_a_503_problem(budgeted: Engine) -> None:
    app = create_app()

    def over_budget_session() -> Iterator[Session]:
        with Session(budgeted) as session:
            session.execute(text("SELECT 1"))  # the budget starts here
            session.execute(text(ENDLESS_LIMITED))
            yield session  # pragma: no cover - never reached

    app.api.dependency_overrides[get_session] = over_budget_session
    with TestClient(app) as client:
        started = time.monotonic()
        response = client.get("/v1/experts")
        elapsed = time.monotonic() - started
    assert (response.status_code, response.headers["retry-after"]) == (503, "1")
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json() == {
        "type": "about:blank",
        "title": "Service Unavailable",
        "status": 503,
        "detail": OVER_BUDGET,
        "instance": "/v1/experts",
    }
    assert elapsed < 1.5


def test_only_interruptions_and_cancellations_are_over_budget() -> None:
    def wrapped(orig: Exception) -> OperationalError:
        return OperationalError("SELECT", {}, orig)

    assert over_budget(wrapped(sqlite3.OperationalError("interrupted")))
    assert not over_budget(wrapped(sqlite3.OperationalError("database is locked")))
    assert not over_budget(wrapped(sqlite3.OperationalError("unable to open database file")))


def test_search_ranks_only_the_newest_matches_when_too_many_match(
    client: TestClient, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    everything = client.get("/v1/search", params={"q": "russia", "limit": 100}).json()
    assert (everything["truncated"], everything["total"]) == (False, len(everything["items"]))
    newest = session.exec(
        select(SearchDocument.kind)
        .where(text_match(parse_query("russia")))
        .order_by(col(SearchDocument.id).desc())
        .limit(5)
    ).all()
    monkeypatch.setattr(search, "MAX_RANKED", 5)
    body = client.get("/v1/search", params={"q": "russia", "limit": 100}).json()
    assert (body["truncated"], body["total"], body["next_cursor"]) == (True, 5, None)
    assert sorted(hit["type"] for hit in body["items"]) == sorted(newest)
    assert all(hit in everything["items"] for hit in body["items"])
    # Filters apply to those newest matches only.
    body = client.get("/v1/search", params={"q": "russia", "type": "argument"}).json()
    assert (body["truncated"], body["total"]) == (True, newest.count(SearchKind.ARGUMENT))


@pytest.mark.postgresql
def test_postgresql_sessions_have_both_timeouts(database_url: str) -> None:
    engine = build_engine(database_url, Settings())
    try:
        with engine.connect() as connection:
            shown = [
                connection.execute(text(f"SHOW {name}")).scalar_one()
                for name in ("statement_timeout", "idle_in_transaction_session_timeout")
            ]
    finally:
        engine.dispose()
    assert shown == ["5s", "30s"]
