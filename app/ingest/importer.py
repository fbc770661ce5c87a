"""`roundup import`: roundups parsed and annotated across the cores, then written.

Every file is reported: inserted, updated, unchanged, or failed with `file:line: reason`. A
file that fails is rolled back alone; the files before and after it are kept. A file whose
bytes are those of a loaded roundup is reported `unchanged` without being parsed (unless it
has curated annotations, which may have changed).

How the rows are written depends on how many files there are:

- a few (fewer than MANY_FILES): one transaction per file, as each is parsed;
- many, into a database without roundups: one transaction for all, the new roundups' rows
  inserted many to a statement and the indexes built once at the end (`bulk.py`); a killed
  import leaves nothing, and a database error starts over in batches;
- many, next to loaded roundups: a transaction per BATCH_FILES files, new roundups inserted
  many to a statement and the others updated row by row; a batch that fails is written again
  one transaction per file, so only the bad file is lost.

Each roundup is thus always entirely written or not at all.
"""

import hashlib
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import BinaryIO, Literal

from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, col, select

from app.ingest.bulk import insert_new
from app.ingest.deferred import indexes_afterwards
from app.ingest.errors import SourceError
from app.ingest.files import read_bytes
from app.ingest.limits import MAX_FILE_BYTES
from app.ingest.load import Catalog, LoadReport, bump_version, load, load_catalog
from app.ingest.pool import Parsed, Setup, Work, parse_all
from app.ingest.rows import DocumentRows
from app.models import AnnotationSource, Article

STDIN = "-"
STDIN_NAME = "<stdin>"
MANY_FILES = 20
BATCH_FILES = 200
FILE_SECONDS = 30.0
"""The time budget to parse and annotate one file (enforced with more than one worker)."""
Status = Literal["inserted", "updated", "unchanged", "failed"]
Transaction = Callable[[], AbstractContextManager[Session]]
"""Opens one unit of work: a session whose changes are committed on a clean exit."""


@dataclass(frozen=True)
class ImportResult:
    source: str
    status: Status
    slug: str | None = None
    annotation_source: AnnotationSource | None = None
    report: LoadReport | None = None
    error: str | None = None

    def __str__(self) -> str:
        if self.error is not None:
            return f"{self.status:<9} {self.error}"
        source = self.annotation_source.value if self.annotation_source else "?"
        counts = f"; {self.report}" if self.report and self.report.changed else ""
        return f"{self.status:<9} {self.source}  {self.slug}  ({source}{counts})"


def expand(paths: Sequence[str]) -> list[str]:
    """Folders become their *.txt files (sorted); files and '-' stay as given. A path that does
    not exist stays too: it fails when it is read, and is reported with the others."""
    found: list[str] = []
    for name in paths:
        path = Path(name)
        if name != STDIN and path.is_dir():
            found.extend(str(child) for child in sorted(path.glob("*.txt")))
        else:
            found.append(name)
    return found


def import_catalog(transaction: Transaction, catalog: Catalog) -> LoadReport:
    """Load the taxonomy and the gazetteer, which every roundup is loaded against."""
    report = LoadReport()
    with transaction() as session:
        load_catalog(session, catalog, report)
        if report.changed:
            bump_version(session)
    return report


def import_sources(
    names: Sequence[str],
    *,
    catalog: Catalog,
    annotations_dir: Path,
    transaction: Transaction,
    stdin: BinaryIO,
    published_on: date | None = None,
    workers: int = 0,
    budget: float = FILE_SECONDS,
    skip_unchanged: bool = True,
    batch_size: int = BATCH_FILES,
    progress: Callable[[], object] | None = None,
) -> Iterator[ImportResult]:
    """Import each source, yielding its result once it is committed (in the order given).

    `workers` > 1 parse in that many processes; `skip_unchanged` reports a file holding a
    loaded roundup's bytes `unchanged` without parsing it (turn it off after changing what
    annotates: the tag patterns or the rules); `progress` is called as each file is parsed."""
    with transaction() as session:
        stored = (
            dict(session.exec(select(Article.source_sha256, Article.slug)).all())
            if skip_unchanged
            else {}
        )
        empty = session.exec(select(Article.id).limit(1)).first() is None
    many = len(names) >= MANY_FILES
    parsed = parse_all(
        (_read(name, stdin, stored, annotations_dir) for name in names),
        Setup(catalog, annotations_dir, published_on),
        workers=workers if many else 0,
        budget=budget,
        # A batch is written while the workers parse the next one (not wait for it).
        ahead=batch_size + 4 * workers,
    )
    accepted = _accepted(_counted(parsed, progress))
    if not many:
        for item in accepted:
            yield (
                item if isinstance(item, ImportResult) else _write_one(*item, catalog, transaction)
            )
    elif empty:
        results = _first_load(accepted, catalog, transaction, batch_size)
        if results is None:  # a database error: start over, in batches
            yield from import_sources(
                names,
                catalog=catalog,
                annotations_dir=annotations_dir,
                transaction=transaction,
                stdin=stdin,
                published_on=published_on,
                workers=workers,
                budget=budget,
                skip_unchanged=skip_unchanged,
                batch_size=batch_size,
            )
        else:
            yield from results
    else:
        for batch in _batches(accepted, batch_size):
            yield from _write_batch(batch, catalog, transaction)


Entry = ImportResult | tuple[str, DocumentRows]
"""A file's final result already, or its rows to write."""


