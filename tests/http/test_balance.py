"""Workers even out their keep-alive connections (app.http.balance).

Two `WorkerShares` in one process stand for two workers: each holds its own file's lock
through its own file description, which the other's check sees."""

import fcntl
import logging
import os
import tempfile
from pathlib import Path

import pytest

from app.http import balance
from app.http.balance import FOLDER_VARIABLE, WorkerShares, shared_folder, worker_shares


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    made = tmp_path / "shares"
    made.mkdir(mode=0o700)
    return made


def closes_over(shares: WorkerShares, clock: Clock, count: int, intervals: int) -> list[int]:
    """How many of three `should_close` calls said yes, in each of `intervals` refresh
    intervals."""
    asked = []
    for _ in range(intervals):
        clock.now += shares.refresh
        asked.append(sum(shares.should_close(count) for _ in range(3)))
    return asked


def test_a_worker_over_its_share_closes_one_connection_an_interval_until_even(
    folder: Path,
) -> None:
    clock = Clock()
    busy = WorkerShares(folder, refresh=1.0, clock=clock)
    idle = WorkerShares(folder, refresh=1.0, clock=clock)
    busy.publish(13)
    idle.publish(3)
    # 16 connections on 2 workers: 8 each. The busy one closes 5, one an interval, counting
    # those not yet gone; the idle one none.
    assert closes_over(busy, clock, 13, 8) == [1] * 5 + [0] * 3
    assert busy.closing == 5
    assert closes_over(idle, clock, 3, 3) == [0] * 3
    assert busy.path.read_text().strip() == "13"
    # Three of the five came back to the busy worker: 11 held, 8 its share.
    for _ in range(5):
        busy.closed()
    busy.publish(11)
    idle.publish(5)
    assert closes_over(busy, clock, 11, 5) == [1] * 3 + [0] * 2


def test_between_refreshes_nothing_is_closed_or_read(folder: Path) -> None:
    clock = Clock()
    busy = WorkerShares(folder, refresh=0.1, clock=clock)
    other = WorkerShares(folder, refresh=1.0, clock=clock)
    busy.publish(9)
    other.publish(3)
    assert busy.should_close(9)
    other.publish(0)
    clock.now = 0.05
    assert not busy.should_close(9)
    clock.now = 0.1
    assert busy.should_close(9)


def test_an_odd_total_leaves_one_more_on_a_worker_without_closing(folder: Path) -> None:
    clock = Clock()
    first = WorkerShares(folder, refresh=1.0, clock=clock)
    second = WorkerShares(folder, refresh=1.0, clock=clock)
    first.publish(8)
    second.publish(7)
    assert closes_over(first, clock, 8, 3) == [0] * 3
    assert closes_over(second, clock, 7, 3) == [0] * 3


def test_files_of_gone_workers_are_removed_and_not_counted(folder: Path) -> None:
    gone = folder / "gone.count"
    gone.write_text("50")  # nobody holds its lock: its worker is gone
    (folder / "notes").write_text("9")
    clock = Clock()
    alive = WorkerShares(folder, refresh=1.0, clock=clock)
    garbled = WorkerShares(folder, refresh=1.0, clock=clock)
    os.pwrite(garbled.fd, "²²".encode(), 0)  # digits to str.isdigit, not to int()
    alive.publish(4)
    assert closes_over(alive, clock, 4, 2) == [0, 0]  # alone with 4: even
    assert not gone.exists()
    assert (folder / "notes").exists()
    assert garbled.path.exists()


def test_a_file_is_locked_before_it_is_named_as_a_count(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another worker checking the folder while this one starts never finds its count
    unlocked, the sign of a gone worker's file, and so never removes it."""
    seen: list[tuple[bool, list[Path]]] = []
    rename = os.rename

    def watched(source: str, target: Path) -> None:
        fd = os.open(source, os.O_RDONLY)
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
            locked = False
        except BlockingIOError:
            locked = True
        finally:
            os.close(fd)
        seen.append((locked, sorted(folder.glob("*.count"))))
        rename(source, target)

    monkeypatch.setattr(os, "rename", watched)
    shares = WorkerShares(folder)
    assert seen == [(True, [])]
    assert sorted(folder.iterdir()) == [shares.path]
    assert shares.path.suffix == ".count"


def test_a_failure_turns_balancing_off_and_is_logged_once(
    folder: Path, caplog: pytest.LogCaptureFixture
) -> None:
    clock = Clock()
    busy = WorkerShares(folder, refresh=1.0, clock=clock)
    busy.publish(10)
    folder.rename(folder.with_name("moved"))
    assert closes_over(busy, clock, 10, 3) == [0] * 3
    assert busy.broken
    assert [record.message for record in caplog.records] == [
        f"workers stop evening out their connections: [Errno 2] No such file or directory:"
        f" '{folder}'"
    ]


def test_shares_exist_only_in_a_private_folder_named_by_serve(
    folder: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setattr(balance, "_made", {})
    monkeypatch.delenv(FOLDER_VARIABLE, raising=False)
    assert worker_shares() is None
    monkeypatch.setenv(FOLDER_VARIABLE, str(folder))
    shares = worker_shares()
    assert shares is not None
    assert worker_shares() is shares  # one per process
    assert shares.path.parent == folder
    assert shares.path.read_text().strip() == "0"  # counted before its first connection
    caplog.set_level(logging.WARNING)
    open_folder = tmp_path / "open"
    open_folder.mkdir()
    open_folder.chmod(0o777)
    link = tmp_path / "link"
    link.symlink_to(folder)
    for refused in (open_folder, link):
        monkeypatch.setenv(FOLDER_VARIABLE, str(refused))
        assert worker_shares() is None
    monkeypatch.setenv(FOLDER_VARIABLE, str(tmp_path / "missing"))
    assert worker_shares() is None
    assert [record.message for record in caplog.records] == [
        f"workers will not even out their connections: {open_folder} is not private",
        f"workers will not even out their connections: {link} is not private",
        "workers will not even out their connections: [Errno 2] No such file or directory:"
        f" '{tmp_path / 'missing'}'",
    ]


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
