"""Importing roundups: one transaction per file, per-file reports, reconciliation."""

import io
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, col, select

from app.ingest import importer
from app.ingest.files import read_catalog
from app.ingest.importer import Transaction, expand, import_sources
from app.ingest.load import Catalog, LoadReport, load
from app.ingest.rows import DocumentRows
from app.ingest.seed import seed
from app.models import (
    Affiliation,
    Answer,
    Article,
    Expert,
    Organization,
    ResponseAffiliation,
)
from tests.support.seed_facts import SEED_DIR, SEED_SLUG, SEED_SOURCE
from tests.support.snapshots import snapshot

FIXTURES = Path(__file__).parents[1] / "fixtures" / "roundups"
JUDY = FIXTURES / "judy-asks-two-blank-lines.txt"
VERDICTS = FIXTURES / "verdicts.txt"
MINIMAL = FIXTURES / "taking-the-pulse-minimal.txt"
WINTER = FIXTURES / "shared-expert" / "winter.txt"
LIGHTS = FIXTURES / "shared-expert" / "lights.txt"
CATALOG = read_catalog(SEED_DIR)


def run(
    transaction: Transaction,
    *names: str | Path,
    stdin: bytes = b"",
    published_on: date | None = None,
    catalog: Catalog = CATALOG,
) -> list[str]:
    return [
        str(result)
        for result in import_sources(
            [str(name) for name in names],
            catalog=catalog,
            annotations_dir=SEED_DIR / "annotations",
            transaction=transaction,
            stdin=io.BytesIO(stdin),
            published_on=published_on,
        )
    ]


def article_slugs(session: Session) -> list[str]:
    return list(session.exec(select(Article.slug).order_by(col(Article.slug))).all())


def test_each_file_is_reported_and_failures_do_not_stop_the_rest(
    session: Session, transaction: Transaction
) -> None:
    unreadable = FIXTURES / "malformed" / "unreadable-date.txt"
    lines = run(transaction, SEED_SOURCE, JUDY, unreadable, VERDICTS, "nope.txt")
    assert lines == [
        f"unchanged {SEED_SOURCE}  {SEED_SLUG}  (curated)",
        f"inserted  {JUDY}  judy-asks-is-europe-ready-to-share-its-power-grid"
        "  (rules; 14 inserted, 0 updated, 0 deleted)",
        f"failed    {unreadable}:4: cannot read the date 'Smarch 40, 2025';"
        " expected 'Month D, YYYY'",
        f"inserted  {VERDICTS}  taking-the-pulse-should-europe-plant-more-forests"
        "  (rules; 48 inserted, 0 updated, 0 deleted)",
        "failed    nope.txt: cannot read: No such file or directory",
    ]
    assert article_slugs(session) == [
        "judy-asks-is-europe-ready-to-share-its-power-grid",
        SEED_SLUG,
        "taking-the-pulse-should-europe-plant-more-forests",
    ]
    before = snapshot(session)
    assert run(transaction, JUDY, VERDICTS) == [
        f"unchanged {JUDY}  judy-asks-is-europe-ready-to-share-its-power-grid  (rules)",
        f"unchanged {VERDICTS}  taking-the-pulse-should-europe-plant-more-forests  (rules)",
    ]
    assert snapshot(session) == before


def test_changed_source_is_updated(
    session: Session, transaction: Transaction, tmp_path: Path
) -> None:
    source = tmp_path / "judy.txt"
    source.write_text(JUDY.read_text(encoding="utf-8"), encoding="utf-8")
    run(transaction, source)
    source.write_text(
        JUDY.read_text(encoding="utf-8").replace("No. Pooled reserves", "Yes. Pooled reserves"),
        encoding="utf-8",
    )
    assert run(transaction, source) == [
        f"updated   {source}  judy-asks-is-europe-ready-to-share-its-power-grid"
        "  (rules; 0 inserted, 4 updated, 0 deleted)"
    ]
    stance = session.exec(
        select(Answer.stance, Answer.stance_phrase).join(Expert).where(Expert.slug == "marta-novak")
    ).one()
    assert tuple(stance) == ("yes", "Yes.")


def test_a_database_error_rolls_back_only_that_file(
    session: Session, transaction: Transaction, monkeypatch: pytest.MonkeyPatch
) -> None:
    def failing_load(
        session: Session, doc: DocumentRows, catalog: Catalog, report: LoadReport
    ) -> None:
        load(session, doc, catalog, report)
        if doc.slug == "taking-the-pulse-should-europe-plant-more-forests":
            raise OperationalError("INSERT ...", {}, Exception("disk full"))

    monkeypatch.setattr(importer, "load", failing_load)
    lines = run(transaction, JUDY, VERDICTS, MINIMAL, published_on=date(2023, 5, 1))
    assert lines[1] == f"failed    {VERDICTS}: database error: disk full"
    assert [line.split()[0] for line in lines] == ["inserted", "failed", "inserted"]
    assert article_slugs(session) == [
        "judy-asks-is-europe-ready-to-share-its-power-grid",
        "taking-the-pulse-can-small-states-shape-eu-trade-policy",
        SEED_SLUG,
    ]
    # The failed file's experts were written before the error, and rolled back with it.
    assert session.exec(select(Expert).where(Expert.slug == "ines-jensen")).first() is None


