"""/v1/dump is built once per data version, in the background, and served as a file."""

import os
import stat
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.config import Settings
from app.db import get_session
from app.main import App, create_app
from app.routes import documents


def app_for(session: Session, tmp_path: Path, **settings: Any) -> App:
    """An app building its dumps in a fresh cache directory, reading through the test's
    session."""
    app = create_app(Settings(dump_cache_dir=tmp_path / "dumps", **settings))
    app.api.dependency_overrides[get_session] = lambda: session
    return app


@pytest.fixture
def client(session: Session, tmp_path: Path) -> Iterator[TestClient]:
    with TestClient(app_for(session, tmp_path)) as client:
        yield client


@pytest.fixture
def builds(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Each build of the dump, recorded (its start time)."""
    started: list[float] = []
    build = documents._build_dump

    def recorded(*args: Any) -> str:
        started.append(time.monotonic())
        return build(*args)

    monkeypatch.setattr(documents, "_build_dump", recorded)
    return started


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
    session: Session, tmp_path: Path, builds: list[float], monkeypatch: pytest.MonkeyPatch
) -> None:
    build = documents._build_dump

    def slow(*args: Any) -> str:
        time.sleep(1)
        return build(*args)

    monkeypatch.setattr(documents, "_build_dump", slow)
    # Requests wait half the request timeout (0.2 s) for a build.
    with TestClient(app_for(session, tmp_path, request_timeout_s=0.4)) as client:
        waiting = [client.get("/v1/dump") for _ in range(3)]
        assert [r.status_code for r in waiting] == [503, 503, 503]
        assert waiting[0].headers["retry-after"] == "10"
        assert waiting[0].json()["detail"] == (
            "The dump of the current data is being built; try again shortly."
        )
        time.sleep(1.2)
        assert client.get("/v1/dump").status_code == 200
    assert len(builds) == 1


def _folder(tmp_path: Path) -> Path:
    """The database's folder under the cache directory (made by a first GET)."""
    [folder] = (tmp_path / "dumps").iterdir()
    return folder


def test_the_cache_folders_are_private(
    client: TestClient, builds: list[float], tmp_path: Path
) -> None:
    assert client.get("/v1/dump").status_code == 200
    root = tmp_path / "dumps"
    assert stat.S_IMODE(root.stat().st_mode) == 0o700
    assert stat.S_IMODE(_folder(tmp_path).stat().st_mode) == 0o700


def _writable_by_all(root: Path) -> None:
    root.mkdir(mode=0o777)
    root.chmod(0o777)


def _symlink(root: Path) -> None:
    (root.parent / "elsewhere").mkdir(mode=0o700)
    root.symlink_to(root.parent / "elsewhere")


def _someone_elses(root: Path) -> None:
    root.mkdir(mode=0o755)
    os.chown(root, 65534, 65534)


def _a_file(root: Path) -> None:
    root.write_text("")


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (_writable_by_all, "can be written by others (mode 777)"),
        (_symlink, "is a symlink"),
        pytest.param(
            _someone_elses,
            "is owned by user 65534, not this user",
            marks=pytest.mark.skipif(os.geteuid() != 0, reason="chown needs root"),
        ),
        (_a_file, "is not a directory"),
    ],
)
def test_a_cache_folder_others_could_write_is_refused(
    client: TestClient,
    builds: list[float],
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    make: Callable[[Path], None],
    reason: str,
) -> None:
    root = tmp_path / "dumps"
    make(root)
    response = client.get("/v1/dump")
    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json() == {
        "type": "about:blank",
        "title": "Service Unavailable",
        "status": 503,
        "detail": "The dump cannot be served: its cache folder is not private to the server.",
        "instance": "/v1/dump",
    }
    assert builds == []
    assert [r.getMessage() for r in caplog.records if r.levelname == "ERROR"] == [
        f"dump not served: ROUNDUP_DUMP_CACHE_DIR is not private: {root} {reason}"
    ]


def test_planted_symlinks_are_not_followed(
    client: TestClient, builds: list[float], tmp_path: Path
) -> None:
    """A symlink as the lock file, or as a dump with its digest, is neither written through
    nor served."""
    assert client.get("/v1/dump").status_code == 200
    folder = _folder(tmp_path)
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    [built] = folder.glob("*.gz")
    for name in (".lock", built.name):
        (folder / name).unlink()
        (folder / name).symlink_to(victim)
    builds.clear()
    response = client.get("/v1/dump")
    assert response.status_code == 503  # the build refused to open the lock
    assert response.content != b"precious"
    assert victim.read_text() == "precious"
    assert builds == []


def test_a_killed_build_leaves_no_file_behind(
    client: TestClient, builds: list[float], tmp_path: Path
) -> None:
    assert client.get("/v1/dump").status_code == 200
    folder = _folder(tmp_path)
    (folder / ".building-killed").write_bytes(b"half a dump")
    for old in folder.glob("*roundup-dump*"):
        old.unlink()  # as after a new load: the next GET builds again
    assert client.get("/v1/dump").status_code == 200
    assert sorted(p.name for p in folder.iterdir() if p.name.startswith(".")) == [".lock"]
