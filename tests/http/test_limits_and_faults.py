"""Limits from settings (URL length, request timeout, rate limit), content negotiation for
routes that produce more than JSON, and answers when the database is unreachable."""

import asyncio
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from fastapi import Depends, FastAPI
from fastapi.responses import PlainTextResponse
from fastapi.testclient import TestClient
from sqlalchemy import Engine, event, text
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session

from app.config import Settings
from app.db import build_engine, get_session, reading
from app.http.middleware import ConcurrencyLimit, RateLimit, RequestTimeout
from app.http.negotiation import parse_accept, preferred, quality, require_acceptable
from app.http.problems import ProblemError
from app.main import App, create_app, request_concurrency
from app.models import DatasetState
from tests.support.databases import on_postgresql
from tests.support.seed_facts import SEED_SLUG

PROBLEM = "application/problem+json"
UNREACHABLE_URL = "postgresql+psycopg://roundup@127.0.0.1:1/roundup"  # nothing listens on 1


def app_with_session(session: Session, **settings: Any) -> App:
    """An app configured with `settings`, reading through the test's session."""
    app = create_app(Settings(**settings))
    app.api.dependency_overrides[get_session] = lambda: session
    return app


def test_max_url_length_comes_from_settings(session: Session) -> None:
    with TestClient(app_with_session(session, max_url_length=300)) as client:
        assert client.get("/v1/experts?organization=" + "a" * 250).status_code == 200
        response = client.get("/v1/experts?organization=" + "a" * 300)
    assert (response.status_code, response.json()["detail"]) == (
        414,
        "The request target is longer than 300 bytes.",
    )


def test_slow_request_gets_503_at_the_timeout(session: Session) -> None:
    def slow_session() -> Iterator[Session]:
        time.sleep(1.5)  # a stuck database call, in a worker thread that cannot be interrupted
        yield session

    app = create_app(Settings(request_timeout_s=0.3))
    app.api.dependency_overrides[get_session] = slow_session
    with TestClient(app) as client:
        started = time.monotonic()
        response = client.get(f"/v1/articles/{SEED_SLUG}")
        elapsed = time.monotonic() - started
        assert response.headers["content-type"] == PROBLEM
        assert response.headers["retry-after"] == "1"
        assert (response.status_code, response.json()) == (
            503,
            {
                "type": "about:blank",
                "title": "Service Unavailable",
                "status": 503,
                "detail": "The request took longer than 0.3 s.",
                "instance": f"/v1/articles/{SEED_SLUG}",
            },
        )
        assert elapsed < 1.2
        assert client.get("/healthz").status_code == 200


def test_request_timeout_passes_fast_requests_and_drops_late_output() -> None:
    sent: list[dict[str, Any]] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        await asyncio.sleep(scope["delay"])
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"late" if scope["delay"] else b"ok"})

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b""}

    async def send(message: Any) -> None:
        sent.append(message)

    async def run() -> None:
        guard = RequestTimeout(app, seconds=0.1)
        await guard({"type": "http", "path": "/fast", "delay": 0}, receive, send)
        await guard({"type": "http", "path": "/slow", "delay": 0.3}, receive, send)
        await asyncio.sleep(0.4)  # the abandoned request would have answered by now

    asyncio.run(run())
    assert [(m.get("status"), m.get("body")) for m in sent[:2]] == [(200, None), (None, b"ok")]
    assert [m.get("status") for m in sent[2:] if m["type"] == "http.response.start"] == [503]
    assert b"late" not in b"".join(m.get("body", b"") for m in sent)


def test_rate_limit_answers_429_with_retry_after(session: Session) -> None:
    with TestClient(app_with_session(session, rate_limit_per_minute=3)) as client:
        assert [client.get("/v1/tags").status_code for _ in range(3)] == [200, 200, 200]
        response = client.get("/v1/tags")
        assert client.get("/healthz").status_code == 200  # probes are exempt
    assert response.headers["content-type"] == PROBLEM
    retry_after = int(response.headers["retry-after"])
    assert 18 <= retry_after <= 20
    assert (response.status_code, response.json()) == (
        429,
        {
            "type": "about:blank",
            "title": "Too Many Requests",
            "status": 429,
            "detail": f"More than 3 requests a minute; retry in {retry_after} s.",
            "instance": "/v1/tags",
        },
    )


