"""The response cache: hits skip the app, 304s come from the entry, a load invalidates it."""

import asyncio
import logging
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.config import Settings
from app.data_version import SQLiteVersion, version_source
from app.db import build_engine, get_session
from app.http import response_cache
from app.http.response_cache import Entry, ResponseCache, entry_size
from app.ingest.load import bump_version
from app.ingest.seed import seed
from app.main import create_app
from app.models import DatasetState
from tests.support.databases import migrate, seeded_database
from tests.support.seed_facts import SEED_DIR, SEED_SLUG

DETAIL = f"/v1/articles/{SEED_SLUG}"


@pytest.fixture
def seeded_url(tmp_path: Path) -> Iterator[str]:
    """A committed, seeded scratch database (the cache reads the committed version)."""
    with seeded_database(tmp_path) as url:
        yield url


class Counting:
    """Counts the requests that reach the app behind the cache."""

    def __init__(self) -> None:
        self.calls = 0


@contextmanager
def counted_client(url: str, **settings: Any) -> Iterator[tuple[TestClient, Counting, Any]]:
    """A client of the app (the response cache on unless `settings` say otherwise), counting
    the requests that reach the app behind the cache."""
    engine = build_engine(url)
    options: dict[str, Any] = {"response_cache": True, **settings}
    app = create_app(Settings(DATABASE_URL=url, **options))
    counter = Counting()

    def counted_session() -> Iterator[Session]:
        counter.calls += 1
        with Session(engine) as session:
            yield session

    app.api.dependency_overrides[get_session] = counted_session
    with TestClient(app) as client:
        yield client, counter, engine
    engine.dispose()


@pytest.fixture
def cached(seeded_url: str) -> Iterator[tuple[TestClient, Counting, Any]]:
    with counted_client(seeded_url) as found:
        yield found


def test_a_hit_is_served_without_the_app(cached: tuple[TestClient, Counting, Any]) -> None:
    client, counter, _ = cached
    first = client.get(DETAIL)
    calls = counter.calls
    second = client.get(DETAIL)
    assert counter.calls == calls
    assert (second.status_code, second.content) == (200, first.content)
    assert second.headers["etag"] == first.headers["etag"]
    assert second.headers["content-type"] == "application/json"


def test_a_hit_answers_304_from_the_entry(cached: tuple[TestClient, Counting, Any]) -> None:
    client, counter, _ = cached
    etag = client.get(DETAIL).headers["etag"]
    calls = counter.calls
    response = client.get(DETAIL, headers={"If-None-Match": etag})
    assert (response.status_code, response.content, counter.calls) == (304, b"", calls)
    assert response.headers["etag"] == etag
    assert response.headers["cache-control"] == "public, max-age=60"
    assert "content-type" not in response.headers


def test_a_load_that_changes_data_invalidates(cached: tuple[TestClient, Counting, Any]) -> None:
    client, counter, engine = cached
    before = client.get(DETAIL)
    with Session(engine) as session, session.begin():
        bump_version(session)
    calls = counter.calls
    # On PostgreSQL the change arrives by NOTIFY, a few milliseconds after the commit.
    deadline = time.monotonic() + 2.0
    after = client.get(DETAIL)
    while after.headers["etag"] == before.headers["etag"] and time.monotonic() < deadline:
        time.sleep(0.01)
        after = client.get(DETAIL)
    assert counter.calls > calls
    assert after.headers["etag"] != before.headers["etag"]
    # An unchanged re-seed keeps the version, so the entry is still served.
    with Session(engine) as session, session.begin():
        assert not seed(session, [SEED_DIR], SEED_DIR).changed
    calls = counter.calls
    assert client.get(DETAIL).headers["etag"] == after.headers["etag"]
    assert counter.calls == calls


