"""Build the benchmark database: migrate, then load the synthetic corpus through the loader.

    python -m bench.load --roundups 200 --url sqlite:///bench/.cache/smoke.db

The whole load is one transaction, as `roundup seed` does it. `bulk_load` (the first-load
path) writes the corpus; before it, the per-row `load` is timed on a sample of the same
documents in a transaction that is rolled back, so both rates come from the same database.
"""

import argparse
import hashlib
import json
import time
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlmodel import Session

from app.config import PROJECT_DIR
from app.db import build_engine
from app.ingest.bulk import bulk_load
from app.ingest.document import AnnotatedDocument
from app.ingest.load import LoadReport, bump_version, load, load_catalog
from app.queries.meta import head_revision
from bench import corpus

CACHE_DIR = Path(__file__).resolve().parent / ".cache"
# Rows per roundup that the loader's report does not count: 35 arguments x 2 tags.
TAG_ROWS_PER_ROUNDUP = (
    corpus.RESPONSES_PER_ROUNDUP * corpus.ARGUMENTS_PER_RESPONSE * corpus.TAGS_PER_ARGUMENT
)


@dataclass
class LoadResult:
    roundups: int
    seed: int
    loader: str
    rows: int
    generate_seconds: float
    load_seconds: float
    rows_per_second: float
    sample_roundups: int
    sample_load_seconds: float
    sample_rows_per_second: float
    projected_load_seconds: float

    def describe(self) -> str:
        return (
            f"loaded {self.roundups} roundups ({self.rows} rows) with {self.loader} in"
            f" {self.load_seconds:.1f} s ({self.rows_per_second:,.0f} rows/s; generating them"
            f" took {self.generate_seconds:.1f} s more). Per-row load on {self.sample_roundups}"
            f" roundups: {self.sample_load_seconds:.1f} s ({self.sample_rows_per_second:,.0f}"
            f" rows/s), projected {self.projected_load_seconds:,.0f} s for {self.roundups}."
        )


def cache_key(roundups: int, seed: int) -> str:
    """Changes with the corpus size and seed, the generator's code and the schema revision."""
    source = (Path(corpus.__file__).read_bytes(), str(head_revision()).encode())
    code = hashlib.sha256(b"".join(source)).hexdigest()[:10]
    return f"roundups-{roundups}-seed-{seed}-{code}"


def migrate(url: str) -> None:
    config = Config(str(PROJECT_DIR / "alembic.ini"))
    config.set_main_option("sqlalchemy.url", url)
    command.upgrade(config, "head")


class _Timed:
    """Wraps the document stream to count the time spent generating, apart from loading."""

    def __init__(self, documents: Iterable[AnnotatedDocument]) -> None:
        self._documents = iter(documents)
        self.seconds = 0.0

    def __iter__(self) -> Iterator[AnnotatedDocument]:
        while True:
            started = time.perf_counter()
            try:
                document = next(self._documents)
            except StopIteration:
                return
            finally:
                self.seconds += time.perf_counter() - started
            yield document


def build_database(url: str, roundups: int, seed: int, sample: int = 100) -> LoadResult:
    """Migrate the empty database at `url` and load `roundups` generated roundups into it."""
    migrate(url)
    generated = corpus.build(roundups, seed)
    engine = build_engine(url)
    try:
        sample = min(sample, roundups)
        sample_documents = list(corpus.build(sample, seed).documents())
        with Session(engine) as session:
            transaction = session.begin()
            report = LoadReport()
            load_catalog(session, generated.catalog, report)
            started = time.perf_counter()
            for document in sample_documents:
                load(session, document, generated.catalog, report)
            sample_seconds = time.perf_counter() - started
            sample_rows = report.inserted + sample * TAG_ROWS_PER_ROUNDUP
            transaction.rollback()

        report = LoadReport()
        documents = _Timed(generated.documents())
        started = time.perf_counter()
        with Session(engine) as session, session.begin():
            load_catalog(session, generated.catalog, report)
            bulk_load(session, documents, generated.catalog, report)
            bump_version(session)
        total = time.perf_counter() - started
        if engine.dialect.name == "sqlite":
            with engine.connect() as connection:
                connection.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
        else:
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.execute(text("VACUUM ANALYZE"))
    finally:
        engine.dispose()
    rows = report.inserted + roundups * TAG_ROWS_PER_ROUNDUP
    load_seconds = total - documents.seconds
    sample_rate = sample_rows / sample_seconds if sample_seconds else 0.0
    return LoadResult(
        roundups=roundups,
        seed=seed,
        loader="bulk_load",
        rows=rows,
        generate_seconds=round(documents.seconds, 2),
        load_seconds=round(load_seconds, 2),
        rows_per_second=round(rows / load_seconds),
        sample_roundups=sample,
        sample_load_seconds=round(sample_seconds, 2),
        sample_rows_per_second=round(sample_rate),
        projected_load_seconds=round(rows / sample_rate) if sample_rate else 0,
    )


def sqlite_path(url: str) -> Path | None:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database:
        return None
    return Path(parsed.database)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--roundups", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=corpus.DEFAULT_SEED)
    parser.add_argument("--url", required=True, help="an empty (or absent SQLite) database")
    parser.add_argument("--sample", type=int, default=100, help="roundups for the per-row rate")
    args = parser.parse_args()
    result = build_database(args.url, args.roundups, args.seed, args.sample)
    print(result.describe())
    print(json.dumps(asdict(result)))


if __name__ == "__main__":
    main()
