"""The dump file, built once per data version into a cache directory and served from there.

A request that finds no file for the current version starts one build in the background (one
per version: a thread per process, and a file lock across the processes sharing the
directory) and waits for it a little; a build outlasting that wait goes on alone, and the
request answers 503 with Retry-After. Only one build per version ever runs, however many
requests ask, and a finished build serves every later request as a file (ETag, Range).

The folders are private: created 0700, and refused (UnsafeFolderError) unless each is a real
directory (not a symlink) owned by this user that no group or other user can write. Nobody
else can then plant a dump, a digest or a symlink in them, so a file found there with its
digest is served as it is. Files are opened without following symlinks all the same, and a
build removes the temporary files that builds killed midway left behind.
"""

import contextlib
import errno
import fcntl
import logging
import os
import stat
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from app.exports.dump import FILENAME

Build = Callable[[Path], str]
log = logging.getLogger("roundup")


class DataChangedError(Exception):
    """A load committed a newer version before the build read the data; its requests will
    ask for that version's file."""


class UnsafeFolderError(Exception):
    """The cache folder could be written by someone else; nothing in it is used."""


@dataclass(frozen=True)
class DumpFile:
    path: Path
    sha256: str


_lock = threading.Lock()
_building: dict[Path, threading.Thread] = {}


def dump_file(root: Path, name: str, version: str, build: Build, wait_s: float) -> DumpFile | None:
    """The dump of `version` in the folder `root/name`, built by `build(path)` (which writes
    the file and returns its SHA-256) if it is not there yet; None if the build takes longer
    than `wait_s`. Raises UnsafeFolderError if either folder is not private."""
    private_folder(root)
    folder = private_folder(root / name)
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


def private_folder(folder: Path) -> Path:
    """`folder`, created 0700 if missing; UnsafeFolderError unless it is a directory (not a
    symlink) owned by this user, with no group or other write permission."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(FileExistsError):
        os.mkdir(folder, 0o700)
    found = os.lstat(folder)
    if stat.S_ISLNK(found.st_mode):
        raise UnsafeFolderError(f"{folder} is a symlink")
    if not stat.S_ISDIR(found.st_mode):
        raise UnsafeFolderError(f"{folder} is not a directory")
    if found.st_uid != os.geteuid():
        raise UnsafeFolderError(f"{folder} is owned by user {found.st_uid}, not this user")
    if found.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        raise UnsafeFolderError(
            f"{folder} can be written by others (mode {stat.S_IMODE(found.st_mode):o})"
        )
    return folder


def _read(path: Path) -> DumpFile | None:
    """The dump at `path` and its digest, if both are regular files (never symlinks)."""
    try:
        with _open(_digest_path(path), os.O_RDONLY) as digest:
            sha256 = digest.read(64).decode("ascii", "replace")
        found = os.lstat(path)
    except FileNotFoundError:
        return None
    except OSError as error:
        if error.errno != errno.ELOOP:
            raise
        return None
    return DumpFile(path, sha256) if stat.S_ISREG(found.st_mode) else None


def _open(path: Path, flags: int) -> BinaryIO:
    """`path` opened without following a symlink (OSError ELOOP if it is one)."""
    fd = os.open(path, flags | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
    return os.fdopen(fd, "rb" if flags == os.O_RDONLY else "wb")


def _digest_path(path: Path) -> Path:
    return path.with_name(path.name + ".sha256")


def _build_once(path: Path, build: Build) -> None:
    try:
        lock = _open(path.parent / ".lock", os.O_WRONLY | os.O_CREAT)
    except OSError as error:
        log.error("dump %s not built: cannot open its lock file: %s", path.name, error)
        with _lock:
            _building.pop(path, None)
        return
    with lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # another process may be building it
        try:
            if _read(path) is not None:
                return
            _remove_stale_builds(path.parent)
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
            with _open(_digest_path(path), os.O_WRONLY | os.O_CREAT | os.O_TRUNC) as digest:
                digest.write(sha256.encode("ascii"))
            _remove_older(path)
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
            with _lock:
                _building.pop(path, None)


def _remove_stale_builds(folder: Path) -> None:
    """Holding the folder's lock, no build is running in it: a temporary file is what a
    killed build left."""
    for stale in folder.glob(".building-*"):
        log.warning("dump cache: removing %s, left by an unfinished build", stale.name)
        stale.unlink(missing_ok=True)


def _remove_older(current: Path) -> None:
    """Dumps of earlier versions are never served again."""
    for other in current.parent.glob(f"*-{FILENAME}*"):
        if other.name not in (current.name, _digest_path(current).name):
            other.unlink(missing_ok=True)