def test_representations_are_kept_apart(cached: tuple[TestClient, Counting, Any]) -> None:
    client, _, _ = cached
    plain = client.get(DETAIL, headers={"Accept-Encoding": "identity"})
    gzipped = client.get(DETAIL, headers={"Accept-Encoding": "gzip"})
    again = client.get(DETAIL, headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers
    assert gzipped.headers["content-encoding"] == "gzip"
    assert again.headers.get("content-encoding") is None
    assert plain.json() == gzipped.json() == again.json()
    assert plain.headers["etag"] != gzipped.headers["etag"]
    csv = client.get("/v1/arguments?format=csv")
    assert csv.headers["content-type"].startswith("text/csv")


def test_only_successful_responses_are_kept(cached: tuple[TestClient, Counting, Any]) -> None:
    client, counter, _ = cached
    for _ in range(2):
        assert client.get("/v1/articles/missing").status_code == 404
    calls = counter.calls
    assert client.get("/v1/articles/missing").status_code == 404
    assert counter.calls == calls + 1


class Fixed:
    """A version source whose version never changes."""

    def current(self) -> str:
        return "v1"

    def close(self) -> None:
        pass


async def echoing_app(scope: Any, receive: Any, send: Any) -> None:
    """Answers 200 with 300 bytes and, like a list page, a Link header echoing the query."""
    target = scope["path"].encode() + b"?" + scope["query_string"]
    headers = [(b"content-type", b"application/json"), (b"link", b"<" + target + b">")]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": scope["path"].encode() * 50})


async def get(app: Any, path: str, query: bytes = b"", **headers: bytes) -> None:
    scope = {
        "type": "http",
        "method": "GET",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query,
        "headers": [(name.replace("_", "-").encode(), value) for name, value in headers.items()],
    }

    async def receive() -> Any:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Any) -> None:
        pass

    await app(scope, receive, send)


def held_bytes(key: tuple[bytes, ...], entry: Entry) -> int:
    """The memory one entry really holds: every object of its key and entry, and its slot
    in the OrderedDict (a hash table slot and a linked-list node, at most 100 bytes)."""
    objects: list[object] = [key, *key, entry, entry.headers, entry.body, entry.etag]
    for header in entry.headers:
        objects.extend((header, *header))
    return sum(map(sys.getsizeof, objects)) + 100


def test_the_cache_is_bounded() -> None:
    cache = ResponseCache(echoing_app, Fixed(), max_bytes=10_000)
    asyncio.run(get(cache, "/v1/x0"))
    one = cache.size
    assert one == entry_size(
        next(iter(cache.entries)),
        [
            (b"content-type", b"application/json"),
            (b"link", b"</v1/x0?>"),
            (b"content-length", b"300"),
        ],
        b"/v1/x0" * 50,
    )
    cache.max_bytes = 3 * one
    for n in range(1, 5):
        asyncio.run(get(cache, f"/v1/x{n}"))
    assert cache.size == 3 * one
    assert [key[0] for key in cache.entries] == [b"/v1/x2", b"/v1/x3", b"/v1/x4"]
    cache.max_entries = 2
    asyncio.run(get(cache, "/v1/x5"))
    assert [key[0] for key in cache.entries] == [b"/v1/x4", b"/v1/x5"]


def test_whole_entries_count_and_hostile_headers_add_nothing() -> None:
    """A thousand requests with huge, distinct Host, Accept, Origin and query values: the
    entry count and the accounted size stay under their caps, and the memory the cache really
    holds (every object of every entry) stays under the accounted size."""
    cap, entries = 1_000_000, 300

    async def attack(cache: ResponseCache) -> None:
        for n in range(1_000):
            await get(
                cache,
                "/v1/articles",
                query=b"series=" + str(n).encode() * 1000,  # about 4 KB, distinct
                host=b"h%d." % n + b"x" * 8000,
                accept=b"application/json, text/x-%d;q=0.5, " % n + b"a/b," * 100,
                origin=b"https://%d.example" % n + b"o" * 2000,
            )

    cache = ResponseCache(echoing_app, Fixed(), max_bytes=cap, max_entries=entries)
    asyncio.run(attack(cache))
    held = sum(held_bytes(key, entry) for key, entry in cache.entries.items())
    assert len(cache.entries) <= entries
    assert cache.size <= cap
    assert held <= cache.size, (held, cache.size)
    # Every entry is one query: the hostile Host, Accept and Origin values made no copies.
    assert {key[2:] for key in cache.entries} == {(b"1", b"*", b"")}


def test_accept_keys_the_entry_only_as_it_selects_a_representation(
    cached: tuple[TestClient, Counting, Any],
) -> None:
    client, counter, _ = cached
    url = f"/v1/arguments?article={SEED_SLUG}"
    plain = client.get(url, headers={"Accept": "application/json"})
    calls = counter.calls
    for accept in ("application/json, text/html;q=0.5", "application/json,  foo/bar"):
        again = client.get(url, headers={"Accept": accept})
        assert (again.content, again.headers["etag"]) == (plain.content, plain.headers["etag"])
    assert counter.calls == calls
    csv_first = client.get(url, headers={"Accept": "text/csv, application/json;q=0.5"})
    json_first = client.get(url, headers={"Accept": "application/json, text/csv;q=0.5"})
    assert csv_first.headers["content-type"].startswith("text/csv")
    assert json_first.headers["content-type"] == "application/json"
    assert json_first.content == plain.content
    assert counter.calls == calls + 2  # CSV, and JSON with CSV acceptable: two keys
    # Export types rank equally against JSON here: each still gets its own entry.
    for accept, media in (
        ("text/csv", "text/csv"),
        ("application/x-ndjson", "application/x-ndjson"),
    ):
        answer = client.get(url, headers={"Accept": f"application/json;q=0.5, {accept}"})
        assert answer.headers["content-type"].split(";")[0] == media