def test_rate_limit_is_off_by_default(client: TestClient) -> None:
    assert {client.get("/v1/tags").status_code for _ in range(100)} == {200}


def test_token_bucket_refills_per_client() -> None:
    now = [1000.0]

    async def app(scope: Any, receive: Any, send: Any) -> None:  # pragma: no cover - unused
        pass

    bucket = RateLimit(app, per_minute=60, clock=lambda: now[0])
    assert [bucket._take("a") for _ in range(60)] == [0.0] * 60
    assert bucket._take("a") == pytest.approx(1.0)
    assert bucket._take("b") == 0.0  # another client has its own bucket
    now[0] += 0.5
    assert bucket._take("a") == pytest.approx(0.5)
    now[0] += 0.5
    assert bucket._take("a") == 0.0
    now[0] += 120  # idle clients are forgotten once the table is full
    bucket.MAX_CLIENTS = 2
    assert bucket._take("c") == 0.0
    assert sorted(bucket.buckets) == ["c"]


def _no_app() -> RateLimit:
    async def app(scope: Any, receive: Any, send: Any) -> None:  # pragma: no cover - unused
        pass

    return RateLimit(app, per_minute=60, clock=lambda: 1000.0)


def test_the_rate_limit_table_keeps_the_most_recent_clients() -> None:
    bucket = _no_app()
    bucket.MAX_CLIENTS = 100
    assert [bucket._take("throttled") for _ in range(60)] == [0.0] * 60
    for n in range(1000):
        assert bucket._take(f"10.0.{n // 256}.{n % 256}") == 0.0
        if n % 10 == 0:
            assert bucket._take("throttled") > 0  # seen again: kept, and still throttled
    assert len(bucket.buckets) == 100
    # The last 99 addresses (901 to 999) and the throttled client, in the order last seen.
    kept = [f"10.0.{n // 256}.{n % 256}" for n in range(901, 1000)]
    assert list(bucket.buckets) == [*kept[:90], "throttled", *kept[90:]]


def test_a_new_address_costs_the_same_with_a_full_table() -> None:
    """Each address beyond a full table used to copy the whole table (10,000 entries)."""

    def cost(bucket: RateLimit, first: int) -> float:
        started = time.process_time()
        for n in range(first, first + 2000):
            bucket._take(f"a{n}")
        return time.process_time() - started

    empty = cost(_no_app(), 0)
    full = _no_app()
    for n in range(full.MAX_CLIENTS):
        full._take(f"a{n}")
    at_the_cap = cost(full, full.MAX_CLIENTS)
    assert len(full.buckets) == full.MAX_CLIENTS
    assert at_the_cap < 5 * empty + 0.01


@pytest.mark.parametrize(
    ("accept", "offered", "chosen"),
    [
        (None, ["application/json", "text/csv"], "application/json"),
        ("text/csv", ["application/json", "text/csv"], "text/csv"),
        ("text/*;q=0.9, application/json;q=0.5", ["application/json", "text/csv"], "text/csv"),
        ("text/csv;q=0, */*", ["text/csv", "application/json"], "application/json"),
        ("application/*;q=0.2, application/json;q=0", ["application/json"], None),
        ("text/html", ["application/json"], None),
        (
            "*/*;q=0.1, application/x-ndjson",
            ["text/csv", "application/x-ndjson"],
            "application/x-ndjson",
        ),
    ],
)
def test_preferred_media_type(accept: str | None, offered: list[str], chosen: str | None) -> None:
    assert preferred(accept, offered) == chosen


def test_accept_parsing() -> None:
    ranges = parse_accept("text/html;level=1;q=0.7, */*;q=bogus, application/;q=1, */json, x")
    assert [(r.type, r.subtype, r.q) for r in ranges] == [("text", "html", 0.7), ("*", "*", 1.0)]
    assert quality(ranges, "text/html") == 0.7
    assert quality(ranges, "image/png") == 1.0


