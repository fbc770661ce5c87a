"""Importing many files: parsed across processes, written many rows to a statement, with the
same rows and the same per-file reports as one file at a time."""

import io
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from app.ingest import importer, pool
from app.ingest.importer import (
    MANY_FILES,
    ImportResult,
    Transaction,
    import_catalog,
    import_sources,
)
from app.ingest.load import Catalog
from app.ingest.pool import Parsed, Setup, Work
from app.ingest.rows import DocumentRows
from bench import texts
from tests.ingest.test_importer import CATALOG, JUDY
from tests.support.seed_facts import SEED_DIR
from tests.support.snapshots import natural_snapshot

FILES = MANY_FILES + 4


def _transaction(engine: Engine) -> Transaction:
    @contextmanager
    def transaction() -> Iterator[Session]:
        with Session(engine) as session, session.begin():
            yield session

    return transaction


def _import(engine: Engine, names: list[Path], **options: object) -> list[str]:
    transaction = _transaction(engine)
    import_catalog(transaction, CATALOG)
    results = import_sources(
        [str(name) for name in names],
        catalog=CATALOG,
        annotations_dir=SEED_DIR / "annotations",
        transaction=transaction,
        stdin=io.BytesIO(),
        **options,  # type: ignore[arg-type]
    )
    return [str(result) for result in results]


def _one_at_a_time(engine: Engine, names: list[Path]) -> list[str]:
    """What importing the files one command each reports: the per-file path."""
    return [line for name in names for line in _import(engine, [name], skip_unchanged=False)]


def test_many_files_give_what_one_at_a_time_gives(
    engines: tuple[Engine, Engine], tmp_path: Path
) -> None:
    paths = texts.write(tmp_path / "texts", FILES)
    bad = tmp_path / "texts" / "roundup-00003.txt"
    bad.write_text("Judy Asks: A title?\n\nPublished on Smarch 40, 2025\n", encoding="utf-8")
    expected = _one_at_a_time(engines[0], paths)
    # Into an empty database: one transaction, the indexes built at the end.
    assert _import(engines[1], paths, workers=2) == expected
    assert expected[2] == f"failed    {bad}:3: cannot read the date 'Smarch 40, 2025';" + (
        " expected 'Month D, YYYY'"
    )
    assert [line.split()[0] for line in expected].count("inserted") == FILES - 1
    with Session(engines[0]) as one, Session(engines[1]) as other:
        assert natural_snapshot(other) == natural_snapshot(one)

    # Again, with 2 files changed and 1 new: batches next to the loaded roundups.
    texts.change(paths, every=FILES // 2)
    paths.append(JUDY)
    expected = _one_at_a_time(engines[0], paths)
    assert _import(engines[1], paths, workers=2, batch_size=5) == expected
    statuses = [line.split()[0] for line in expected]
    assert (statuses[0], statuses[FILES // 2 - 1], statuses[-1]) == (
        "unchanged",
        "updated",
        "inserted",
    )
    assert sorted(statuses) == sorted(
        ["failed", "inserted", "updated", "updated", *["unchanged"] * (FILES - 3)]
    )
    with Session(engines[0]) as one, Session(engines[1]) as other:
        assert natural_snapshot(other) == natural_snapshot(one)


def test_unchanged_files_are_not_parsed(
    engines: tuple[Engine, Engine], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    paths = texts.write(tmp_path / "texts", FILES)
    _import(engines[0], paths)

    def no_parsing(work: Work, setup: Setup) -> Parsed:
        raise AssertionError(f"{work.source} parsed")

    monkeypatch.setattr(pool, "parse_one", no_parsing)
    lines = _import(engines[0], paths)
    assert lines[0] == (
        f"unchanged {paths[0]}  judy-asks-should-brussels-use-frozen-assets-take-1  (rules)"
    )
    assert [line.split()[0] for line in lines] == ["unchanged"] * FILES


def test_a_file_over_its_time_budget_is_reported_and_the_rest_imported(
    engines: tuple[Engine, Engine], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    paths = texts.write(tmp_path / "texts", FILES)
    real_parse = pool.parse_one

    def slow_on_the_fifth(work: Work, setup: Setup) -> Parsed:
        if work.source.endswith("roundup-00005.txt"):
            time.sleep(60)
        return real_parse(work, setup)

    # Worker processes are forked from this one, so they parse with the patched function.
    monkeypatch.setattr(pool, "parse_one", slow_on_the_fifth)
    started = time.monotonic()
    lines = _import(engines[0], paths, workers=2, budget=2.0)
    assert time.monotonic() - started < 30
    assert lines[4] == f"failed    {paths[4]}: not parsed within 2 s; skipped"
    assert [line.split()[0] for line in lines].count("inserted") == FILES - 1


def test_an_import_stopped_mid_batch_keeps_whole_roundups_only(
    engines: tuple[Engine, Engine], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Stopped (Ctrl-C) while writing its second batch, an import leaves the first batch's
    roundups whole and nothing of the second: what importing the first batch alone leaves."""
    paths = texts.write(tmp_path / "texts", FILES)
    for engine in engines:
        _import(engine, [JUDY])  # a roundup already there: batches, not the first load
    real_write_many = importer._write_many
    batches: list[int] = []

    def stopped_in_the_second(
        session: Session, documents: list[tuple[str, DocumentRows]], catalog: Catalog
    ) -> list[ImportResult]:
        batches.append(len(documents))
        results = real_write_many(session, documents, catalog)
        if len(batches) == 2:
            raise KeyboardInterrupt
        return results

    monkeypatch.setattr(importer, "_write_many", stopped_in_the_second)
    with pytest.raises(KeyboardInterrupt):
        _import(engines[0], paths, batch_size=5)
    assert batches == [5, 5]
    monkeypatch.undo()
    _import(engines[1], paths[:5])
    with Session(engines[0]) as stopped, Session(engines[1]) as first_batch:
        assert natural_snapshot(stopped) == natural_snapshot(first_batch)
