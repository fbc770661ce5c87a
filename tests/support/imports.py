"""Importing fixture roundups inside a test's transaction, through the real importer, with
the seed's catalog and annotations."""

import io
from pathlib import Path

from app.ingest.files import read_catalog
from app.ingest.importer import ImportResult, Transaction, import_sources
from tests.support.seed_facts import SEED_DIR


def import_files(
    paths: list[Path], transaction: Transaction, skip_unchanged: bool = True
) -> list[ImportResult]:
    """`roundup import` of `paths`, each file in a savepoint of the test's transaction."""
    results = import_sources(
        [str(path) for path in paths],
        catalog=read_catalog(SEED_DIR),
        annotations_dir=SEED_DIR / "annotations",
        transaction=transaction,
        stdin=io.BytesIO(),
        skip_unchanged=skip_unchanged,
    )
    return list(results)
