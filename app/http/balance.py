"""Even out keep-alive connections across the workers of one `roundup serve`.

The workers share one listening socket, and the worker first in accept() takes every
connection waiting: a burst of 16 new connections can land 13 on one worker and 3 on the
other, where they stay while they are kept alive. The first worker then queues 13 clients
and the second serves 3 (the p99 of the article detail went from 34 to 69 ms between such
runs). So each worker publishes how many connections it holds, one small file per worker in
a private folder that `roundup serve` makes; a worker holding more than its share plus one
answers its next requests with `Connection: close`, one per connection over, and those
clients reconnect, mostly to a worker waiting in accept(), that is, one with less to do.
"""

import logging
import math
import os
import shutil
import stat
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

log = logging.getLogger("roundup")

# `roundup serve` names the folder here for its workers (they inherit the environment).
FOLDER_VARIABLE = "ROUNDUP_WORKER_SHARES"
# How often a worker reads the others' counts (between reads it closes at most the excess
# it saw last).
REFRESH_SECONDS = 0.1


class WorkerShares:
    """This worker's connection count, published in `folder/<pid>`, and the others' counts,
    read at most every `refresh` seconds."""

    def __init__(
        self,
        folder: Path,
        pid: int,
        refresh: float = REFRESH_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.folder = folder
        self.pid = pid
        self.refresh = refresh
        self.clock = clock
        self.published = -1
        self.excess = 0
        self.read_at = -math.inf
        flags = os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW
        self.fd = os.open(folder / str(pid), flags, 0o600)

    def publish(self, count: int) -> None:
        """Record that this worker now holds `count` connections."""
        if count != self.published:
            os.pwrite(self.fd, f"{count:<12}".encode(), 0)
            self.published = count

    def should_close(self, count: int) -> bool:
        """True when this worker, holding `count` connections, should close one after its
        current response: it holds more than its even share plus one."""
        now = self.clock()
        if now - self.read_at >= self.refresh:
            self.read_at = now
            others = list(self._others())
            fair = math.ceil((count + sum(others)) / (len(others) + 1))
            self.excess = max(0, count - fair)
        if self.excess == 0:
            return False
        self.excess -= 1
        return True

    def _others(self) -> Iterator[int]:
        """The other live workers' counts; a file left by a worker that is gone is removed."""
        for entry in os.scandir(self.folder):
            if not entry.name.isdigit() or int(entry.name) == self.pid:
                continue
            try:
                os.kill(int(entry.name), 0)
            except ProcessLookupError:
                Path(entry.path).unlink(missing_ok=True)
                continue
            except PermissionError:
                continue  # not ours: never counted
            try:
                text = Path(entry.path).read_text(encoding="ascii").strip()
            except FileNotFoundError:
                continue
            if text.isdigit():
                yield int(text)


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


_made: dict[tuple[Path, int], WorkerShares] = {}


def worker_shares() -> WorkerShares | None:
    """This worker's shares, one per process, when `roundup serve` runs several workers (else
    None): the folder must be a directory of this user's that no one else can write. The app
    asks for them when it is built, so a worker that has no connection yet counts too."""
    named = os.environ.get(FOLDER_VARIABLE)
    if not named:
        return None
    folder = Path(named)
    try:
        info = folder.lstat()
    except OSError:
        return None
    private = stat.S_ISDIR(info.st_mode) and not info.st_mode & 0o077
    if not private or info.st_uid != os.getuid():
        return None
    key = (folder, os.getpid())
    if key not in _made:
        _made[key] = WorkerShares(folder, os.getpid())
        _made[key].publish(0)
    return _made[key]