def test_stdin_and_a_caller_supplied_date(session: Session, transaction: Transaction) -> None:
    assert run(transaction, "-", stdin=MINIMAL.read_bytes(), published_on=date(2023, 5, 1)) == [
        "inserted  <stdin>  taking-the-pulse-can-small-states-shape-eu-trade-policy"
        "  (rules; 19 inserted, 0 updated, 0 deleted)"
    ]
    article = session.exec(
        select(Article).where(
            Article.slug == "taking-the-pulse-can-small-states-shape-eu-trade-policy"
        )
    ).one()
    assert (article.published_on, article.publisher, article.source_url) == (
        date(2023, 5, 1),
        "unknown",
        None,
    )


def test_the_same_roundup_twice_in_one_run(transaction: Transaction, tmp_path: Path) -> None:
    copy = tmp_path / "copy.txt"
    copy.write_bytes(JUDY.read_bytes() + b"\n")
    assert run(transaction, JUDY, copy)[1] == (
        f"failed    {copy}:1: the same roundup"
        f" (judy-asks-is-europe-ready-to-share-its-power-grid) as {JUDY}; not loaded"
    )


def _printed(session: Session, expert_slug: str) -> list[tuple[str, str, str]]:
    """(article, role, organization) for each response of the expert, as printed."""
    rows = session.exec(
        select(Article.slug, Affiliation.role, Organization.slug)
        .join(Answer, col(Answer.article_id) == Article.id)
        .join(Expert, col(Expert.id) == Answer.expert_id)
        .join(ResponseAffiliation, col(ResponseAffiliation.response_id) == Answer.id)
        .join(Affiliation, col(Affiliation.id) == ResponseAffiliation.affiliation_id)
        .join(Organization, col(Organization.id) == Affiliation.organization_id)
        .where(Expert.slug == expert_slug)
        .order_by(col(Article.slug))
    ).all()
    return [(article, role, organization) for article, role, organization in rows]


@pytest.mark.parametrize("order", [(WINTER, LIGHTS), (LIGHTS, WINTER)])
def test_experts_and_organizations_are_reconciled(
    session: Session, transaction: Transaction, order: tuple[Path, Path]
) -> None:
    assert [line.split()[0] for line in run(transaction, *order)] == ["inserted", "inserted"]

    experts = session.exec(
        select(Expert.slug, Expert.name).where(
            col(Expert.slug).in_(["jana-kobzova", "marta-novak", "piotr-lewandowski"])
        )
    ).all()
    # One Jana Kobzová (also the seed's "Jana Kobzova"), spelled with her accent.
    assert sorted(tuple(row) for row in experts) == [
        ("jana-kobzova", "Jana Kobzová"),
        ("marta-novak", "Marta Novak"),
        ("piotr-lewandowski", "Piotr Lewandowski"),
    ]
    # Her title changed: both affiliations are kept, each article links its own.
    assert _printed(session, "jana-kobzova") == [
        (
            "judy-asks-can-europe-keep-the-lights-on",
            "Director",
            "european-council-on-foreign-relations",
        ),
        (
            "taking-the-pulse-is-europe-ready-for-winter",
            "Senior Policy Fellow",
            "european-council-on-foreign-relations",
        ),
        (SEED_SLUG, "Senior Policy Fellow", "european-council-on-foreign-relations"),
    ]
    assert session.exec(
        select(Affiliation.role)
        .join(Expert)
        .where(Expert.slug == "jana-kobzova")
        .order_by(col(Affiliation.role))
    ).all() == ["Director", "Senior Policy Fellow"]
    # An organization printed with or without accents and capitals is the gazetteer's one.
    assert [row[2] for row in _printed(session, "marta-novak")] == [
        "french-institute-of-international-relations",
        "french-institute-of-international-relations",
    ]
    unknown = session.exec(
        select(Organization).where(Organization.slug == "example-research-institute")
    ).one()
    assert (unknown.name, unknown.short_name, unknown.kind) == (
        "Example Research Institute",
        "ERI",
        "unknown",
    )

    before = snapshot(session)
    assert [line.split()[0] for line in run(transaction, *reversed(order))] == [
        "unchanged",
        "unchanged",
    ]
    assert str(seed(session, [SEED_DIR], SEED_DIR)) == "0 inserted, 0 updated, 0 deleted"
    assert snapshot(session) == before


def test_expand(tmp_path: Path) -> None:
    (tmp_path / "b.txt").write_text("", encoding="utf-8")
    (tmp_path / "a.txt").write_text("", encoding="utf-8")
    (tmp_path / "notes.md").write_text("", encoding="utf-8")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "c.txt").write_text("", encoding="utf-8")
    assert expand([str(tmp_path), "-", "missing.txt", str(tmp_path / "notes.md")]) == [
        str(tmp_path / "a.txt"),
        str(tmp_path / "b.txt"),
        "-",
        "missing.txt",
        str(tmp_path / "notes.md"),
    ]
