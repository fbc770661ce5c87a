"""The seed pipeline: read and check every file first, then load them all (caller commits)."""

from pathlib import Path

from sqlmodel import Session, select

from app.ingest.bulk import bulk_load
from app.ingest.files import read_catalog, read_document, source_files
from app.ingest.load import LoadReport, bump_version, load, load_catalog
from app.models import Article


def seed(session: Session, paths: list[Path], seed_dir: Path) -> LoadReport:
    """Load the roundups at `paths` against the catalog in `seed_dir`; flushes, never commits.

    Every file is parsed and checked before the first row is written. Each needs curated
    annotations (seed/ is the curated corpus); `roundup import` falls back to the rules.
    """
    catalog = read_catalog(seed_dir)
    documents = [
        read_document(path, catalog, seed_dir / "annotations") for path in source_files(paths)
    ]
    report = LoadReport()
    load_catalog(session, catalog, report)
    slugs = {document.document.slug for document in documents}
    first = session.exec(select(Article.id).limit(1)).first() is None
    if first and len(slugs) == len(documents):
        # The many-at-a-time writer, as `roundup import` takes into an empty database.
        bulk_load(session, documents, catalog, report)
    else:
        for document in documents:
            load(session, document, catalog, report)
    if report.changed or report.reindexed:
        bump_version(session)
    return report
