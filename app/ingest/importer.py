"""`roundup import`: each roundup parsed, annotated and loaded in its own transaction.

A file that fails is reported with `file:line: reason` and rolled back alone; the files before
and after it are kept. Re-importing a file that has not changed reports it `unchanged`.
"""

from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import BinaryIO, Literal

from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, select

from app.ingest.errors import SourceError
from app.ingest.files import annotated_document, read_bytes
from app.ingest.load import Catalog, LoadReport, bump_version, load, load_catalog
from app.models import AnnotationSource, Article

STDIN = "-"
STDIN_NAME = "<stdin>"
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
) -> Iterator[ImportResult]:
    """Import each source in turn, yielding its result as soon as it is committed."""
    loaded_from: dict[str, str] = {}
    for name in names:
        result = import_one(
            name,
            catalog=catalog,
            annotations_dir=annotations_dir,
            transaction=transaction,
            stdin=stdin,
            published_on=published_on,
            loaded_from=loaded_from,
        )
        if result.slug is not None and result.status != "failed":
            loaded_from[result.slug] = result.source
        yield result


def import_one(
    name: str,
    *,
    catalog: Catalog,
    annotations_dir: Path,
    transaction: Transaction,
    stdin: BinaryIO,
    published_on: date | None = None,
    loaded_from: dict[str, str] | None = None,
) -> ImportResult:
    source = STDIN_NAME if name == STDIN else name
    try:
        raw = stdin.read() if name == STDIN else read_bytes(Path(name))
        annotated = annotated_document(
            source,
            raw,
            catalog,
            annotations_dir,
            require_curated=False,
            published_on=published_on,
        )
    except SourceError as error:
        return ImportResult(source, "failed", error=str(error))
    slug = annotated.document.slug
    if loaded_from and slug in loaded_from:
        return ImportResult(
            source,
            "failed",
            slug=slug,
            error=f"{source}:1: the same roundup ({slug}) as {loaded_from[slug]}; not loaded",
        )
    report = LoadReport()
    try:
        with transaction() as session:
            existed = session.exec(select(Article.id).where(Article.slug == slug)).first()
            load(session, annotated, catalog, report)
            if report.changed:
                bump_version(session)
    except SQLAlchemyError as error:
        reason = getattr(error, "orig", None) or error
        return ImportResult(
            source, "failed", slug=slug, error=f"{source}: database error: {reason}"
        )
    status: Status = "inserted" if existed is None else "updated" if report.changed else "unchanged"
    return ImportResult(source, status, slug, annotated.annotator, report)


def summary(results: Sequence[ImportResult]) -> str:
    counts = Counter(result.status for result in results)
    return (
        f"import: {len(results)} file{'s' if len(results) != 1 else ''}:"
        f" {counts['inserted']} inserted, {counts['updated']} updated,"
        f" {counts['unchanged']} unchanged, {counts['failed']} failed"
    )
