"""Workers even out their keep-alive connections (app.http.balance)."""

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from app.http.balance import FOLDER_VARIABLE, WorkerShares, shared_folder, worker_shares


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def dead_pid() -> int:
    """The id of a process that has exited."""
    process = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        check=True,
        capture_output=True,
        text=True,
    )
    return int(process.stdout)


def closes(shares: WorkerShares, count: int, asked: int = 20) -> int:
    return sum(shares.should_close(count) for _ in range(asked))


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    made = tmp_path / "shares"
    made.mkdir(mode=0o700)
    return made


def test_a_worker_over_its_share_closes_the_excess_then_stops(folder: Path) -> None:
    clock = Clock()
    busy = WorkerShares(folder, os.getpid(), clock=clock)
    idle = WorkerShares(folder, os.getppid(), clock=clock)
    busy.publish(13)
    idle.publish(3)
    # 16 connections on 2 workers: 8 each. The busy one closes 5, once each; the idle none.
    assert closes(busy, 13) == 5
    assert closes(idle, 3) == 0
    assert (folder / str(os.getpid())).read_text().strip() == "13"


def test_the_counts_are_read_again_after_the_refresh_interval(folder: Path) -> None:
    clock = Clock()
    busy = WorkerShares(folder, os.getpid(), refresh=0.1, clock=clock)
    other = WorkerShares(folder, os.getppid(), clock=clock)
    busy.publish(7)
    other.publish(5)
    assert closes(busy, 7) == 1
    busy.publish(7)  # the client came back to this worker
    clock.now = 0.05
    assert closes(busy, 7) == 0  # not read again yet
    clock.now = 0.1
    assert closes(busy, 7) == 1
    other.publish(6)
    busy.publish(6)
    clock.now = 0.2
    assert closes(busy, 6) == 0  # even: nothing to do


def test_an_odd_total_leaves_one_more_on_a_worker_without_closing(folder: Path) -> None:
    first = WorkerShares(folder, os.getpid(), clock=Clock())
    second = WorkerShares(folder, os.getppid(), clock=Clock())
    first.publish(8)
    second.publish(7)
    assert closes(first, 8) == 0
    assert closes(second, 7) == 0


def test_files_of_gone_workers_are_removed_and_not_counted(folder: Path) -> None:
    gone = folder / str(dead_pid())
    gone.write_text("50")
    (folder / "notes").write_text("9")
    (folder / str(os.getppid())).write_text("garbage")
    shares = WorkerShares(folder, os.getpid(), clock=Clock())
    shares.publish(4)
    assert closes(shares, 4) == 0  # alone (the garbage count is skipped): nothing to even out
    assert not gone.exists()
    assert (folder / "notes").exists()


def test_shares_exist_only_in_a_private_folder_named_by_serve(
    folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(FOLDER_VARIABLE, raising=False)
    assert worker_shares() is None
    monkeypatch.setenv(FOLDER_VARIABLE, str(folder))
    shares = worker_shares()
    assert shares is not None
    assert (shares.folder, shares.pid) == (folder, os.getpid())
    open_folder = tmp_path / "open"
    open_folder.mkdir()
    open_folder.chmod(0o777)
    monkeypatch.setenv(FOLDER_VARIABLE, str(open_folder))
    assert worker_shares() is None
    link = tmp_path / "link"
    link.symlink_to(folder)
    monkeypatch.setenv(FOLDER_VARIABLE, str(link))
    assert worker_shares() is None
    monkeypatch.setenv(FOLDER_VARIABLE, str(tmp_path / "missing"))
    assert worker_shares() is None


def test_serve_makes_the_folder_for_several_workers_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(FOLDER_VARIABLE, raising=False)
    with shared_folder(1):
        assert FOLDER_VARIABLE not in os.environ
    with shared_folder(2):
        made = Path(os.environ[FOLDER_VARIABLE])
        assert made.is_dir()
        assert made.stat().st_mode & 0o777 == 0o700
    assert FOLDER_VARIABLE not in os.environ
    assert not made.exists()


def test_serve_goes_on_without_a_writable_temporary_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.delenv(FOLDER_VARIABLE, raising=False)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "missing"))
    with shared_folder(2):
        assert FOLDER_VARIABLE not in os.environ
    [message] = [record.message for record in caplog.records]
    expected = "workers will not even out their connections: [Errno 2] No such file or directory:"
    assert message.startswith(f"{expected} '{tmp_path / 'missing'}/roundup-workers-")
