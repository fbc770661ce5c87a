"""Seeding: idempotent, updates in place, all-or-nothing on bad input."""

from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import text as text_sql
from sqlmodel import Session, col, func, select

from app.ingest.errors import SourceError
from app.ingest.seed import seed
from app.models import (
    Answer,
    Argument,
    Article,
    DatasetState,
    Expert,
    Organization,
    SearchDocument,
    SearchKind,
    Tag,
    row_id,
)
from app.search.query import parse_query
from app.search.sql import text_match
from app.search.text import terms
from tests.support.seed_facts import SEED_DIR, SEED_SLUG
from tests.support.snapshots import snapshot


def test_seed_loaded_the_roundup(session: Session) -> None:
    counts = {
        model.__name__: session.exec(select(func.count()).select_from(model)).one()
        for model in (Article, Expert, Answer, Argument, Tag)
    }
    assert counts == {"Article": 1, "Expert": 7, "Answer": 7, "Argument": 41, "Tag": 38}
    stances = session.exec(
        select(Expert.name, Answer.stance)
        .join(Answer, col(Answer.expert_id) == Expert.id)
        .order_by(col(Answer.position))
    ).all()
    assert [(name, str(stance)) for name, stance in stances] == [
        ("Veronica Anghel", "yes"),
        ("Samuel Greene", "not_yet"),
        ("Jana Kobzova", "yes_conditional"),
        ("Alexander Gabuev", "yes"),
        ("Gwendolyn Sasse", "yes_conditional"),
        ("Stefan Meister", "yes_conditional"),
        ("Eugene Rumer", "yes"),
    ]


def test_every_argument_span_matches_its_text(session: Session) -> None:
    rows = session.exec(
        select(Argument, Answer.body).join(Answer, col(Answer.id) == Argument.response_id)
    ).all()
    assert len(rows) == 41
    for argument, body in rows:
        assert body[argument.start : argument.end] == argument.text


def test_seed_twice_changes_nothing(session: Session) -> None:
    before = snapshot(session)
    report = seed(session, [SEED_DIR], SEED_DIR)
    assert str(report) == "0 inserted, 0 updated, 0 deleted"
    assert snapshot(session) == before


def test_changed_source_updates_in_place(session: Session, seed_copy: Path) -> None:
    source = seed_copy / f"{SEED_SLUG}.txt"
    source.write_text(
        source.read_text(encoding="utf-8").replace(
            "Senior Policy Fellow, European Council on Foreign Relations",
            "Director, European Council on Foreign Relations",
        ),
        encoding="utf-8",
    )
    ids_before = session.exec(select(Answer.id).order_by(col(Answer.id))).all()
    version_before = session.exec(select(DatasetState.version)).one()

    report = seed(session, [seed_copy], seed_copy)

    # The response's affiliation line changes and it is linked to a new affiliation row;
    # the old affiliation stays as history; the article's hash changes.
    assert str(report) == "1 inserted, 3 updated, 0 deleted"
    assert session.exec(select(Answer.id).order_by(col(Answer.id))).all() == ids_before
    kobzova = session.exec(select(Answer).join(Expert).where(Expert.slug == "jana-kobzova")).one()
    assert kobzova.affiliation_line == "Director, European Council on Foreign Relations"
    assert session.exec(select(DatasetState.version)).one() != version_before


def test_broken_annotation_aborts_and_changes_nothing(session: Session, seed_copy: Path) -> None:
    annotations = seed_copy / "annotations" / f"{SEED_SLUG}.yaml"
    text = annotations.read_text(encoding="utf-8")
    broken = text.replace("Moscow doesn’t want it there.", "Moscow does not want it there.", 1)
    assert broken != text
    annotations.write_text(broken, encoding="utf-8")
    before = snapshot(session)

    with pytest.raises(SourceError) as raised:
        seed(session, [seed_copy], seed_copy)

    assert raised.value.path == str(annotations)
    assert raised.value.line == 10
    assert raised.value.reason == (
        "not found verbatim in Veronica Anghel's answer: 'The EU needs a strategy to get a seat"
        " at the table precisely because Moscow does not want it there.'"
    )
    assert snapshot(session) == before


