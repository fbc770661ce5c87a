"""/v1/dump is built once per data version, in the background, and served as a file."""

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.config import get_settings
from app.routes import documents


@pytest.fixture
def builds(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[list[float]]:
    """A fresh cache directory; each build of the dump is recorded (its start time)."""
    monkeypatch.setenv("ROUNDUP_DUMP_CACHE_DIR", str(tmp_path / "dumps"))
    get_settings.cache_clear()
    started: list[float] = []
    build = documents._build_dump

    def recorded(*args: Any) -> str:
        started.append(time.monotonic())
        return build(*args)

    monkeypatch.setattr(documents, "_build_dump", recorded)
    yield started
    get_settings.cache_clear()


def test_two_gets_build_once(client: TestClient, builds: list[float], tmp_path: Path) -> None:
    first = client.get("/v1/dump")
    second = client.get("/v1/dump")
    assert (first.status_code, second.status_code, len(builds)) == (200, 200, 1)
    assert first.content == second.content
    assert first.headers["etag"] == second.headers["etag"]
    assert first.headers["accept-ranges"] == "bytes"
    # One file, in the database's own folder, named for the data version.
    [built] = (tmp_path / "dumps").glob("*/*.gz")
    assert built.name.endswith("-roundup-dump.jsonl.gz")
    assert built.read_bytes() == first.content


def test_head_builds_once_and_answers_like_get(client: TestClient, builds: list[float]) -> None:
    head = client.head("/v1/dump")
    get = client.get("/v1/dump")
    assert (head.status_code, head.content, len(builds)) == (200, b"", 1)
    assert {k: v for k, v in head.headers.items() if k != "date"} == {
        k: v for k, v in get.headers.items() if k != "date"
    }
    assert head.headers["content-length"] == str(len(get.content))


def test_ranges(client: TestClient, builds: list[float]) -> None:
    whole = client.get("/v1/dump").content
    size = len(whole)
    part = client.get("/v1/dump", headers={"Range": "bytes=100-199"})
    assert (part.status_code, part.content) == (206, whole[100:200])
    assert part.headers["content-range"] == f"bytes 100-199/{size}"
    tail = client.get("/v1/dump", headers={"Range": "bytes=-10"})
    assert (tail.status_code, tail.content) == (206, whole[-10:])
    beyond = client.get("/v1/dump", headers={"Range": f"bytes={size}-"})
    assert (beyond.status_code, beyond.headers["content-range"]) == (416, f"bytes */{size}")
    assert beyond.headers["content-type"] == "application/problem+json"
    assert beyond.json() == {
        "type": "about:blank",
        "title": "Requested Range Not Satisfiable",
        "status": 416,
        "detail": "The range starts past the end of the file.",
        "instance": "/v1/dump",
    }
    # If-Range with the current ETag resumes; with another one, the whole file comes back.
    etag = client.get("/v1/dump").headers["etag"]
    resumed = client.get("/v1/dump", headers={"Range": "bytes=10-", "If-Range": etag})
    assert (resumed.status_code, resumed.content) == (206, whole[10:])
    stale = client.get("/v1/dump", headers={"Range": "bytes=10-", "If-Range": '"old"'})
    assert (stale.status_code, stale.content) == (200, whole)
    assert len(builds) == 1


def test_a_slow_build_runs_once_while_requests_get_a_503(
    client: TestClient, builds: list[float], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ROUNDUP_REQUEST_TIMEOUT_S", "0.4")  # requests wait 0.2 s for a build
    get_settings.cache_clear()
    build = documents._build_dump

    def slow(*args: Any) -> str:
        time.sleep(1)
        return build(*args)

    monkeypatch.setattr(documents, "_build_dump", slow)
    waiting = [client.get("/v1/dump") for _ in range(3)]
    assert [r.status_code for r in waiting] == [503, 503, 503]
    assert waiting[0].headers["retry-after"] == "10"
    assert waiting[0].json()["detail"] == (
        "The dump of the current data is being built; try again shortly."
    )
    time.sleep(1.2)
    assert client.get("/v1/dump").status_code == 200
    assert len(builds) == 1