def test_a_route_that_documents_another_media_type_accepts_it() -> None:
    """How an export route extends negotiation: it documents the type in `responses=`."""
    app = FastAPI()

    @app.get(
        "/export",
        dependencies=[Depends(require_acceptable)],
        responses={200: {"content": {"text/csv": {}}}},
    )
    def export() -> PlainTextResponse:
        return PlainTextResponse("a,b\n", media_type="text/csv")

    @app.exception_handler(ProblemError)
    def _problem(_request: Any, exc: Exception) -> PlainTextResponse:
        return PlainTextResponse(str(exc), status_code=406)

    client = TestClient(app)
    assert client.get("/export", headers={"Accept": "text/csv"}).status_code == 200
    response = client.get("/export", headers={"Accept": "text/html"})
    assert (response.status_code, response.text) == (
        406,
        "This resource is available as: application/json, text/csv, application/problem+json.",
    )


@pytest.fixture
def unreachable() -> Iterator[Engine]:
    engine = build_engine(UNREACHABLE_URL)
    yield engine
    engine.dispose()


@pytest.mark.parametrize(
    "path", ["/v1/meta", "/v1/tags", f"/v1/articles/{SEED_SLUG}", "/v1/responses?stance=yes"]
)
def test_unreachable_database_is_a_quick_503(unreachable: Engine, path: str) -> None:
    app = create_app()

    def session() -> Iterator[Session]:
        with Session(unreachable) as session:
            yield session

    app.api.dependency_overrides[get_session] = session
    with TestClient(app) as client:
        started = time.monotonic()
        response = client.get(path)
        elapsed = time.monotonic() - started
    assert elapsed < 2
    assert response.headers["content-type"] == PROBLEM
    assert response.headers["retry-after"] == "1"
    assert (response.status_code, response.json()) == (
        503,
        {
            "type": "about:blank",
            "title": "Service Unavailable",
            "status": 503,
            "detail": "The database is unavailable; try again shortly.",
            "instance": path.split("?")[0],
        },
    )


def test_readyz_reports_an_unreachable_database(unreachable: Engine) -> None:
    app = create_app()

    def session() -> Iterator[Session]:
        with Session(unreachable) as session:
            yield session

    app.api.dependency_overrides[get_session] = session
    with TestClient(app) as client:
        response = client.get("/readyz")
    assert response.headers["content-type"] == PROBLEM
    assert (response.status_code, response.json()) == (
        503,
        {
            "type": "about:blank",
            "title": "Service Unavailable",
            "status": 503,
            "detail": "The database is not reachable.",
            "instance": "/readyz",
        },
    )


def test_readyz_when_ready(client: TestClient) -> None:
    response = client.get("/readyz")
    body = response.json()
    assert (response.status_code, body["status"], body["articles"]) == (200, "ready", 1)


def test_request_sessions_read_one_snapshot(engine: Engine) -> None:
    """The ETag's version and the body come from one snapshot, and requests cannot write
    on PostgreSQL (see app/db.py)."""
    statements: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement.split()[0].upper())

    event.listen(engine, "before_cursor_execute", record)
    try:
        with Session(reading(engine)) as session:
            if on_postgresql():
                level = session.connection().get_isolation_level()
                statements.clear()
            session.get(DatasetState, 1)
            try:
                session.execute(
                    text(
                        "INSERT INTO tag (slug, label, category, description)"
                        " VALUES ('x', 'x', 'x', 'x')"
                    )
                )
                outcome = "written"
            except DBAPIError as error:
                outcome = type(error.orig).__name__
            executed = list(statements)
    finally:
        event.remove(engine, "before_cursor_execute", record)
    if on_postgresql():
        assert (executed, outcome, level) == (
            ["SELECT", "INSERT"],
            "ReadOnlySqlTransaction",
            "REPEATABLE READ",
        )
    else:  # BEGIN comes before the version read; the write is rolled back with the session
        assert (executed, outcome) == (["BEGIN", "SELECT", "INSERT"], "written")


def test_concurrency_limit_queues_requests_beyond_the_pool() -> None:
    inside = [0]
    most = [0]

    async def app(scope: Any, receive: Any, send: Any) -> None:
        inside[0] += 1
        most[0] = max(most[0], inside[0])
        await asyncio.sleep(0.05)
        inside[0] -= 1

    async def run() -> None:
        limited = ConcurrencyLimit(app, limit=3)
        paths = ["/v1/tags"] * 10
        await asyncio.gather(
            *(limited({"type": "http", "path": path}, _receive, _send) for path in paths)
        )
        assert most == [3]
        most[0] = 0
        await asyncio.gather(
            *(limited({"type": "http", "path": "/healthz"}, _receive, _send) for _ in range(6))
        )
        assert most == [6]  # liveness probes never wait

    asyncio.run(run())