@pytest.mark.parametrize(
    ("old", "new", "line", "reason"),
    [
        (
            'tags: ["seat-at-the-table"]',
            'tags: ["seat-at-the-tabel"]',
            12,
            "unknown tag(s): seat-at-the-tabel",
        ),
        ('stance: "not_yet"', 'stance: "later"', 30, "responses.1.stance: Input should be"),
        ('kind: "recommendation"', 'kind: "wish"', 11, "responses.0.arguments.0.kind: Input"),
        (
            'expert: "Jana Kobzova"',
            'expert: "Jana Kobzová"',
            52,
            "no expert named 'Jana Kobzová' in the text",
        ),
    ],
)
def test_annotation_errors_name_the_line(
    session: Session, seed_copy: Path, old: str, new: str, line: int, reason: str
) -> None:
    annotations = seed_copy / "annotations" / f"{SEED_SLUG}.yaml"
    text = annotations.read_text(encoding="utf-8")
    assert old in text
    annotations.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(SourceError) as raised:
        seed(session, [seed_copy], seed_copy)
    assert (raised.value.path, raised.value.line) == (str(annotations), line)
    assert raised.value.reason.startswith(reason)


def test_organizations_link_to_their_parents(session: Session) -> None:
    child = session.exec(
        select(Organization).where(
            Organization.slug == "robert-schuman-centre-for-advanced-studies"
        )
    ).one()
    parent = session.get(Organization, child.parent_id)
    assert parent is not None
    assert (parent.slug, parent.short_name, parent.kind) == (
        "european-university-institute",
        "EUI",
        "university",
    )


def test_seed_requires_curated_annotations(session: Session, seed_copy: Path) -> None:
    """seed/ is the curated corpus; `roundup import` is the way in for un-annotated roundups."""
    annotations = seed_copy / "annotations" / f"{SEED_SLUG}.yaml"
    annotations.unlink()
    before = snapshot(session)
    with pytest.raises(SourceError) as raised:
        seed(session, [seed_copy], seed_copy)
    assert str(raised.value) == (
        f"{seed_copy / f'{SEED_SLUG}.txt'}:1: no curated annotations at {annotations}"
    )
    assert snapshot(session) == before


def test_search_index_holds_every_text(session: Session) -> None:
    rows = session.exec(select(SearchDocument).order_by(col(SearchDocument.id))).all()
    assert Counter(row.kind.value for row in rows) == {"article": 1, "response": 7, "argument": 41}
    assert [row.kind.value for row in rows[:3]] == ["article", "response", "response"]
    assert all(row.terms == terms(row.text) for row in rows)
    arguments = {row_id(a): a.text for a in session.exec(select(Argument)).all()}
    assert {r.item_id: r.text for r in rows if r.kind == SearchKind.ARGUMENT} == arguments


def test_a_removed_argument_leaves_the_index(session: Session, seed_copy: Path) -> None:
    annotations = seed_copy / "annotations" / f"{SEED_SLUG}.yaml"
    text = annotations.read_text(encoding="utf-8")
    last = text.index('      - text: "If the Kremlin only understands')
    annotations.write_text(text[:last], encoding="utf-8")
    kremlin = (
        select(func.count()).select_from(SearchDocument).where(text_match(parse_query("kremlin")))
    )
    assert session.exec(kremlin).one() == 13

    report = seed(session, [seed_copy], seed_copy)

    assert (str(report), report.reindexed) == ("0 inserted, 0 updated, 1 deleted", 0)
    documents = session.exec(
        select(SearchDocument.kind).where(col(SearchDocument.text).contains("language of business"))
    ).all()
    assert documents == [SearchKind.RESPONSE]
    if session.get_bind().dialect.name == "sqlite":
        # The FTS5 table followed the cascade through its triggers.
        session.execute(text_sql("INSERT INTO search_fts(search_fts) VALUES ('integrity-check')"))
    assert session.exec(kremlin).one() == 12