def _read(
    name: str, stdin: BinaryIO, stored: dict[str, str], annotations_dir: Path
) -> Work | Parsed:
    source = STDIN_NAME if name == STDIN else name
    try:
        raw = _read_stdin(stdin) if name == STDIN else read_bytes(Path(name))
    except SourceError as error:
        return Parsed(source, error=str(error))
    slug = stored.get(hashlib.sha256(raw).hexdigest())
    if slug is not None and not (annotations_dir / f"{slug}.yaml").is_file():
        return Parsed(source, unchanged=slug)
    return Work(source, raw)


def _read_stdin(stdin: BinaryIO) -> bytes:
    raw = stdin.read(MAX_FILE_BYTES + 1)
    if len(raw) > MAX_FILE_BYTES:
        raise SourceError(STDIN_NAME, 0, f"more than {MAX_FILE_BYTES:,} bytes; not read")
    return raw


def _counted(items: Iterable[Parsed], progress: Callable[[], object] | None) -> Iterator[Parsed]:
    for item in items:
        if progress is not None:
            progress()
        yield item


def _accepted(items: Iterable[Parsed]) -> Iterator[Entry]:
    """Results for the files that need no writing; a roundup met a second time fails."""
    loaded_from: dict[str, str] = {}
    for item in items:
        if item.error is not None:
            yield ImportResult(item.source, "failed", error=item.error)
            continue
        slug = item.unchanged or (item.rows.slug if item.rows else "")
        if slug in loaded_from:
            yield ImportResult(
                item.source,
                "failed",
                slug=slug,
                error=f"{item.source}:1: the same roundup ({slug}) as {loaded_from[slug]};"
                " not loaded",
            )
            continue
        loaded_from[slug] = item.source
        if item.rows is None:
            yield ImportResult(item.source, "unchanged", slug, AnnotationSource.RULES)
        else:
            yield item.source, item.rows


def _batches(entries: Iterable[Entry], size: int) -> Iterator[list[Entry]]:
    """`entries` in lists holding `size` documents at most."""
    batch: list[Entry] = []
    documents = 0
    for entry in entries:
        batch.append(entry)
        documents += not isinstance(entry, ImportResult)
        if documents == size:
            yield batch
            batch, documents = [], 0
    if batch:
        yield batch


def _write_one(
    source: str, rows: DocumentRows, catalog: Catalog, transaction: Transaction
) -> ImportResult:
    """One roundup in its own transaction."""
    slug = rows.slug
    report = LoadReport()
    try:
        with transaction() as session:
            existed = session.exec(select(Article.id).where(Article.slug == slug)).first()
            load(session, rows, catalog, report)
            if report.changed:
                bump_version(session)
    except SQLAlchemyError as error:
        return _database_error(source, slug, error)
    except Exception as error:  # a defect, not the database: still only this file fails
        return ImportResult(source, "failed", slug=slug, error=f"{source}: cannot load: {error!r}")
    status: Status = "inserted" if existed is None else "updated" if report.changed else "unchanged"
    return ImportResult(source, status, slug, rows.annotator, report)


def _database_error(source: str, slug: str, error: SQLAlchemyError) -> ImportResult:
    reason = getattr(error, "orig", None) or error
    return ImportResult(source, "failed", slug=slug, error=f"{source}: database error: {reason}")


def _write_batch(
    batch: list[Entry], catalog: Catalog, transaction: Transaction
) -> list[ImportResult]:
    """The batch's roundups in one transaction; if that fails, each in its own."""
    documents = [entry for entry in batch if not isinstance(entry, ImportResult)]
    try:
        with transaction() as session:
            written = iter(_write_many(session, documents, catalog))
    except Exception:  # which file it was is found by writing each alone
        written = iter([_write_one(*entry, catalog, transaction) for entry in documents])
    return [entry if isinstance(entry, ImportResult) else next(written) for entry in batch]


def _write_many(
    session: Session, documents: list[tuple[str, DocumentRows]], catalog: Catalog
) -> list[ImportResult]:
    """New roundups inserted many rows to a statement, the others loaded row by row."""
    slugs = [rows.slug for _, rows in documents]
    existing = set(session.exec(select(Article.slug).where(col(Article.slug).in_(slugs))).all())
    new = [rows for _, rows in documents if rows.slug not in existing]
    inserted = iter(insert_new(session, new, catalog))
    results = []
    for source, rows in documents:
        if rows.slug not in existing:
            report = next(inserted)
            results.append(ImportResult(source, "inserted", rows.slug, rows.annotator, report))
            continue
        report = LoadReport()
        load(session, rows, catalog, report)
        status: Status = "updated" if report.changed else "unchanged"
        results.append(ImportResult(source, status, rows.slug, rows.annotator, report))
    if any(result.report and result.report.changed for result in results):
        bump_version(session)
    return results


def _first_load(
    entries: Iterable[Entry], catalog: Catalog, transaction: Transaction, size: int
) -> list[ImportResult] | None:
    """Every roundup in one transaction, into a database without roundups, the indexes
    built once at the end; None if the database fails (nothing is written then)."""
    results: list[ImportResult] = []
    try:
        with transaction() as session, indexes_afterwards(session):
            for batch in _batches(entries, size):
                documents = [entry for entry in batch if not isinstance(entry, ImportResult)]
                written = iter(_write_many(session, documents, catalog))
                results += [
                    entry if isinstance(entry, ImportResult) else next(written) for entry in batch
                ]
    except Exception:
        return None
    return results


def summary(results: Sequence[ImportResult]) -> str:
    counts = Counter(result.status for result in results)
    return (
        f"import: {len(results)} file{'s' if len(results) != 1 else ''}:"
        f" {counts['inserted']} inserted, {counts['updated']} updated,"
        f" {counts['unchanged']} unchanged, {counts['failed']} failed"
    )
