"""The seed pipeline: read and check every file first, then load them all (caller commits)."""

from pathlib import Path

from sqlmodel import Session

from app.ingest.files import read_catalog, read_document, source_files
from app.ingest.load import LoadReport, bump_version, load, load_catalog


def seed(session: Session, paths: list[Path], seed_dir: Path) -> LoadReport:
    """Load the roundups at `paths` against the catalog in `seed_dir`; flushes, never commits.

    Every file is parsed and checked before the first row is written.
    """
    catalog = read_catalog(seed_dir)
    documents = [
        read_document(path, catalog, seed_dir / "annotations") for path in source_files(paths)
    ]
    report = LoadReport()
    load_catalog(session, catalog, report)
    for document in documents:
        load(session, document, catalog, report)
    if report.changed or report.reindexed:
        bump_version(session)
    return report
