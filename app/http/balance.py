"""Even out keep-alive connections across the workers of one `roundup serve`.

The workers share one listening socket, and the worker first in accept() takes every
connection waiting: a burst of 16 new connections can land 13 on one worker and 3 on the
other, where they stay while they are kept alive. The first worker then queues 13 clients
and the second serves 3 (the p99 of the article detail went from 34 to 69 ms between such
runs). So each worker publishes how many connections it holds, one small file per worker in
a private folder that `roundup serve` makes, locked by its worker while it lives. A worker
holding more than its even share (the total over the workers, rounded up) answers one
request with `Connection: close` per refresh interval, and that client reconnects. The
kernel picks the worker that accepts it: mostly one waiting in accept(), that is, one with
less to do, but a loaded machine can hand it back to the busy worker, which then asks again
an interval later. Balancing is an
optimization: any error in it turns it off for the worker (logged once), never a request.
"""

import fcntl
import logging
import math
import os
import shutil
import stat
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

log = logging.getLogger("roundup")

# `roundup serve` names the folder here for its workers (they inherit the environment).
FOLDER_VARIABLE = "ROUNDUP_WORKER_SHARES"
# How often a worker reads the others' counts; it closes at most one connection in each
# interval, so a client holding many idle connections cannot make it close many.
REFRESH_SECONDS = 0.1
_SUFFIX = ".count"


class WorkerShares:
    """This worker's connection count, published in a file of `folder` that it keeps locked,
    and the others' counts, read at most every `refresh` seconds (a file nobody holds
    locked is a gone worker's: removed)."""

    def __init__(
        self,
        folder: Path,
        refresh: float = REFRESH_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.folder = folder
        self.refresh = refresh
        self.clock = clock
        self.published = -1
        self.closing = 0  # connections told to close whose close has not happened yet
        self.read_at = -math.inf
        self.broken = False
        # Locked before it is named as a count: another worker never finds it unlocked
        # (the sign of a gone worker) and removes it.
        self.fd, name = tempfile.mkstemp(suffix=".new", dir=folder)
        fcntl.flock(self.fd, fcntl.LOCK_EX)
        self.path = Path(name).with_suffix(_SUFFIX)
        os.rename(name, self.path)

    def publish(self, count: int) -> None:
        """Record that this worker now holds `count` connections."""
        if count != self.published and not self.broken:
            try:
                os.pwrite(self.fd, f"{count:<12}".encode(), 0)
            except OSError as error:
                self._break(error)
            self.published = count

    def should_close(self, count: int) -> bool:
        """True when this worker, holding `count` connections, should close one after its
        current response: it holds more than its even share, and has not closed one since
        it last read the counts. The caller calls `closed()` when that connection is gone."""
        now = self.clock()
        if self.broken or now - self.read_at < self.refresh:
            return False
        self.read_at = now
        try:
            others = list(self._others())
        except (OSError, ValueError) as error:
            self._break(error)
            return False
        # The clients told to close will connect again somewhere: they stay in the total.
        fair = math.ceil((count + sum(others)) / (len(others) + 1))
        if count - self.closing <= fair:
            return False
        self.closing += 1
        return True

    def closed(self) -> None:
        """A connection told to close is gone."""
        self.closing = max(0, self.closing - 1)

    def _others(self) -> Iterator[int]:
        for entry in os.scandir(self.folder):
            if entry.name.endswith(_SUFFIX) and entry.path != str(self.path):
                count = _live_count(Path(entry.path))
                if count is not None:
                    yield count

    def _break(self, error: Exception) -> None:
        if not self.broken:
            log.warning("workers stop evening out their connections: %s", error)
        self.broken = True


def _live_count(path: Path) -> int | None:
    """The count in a worker's file while its worker holds it locked; a file nobody holds is
    removed (its worker is gone) and counts for nothing."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    except FileNotFoundError:
        return None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            text = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
            return int(text) if text.isascii() and text.isdigit() else None
        with suppress(FileNotFoundError):
            path.unlink()
        return None
    finally:
        os.close(fd)


@contextmanager
def shared_folder(workers: int) -> Iterator[None]:
    """For `workers` > 1, a private folder (0700, this user's) for the workers' counts, named
    to them in the environment, removed afterwards; nothing for a single worker."""
    try:
        folder = tempfile.mkdtemp(prefix="roundup-workers-") if workers > 1 else None
    except OSError as error:  # no writable temporary folder: serve without evening out
        log.warning("workers will not even out their connections: %s", error)
        folder = None
    if folder is None:
        yield
        return
    os.environ[FOLDER_VARIABLE] = folder
    try:
        yield
    finally:
        os.environ.pop(FOLDER_VARIABLE, None)
        shutil.rmtree(folder, ignore_errors=True)


_made: dict[tuple[Path, int], WorkerShares | None] = {}


def worker_shares() -> WorkerShares | None:
    """This worker's shares, one per process, when `roundup serve` runs several workers (else
    None): the folder must be a directory of this user's that no one else can write. The app
    asks for them when it is built, so a worker that has no connection yet counts too."""
    named = os.environ.get(FOLDER_VARIABLE)
    if not named:
        return None
    folder = Path(named)
    key = (folder, os.getpid())
    if key not in _made:
        _made[key] = _open_shares(folder)
    return _made[key]


def _open_shares(folder: Path) -> WorkerShares | None:
    try:
        info = folder.lstat()
        private = stat.S_ISDIR(info.st_mode) and not info.st_mode & 0o077
        if not private or info.st_uid != os.getuid():
            log.warning("workers will not even out their connections: %s is not private", folder)
            return None
        shares = WorkerShares(folder)
        shares.publish(0)
    except OSError as error:
        log.warning("workers will not even out their connections: %s", error)
        return None
    return shares
