"""The dump file, built once per data version into a cache directory and served from there.

A request that finds no file for the current version starts one build in the background (one
per version: a thread per process, and a file lock across the processes sharing the
directory) and waits for it a little; a build outlasting that wait goes on alone, and the
request answers 503 with Retry-After. Only one build per version ever runs, however many
requests ask, and a finished build serves every later request as a file (ETag, Range).
"""

import fcntl
import logging
import os
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from app.exports.dump import FILENAME

Build = Callable[[Path], str]
log = logging.getLogger("roundup")


class DataChangedError(Exception):
    """A load committed a newer version before the build read the data; its requests will
    ask for that version's file."""


@dataclass(frozen=True)
class DumpFile:
    path: Path
    sha256: str


_lock = threading.Lock()
_building: dict[Path, threading.Thread] = {}


def dump_file(folder: Path, version: str, build: Build, wait_s: float) -> DumpFile | None:
    """The dump of `version` in `folder`, built by `build(path)` (which writes the file and
    returns its SHA-256) if it is not there yet; None if the build takes longer than `wait_s`."""
    path = folder / f"{version}-{FILENAME}"
    found = _read(path)
    if found is not None:
        return found
    with _lock:
        thread = _building.get(path)
        if thread is None or not thread.is_alive():
            thread = threading.Thread(
                target=_build_once, args=(path, build), name=f"dump {version}", daemon=True
            )
            _building[path] = thread
            thread.start()
    thread.join(wait_s)
    return _read(path)


def _read(path: Path) -> DumpFile | None:
    try:
        sha256 = _digest_path(path).read_text(encoding="ascii")
    except FileNotFoundError:
        return None
    return DumpFile(path, sha256) if path.exists() else None


def _digest_path(path: Path) -> Path:
    return path.with_name(path.name + ".sha256")


def _build_once(path: Path, build: Build) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with (path.parent / ".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # another process may be building it
        try:
            if _read(path) is not None:
                return
            handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".building-")
            os.close(handle)
            try:
                sha256 = build(Path(temporary))
                os.replace(temporary, path)
            except DataChangedError:
                log.info("dump %s not built: the data changed meanwhile", path.name)
                return
            finally:
                Path(temporary).unlink(missing_ok=True)
            _digest_path(path).write_text(sha256, encoding="ascii")
            _remove_older(path)
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
            with _lock:
                _building.pop(path, None)


def _remove_older(current: Path) -> None:
    """Dumps of earlier versions are never served again."""
    for other in current.parent.glob(f"*-{FILENAME}*"):
        if other.name not in (current.name, _digest_path(current).name):
            other.unlink(missing_ok=True)
