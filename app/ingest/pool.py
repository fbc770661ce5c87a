"""Parse and annotate many sources across the cores, in order, each within a time budget.

A source that raises is reported by itself (`file:line: reason` for a bad roundup, the
exception otherwise); one that takes longer than its budget has its worker killed and is
reported too, and the sources after it carry on in new workers.
"""

import time
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from app.ingest.errors import SourceError
from app.ingest.files import annotated_document
from app.ingest.load import Catalog
from app.ingest.rows import DocumentRows, document_rows


@dataclass(frozen=True)
class Work:
    """A source read and to be parsed: `source` is the name it is reported by."""

    source: str
    raw: bytes


@dataclass(frozen=True)
class Parsed:
    """A source parsed, annotated and turned into rows (`rows`, search terms included: the
    work done in a worker process), or why not (`error`), or found to be the loaded roundup
    `unchanged` byte for byte (so not parsed at all)."""

    source: str
    rows: DocumentRows | None = None
    error: str | None = None
    unchanged: str | None = None


@dataclass(frozen=True)
class Setup:
    catalog: Catalog
    annotations_dir: Path
    published_on: date | None


def parse_one(work: Work, setup: Setup) -> Parsed:
    """`work` parsed, annotated and in rows, or the reason it cannot be; never raises."""
    try:
        document = annotated_document(
            work.source,
            work.raw,
            setup.catalog,
            setup.annotations_dir,
            require_curated=False,
            published_on=setup.published_on,
        )
        return Parsed(work.source, rows=document_rows(document, setup.catalog))
    except SourceError as error:
        return Parsed(work.source, error=str(error))
    except Exception as error:  # a defect, not a bad file: still only this file fails
        return Parsed(work.source, error=f"{work.source}: cannot parse: {error!r}")


_setup: Setup | None = None


def _start_worker(setup: Setup) -> None:
    global _setup  # one per worker process, set once when it starts
    _setup = setup


def _parse_in_worker(work: Work) -> Parsed:
    assert _setup is not None  # noqa: S101 - set by the pool's initializer
    return parse_one(work, _setup)


def parse_all(
    items: Iterable[Work | Parsed],
    setup: Setup,
    *,
    workers: int,
    budget: float,
    ahead: int = 0,
) -> Iterator[Parsed]:
    """Each item parsed (a `Parsed` passes through), in the order given. With `workers` > 1
    the work goes to that many processes, up to `ahead` items (at least 4 per worker) before
    the one the caller takes next, so that they go on parsing while the caller is busy with
    what it took; otherwise it is done here (no budget then)."""
    if workers <= 1:
        for item in items:
            yield item if isinstance(item, Parsed) else parse_one(item, setup)
        return
    ahead = max(ahead, workers * 4)
    queue: deque[tuple[Work | Parsed, Future[Parsed] | None]] = deque()
    pending = iter(items)
    pool = _pool(workers, setup)
    try:
        while True:
            while len(queue) < ahead and (incoming := next(pending, None)) is not None:
                queue.append((incoming, _submit(pool, incoming)))
            if not queue:
                return
            item, future = queue.popleft()
            if future is None:
                assert isinstance(item, Parsed)  # noqa: S101
                yield item
                continue
            assert isinstance(item, Work)  # noqa: S101
            started = time.monotonic()
            try:
                yield future.result(timeout=max(0.0, budget - (time.monotonic() - started)))
                continue
            except FutureTimeout:
                reason = f"not parsed within {budget:g} s; skipped"
            except Exception as error:  # the worker died (killed, out of memory)
                reason = f"the parsing process failed: {error!r}"
            yield Parsed(item.source, error=f"{item.source}: {reason}")
            # Stop every worker (one is stuck) and give the work not done yet to new ones.
            _kill(pool)
            pool = _pool(workers, setup)
            queue = deque(
                (queued, f if f is not None and _succeeded(f) else _submit(pool, queued))
                for queued, f in queue
            )
    finally:
        pool.shutdown(wait=False, cancel_futures=True)


def _pool(workers: int, setup: Setup) -> ProcessPoolExecutor:
    return ProcessPoolExecutor(workers, initializer=_start_worker, initargs=(setup,))


def _submit(pool: ProcessPoolExecutor, item: Work | Parsed) -> Future[Parsed] | None:
    return None if isinstance(item, Parsed) else pool.submit(_parse_in_worker, item)


def _succeeded(future: Future[Parsed]) -> bool:
    return future.done() and not future.cancelled() and future.exception() is None


def _kill(pool: ProcessPoolExecutor) -> None:
    for process in list(pool._processes.values()):
        process.kill()
    pool.shutdown(wait=True, cancel_futures=True)