def test_version_sources(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    for in_memory in ("sqlite://", "sqlite:///:memory:", "sqlite:///file::memory:?uri=true"):
        assert version_source(in_memory) is None  # nothing to share, no cache
    missing = version_source(f"sqlite:///{tmp_path / 'absent.db'}")
    assert isinstance(missing, SQLiteVersion)
    with caplog.at_level(logging.WARNING, logger="roundup"):
        assert [missing.current(), missing.current()] == [None, None]  # passed through uncached
    assert [record.getMessage() for record in caplog.records] == [
        f"response cache off: the data version cannot be read from"
        f" file:{tmp_path / 'absent.db'}?mode=ro: unable to open database file"
    ]


def test_the_read_only_sqlite_url_keeps_the_cache_on(tmp_path: Path) -> None:
    """The URL the deployment guide gives for a read-only API on SQLite."""
    path = tmp_path / "with space?.db"
    migrate(f"sqlite:///{path}")
    engine = build_engine(f"sqlite:///{path}")
    with Session(engine) as session, session.begin():
        seed(session, [SEED_DIR], SEED_DIR)
        version = session.get(DatasetState, 1).version  # type: ignore[union-attr]
    engine.dispose()
    read_only = f"sqlite:///file:{quote(str(path))}?mode=ro&uri=true"
    source = version_source(read_only)
    assert source is not None
    assert source.current() == version
    with counted_client(read_only) as (client, counter, _):
        first = client.get(DETAIL)
        calls = counter.calls
        assert client.get(DETAIL).content == first.content
        assert counter.calls == calls


def test_exports_are_kept_whole_and_large_ones_stream_through(
    cached: tuple[TestClient, Counting, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    client, counter, _ = cached
    url = f"/v1/arguments?article={SEED_SLUG}&format=csv"
    identity = {"Accept-Encoding": "identity"}
    first = client.get(url, headers=identity)
    calls = counter.calls
    again = client.get(url, headers=identity)
    assert counter.calls == calls
    assert (again.status_code, again.content) == (200, first.content)
    assert again.headers["content-length"] == str(len(first.content))
    assert again.headers["content-disposition"] == first.headers["content-disposition"]
    monkeypatch.setattr(response_cache, "MAX_ENTRY_BYTES", len(first.content) - 1)
    big = "/v1/arguments?format=csv"  # the same rows as `url`: one byte over the limit
    assert client.get(big, headers=identity).status_code == 200
    calls = counter.calls
    assert client.get(big, headers=identity).content == client.get(big, headers=identity).content
    assert counter.calls == calls + 2


def test_clients_that_take_the_same_bytes_share_an_entry(
    cached: tuple[TestClient, Counting, Any],
) -> None:
    client, counter, _ = cached
    plain = client.get(DETAIL, headers={"Accept-Encoding": "identity"})
    calls = counter.calls
    for encoding in ("", "deflate", "br;q=1, identity"):
        again = client.get(DETAIL, headers={"Accept-Encoding": encoding})
        assert (again.content, again.headers["etag"]) == (plain.content, plain.headers["etag"])
    gzipped = client.get(DETAIL, headers={"Accept-Encoding": "gzip, deflate, br"})
    assert gzipped.headers["content-encoding"] == "gzip"
    assert client.get(DETAIL, headers={"Accept-Encoding": "gzip"}).content == gzipped.content
    assert counter.calls == calls + 1


def test_a_hit_carries_every_header_the_stack_sent(
    cached: tuple[TestClient, Counting, Any],
) -> None:
    """In front of the middleware stack, the cache keeps the headers the stack produced."""
    client, _, _ = cached
    origin = {"Origin": "https://reader.example", "Accept-Encoding": "identity"}
    first = client.get(DETAIL, headers=origin)
    second = client.get(DETAIL, headers=origin)
    assert sorted(h for h in second.headers.multi_items() if h[0] != "date") == sorted(
        h for h in first.headers.multi_items() if h[0] != "date"
    )
    assert second.headers["access-control-allow-origin"] == "*"
    assert second.headers["x-content-type-options"] == "nosniff"
    assert second.headers["content-security-policy"].startswith("default-src 'none'")
    assert second.headers["vary"] == first.headers["vary"]


def test_the_host_is_not_part_of_the_key(cached: tuple[TestClient, Counting, Any]) -> None:
    """No response depends on the Host (app.http.urls), so a forged one neither gets its own
    entry nor puts its name into anyone else's."""
    client, counter, _ = cached
    first = client.get("/v1/arguments?limit=1", headers={"Host": "evil.example"})
    calls = counter.calls
    for host in ("a.example", "b.example", "x" * 4000):
        response = client.get("/v1/arguments?limit=1", headers={"Host": host})
        assert (response.content, response.headers["link"]) == (
            first.content,
            first.headers["link"],
        )
    assert counter.calls == calls
    assert first.headers["link"].startswith("</v1/arguments?limit=1&cursor=")


def test_with_a_rate_limit_hits_obey_it(seeded_url: str) -> None:
    with counted_client(seeded_url, rate_limit_per_minute=3) as (client, counter, _):
        statuses = [client.get(DETAIL).status_code for _ in range(4)]
    assert (statuses, counter.calls) == ([200, 200, 200, 429], 1)


def test_a_repeated_header_keys_the_entry_as_the_app_read_it(
    cached: tuple[TestClient, Counting, Any],
) -> None:
    """Starlette reads the first of a repeated header; so does the key (no poisoning)."""
    client, _, _ = cached
    repeated = [("Accept", "text/csv"), ("Accept", "*/*")]
    assert (
        client.get("/v1/articles", headers=repeated).headers["content-type"].startswith("text/csv")
    )
    plain = client.get("/v1/articles", headers={"Accept": "*/*"})
    assert plain.headers["content-type"] == "application/json"
    origins = [("Origin", "https://a.example"), ("Origin", "https://b.example")]
    first = client.get("/v1/articles", headers=origins)
    assert first.headers["access-control-allow-origin"] == "*"


def test_a_304_from_the_entry_carries_what_the_stack_sends_with_one(
    cached: tuple[TestClient, Counting, Any], seeded_url: str
) -> None:
    client, _, _ = cached
    origin = {"Origin": "https://reader.example"}
    etag = client.get(DETAIL, headers=origin).headers["etag"]
    from_entry = client.get(DETAIL, headers={**origin, "If-None-Match": etag})
    with counted_client(seeded_url, response_cache=False) as (uncached, counter, _):
        from_stack = uncached.get(DETAIL, headers={**origin, "If-None-Match": etag})
        assert counter.calls == 1
    assert (from_entry.status_code, from_stack.status_code) == (304, 304)
    assert sorted(h for h in from_entry.headers.multi_items() if h[0] != "date") == sorted(
        h for h in from_stack.headers.multi_items() if h[0] != "date"
    )
    assert from_entry.headers["access-control-allow-origin"] == "*"


def test_if_modified_since_is_answered_as_the_stack_does(
    cached: tuple[TestClient, Counting, Any],
) -> None:
    client, _, engine = cached
    with Session(engine) as session, session.begin():  # settled: see app.http.conditional
        state = session.get(DatasetState, 1)
        assert state is not None
        state.changed_at -= timedelta(seconds=10)
    first = client.get(DETAIL)
    since = {"If-Modified-Since": first.headers["last-modified"]}
    assert [client.get(DETAIL, headers=since).status_code for _ in range(2)] == [304, 304]
    assert (
        client.get(DETAIL, headers={"If-Modified-Since": "Mon, 01 Jan 2001 00:00:00 GMT"}).content
        == first.content
    )


def test_a_range_request_after_a_cached_get_gets_its_part(seeded_url: str, tmp_path: Path) -> None:
    with counted_client(seeded_url, dump_cache_dir=tmp_path / "dumps") as (client, _, _):
        whole = client.get("/v1/dump")
        assert client.get("/v1/dump").content == whole.content  # a hit
        size = len(whole.content)
        part = client.get("/v1/dump", headers={"Range": "bytes=0-9"})
        assert (part.status_code, part.content) == (206, whole.content[:10])
        assert part.headers["content-range"] == f"bytes 0-9/{size}"
        resumed = client.get(
            "/v1/dump", headers={"Range": "bytes=10-", "If-Range": whole.headers["etag"]}
        )
        assert (resumed.status_code, resumed.content) == (206, whole.content[10:])
        beyond = client.get("/v1/dump", headers={"Range": f"bytes={size}-"})
        assert (beyond.status_code, beyond.headers["content-range"]) == (416, f"bytes */{size}")