def test_a_few_requests_run_at_once_and_a_slow_one_gives_up_its_turn() -> None:
    """Two turns: quick requests run two at a time, in arrival order; a request still
    running after the grace period lets the next one in (up to the outer limit), so two slow
    requests do not hold back the quick ones behind them."""
    inside = [0]
    most = [0]
    finished: list[str] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        inside[0] += 1
        most[0] = max(most[0], inside[0])
        await asyncio.sleep(1.0 if scope["path"] == "/slow" else 0.01)
        inside[0] -= 1
        finished.append(scope["path"])

    async def run() -> None:
        limited = ConcurrencyLimit(app, limit=4, turns=2, grace=0.05)
        quick = [limited({"type": "http", "path": "/quick"}, _receive, _send) for _ in range(8)]
        await asyncio.gather(*quick)
        assert most == [2]
        most[0] = 0
        slow = [
            asyncio.ensure_future(limited({"type": "http", "path": "/slow"}, _receive, _send))
            for _ in range(2)
        ]
        await asyncio.sleep(0.001)
        await asyncio.gather(
            *(limited({"type": "http", "path": "/quick"}, _receive, _send) for _ in range(6))
        )
        await asyncio.gather(*slow)
        assert finished[-2:] == ["/slow", "/slow"]  # the quick ones did not wait for them
        assert most == [4]  # never more than the outer limit

    asyncio.run(run())


@pytest.mark.parametrize(
    ("concurrent", "pool", "overflow", "turns"), [(2, 5, 5, 2), (8, 2, 1, 3), (1, 1, 0, 1)]
)
def test_requests_run_at_once(concurrent: int, pool: int, overflow: int, turns: int) -> None:
    """ROUNDUP_CONCURRENT_REQUESTS turns, never more than the pool's connections."""
    settings = Settings(concurrent_requests=concurrent, pool_size=pool, pool_max_overflow=overflow)
    assert request_concurrency(settings) == turns
    app = create_app(settings)
    limits = [
        (m.kwargs["limit"], m.kwargs["turns"])
        for m in app.api.user_middleware
        if m.cls == ConcurrencyLimit  # type: ignore[comparison-overlap]
    ]
    assert limits == [(pool + overflow, turns)]


async def _receive() -> dict[str, Any]:  # pragma: no cover - these apps read no body
    return {"type": "http.request", "body": b""}


async def _send(_message: Any) -> None:  # pragma: no cover - these apps send nothing
    pass


def test_a_burst_beyond_the_pool_is_served(engine: Engine, database_url: str) -> None:
    """Far more concurrent requests than pooled connections: every one is answered, none
    waits for a connection while holding a worker thread (that ends in pool timeouts)."""
    settings = Settings(
        DATABASE_URL=database_url, pool_size=1, pool_max_overflow=1, pool_timeout_s=1
    )
    app = create_app(settings)  # its engine, built from these settings, has this small pool
    try:
        with TestClient(app) as client, ThreadPoolExecutor(max_workers=64) as pool:
            paths = [f"/v1/articles/{SEED_SLUG}", "/v1/responses?facets=tag", "/v1/tags"] * 40
            statuses = list(pool.map(lambda path: client.get(path).status_code, paths))
        assert statuses == [200] * 120
    finally:
        app.api.state.engine.dispose()


def test_max_page_size_comes_from_settings(session: Session) -> None:
    with TestClient(app_with_session(session, max_page_size=20)) as client:
        assert len(client.get("/v1/arguments?limit=20").json()["items"]) == 20
        response = client.get("/v1/arguments?limit=21")
    assert response.headers["content-type"] == PROBLEM
    assert (response.status_code, response.json()) == (
        422,
        {
            "type": "about:blank",
            "title": "Unprocessable Entity",
            "status": 422,
            "detail": "The request parameters are not valid.",
            "instance": "/v1/arguments",
            "invalid_params": [
                {
                    "name": "limit",
                    "reason": "Value error, Input should be less than or equal to 20",
                }
            ],
        },
    )
