"""bulk_load writes exactly the rows that load writes, and refuses a database with roundups."""

from typing import Any

import pytest
from sqlalchemy import Engine, inspect, select, text
from sqlmodel import Session

from app.ingest import deferred
from app.ingest.bulk import bulk_load, insert_new
from app.ingest.document import AnnotatedDocument, ParsedAffiliation
from app.ingest.load import Catalog, LoadReport, load, load_catalog
from app.ingest.specs import ExpertSpec
from app.ingest.text import slugify
from app.models import metadata
from app.search.query import parse_query
from app.search.sql import scored_matches
from bench import corpus
from tests.support.snapshots import natural_snapshot, snapshot

LOADED_AT = list(metadata.tables["article"].columns.keys()).index("loaded_at")


def accented(name: str) -> str:
    vowel = next(v for v in "aeiou" if v in name)
    return name.replace(vowel, {"a": "á", "e": "é", "i": "í", "o": "ó", "u": "ú"}[vowel], 1)


def _documents() -> tuple[Catalog, list[AnnotatedDocument]]:
    """Generated roundups against a gazetteer that lacks some of their organizations (so the
    loader creates them, units with their parents), one expert's name respelt (an update), one
    known to the curated aliases, and one printed with no organization; the last one is loaded
    after the others."""
    generated = corpus.build(12)
    documents = list(generated.documents())
    # One expert is known to the curated aliases: stored under the canonical name and slug.
    printed = documents[0].responses[1].parsed.expert_name
    catalog = Catalog(
        tags=generated.catalog.tags,
        organizations=generated.catalog.organizations[:90],
        experts=(
            ExpertSpec(
                line=1, slug="canonical-expert", name="Canonical Expert", variants=(printed,)
            ),
        ),
    )
    # The last roundup prints the first roundup's first expert with an accent in her name
    # (the same slug): the fuller spelling replaces the one loaded first.
    name = documents[0].responses[0].parsed.expert_name
    last = documents[-1]
    assert name not in {response.parsed.expert_name for response in last.responses}
    answer = last.responses[0]
    respelt = answer.model_copy(
        update={"parsed": answer.parsed.model_copy(update={"expert_name": accented(name)})}
    )
    documents[-1] = last.model_copy(update={"responses": (respelt, *last.responses[1:])})
    # Two answers printed with a role and no organization.
    for index in (1, 2):
        document = documents[index]
        answer = document.responses[0].model_copy(
            update={
                "parsed": document.responses[0].parsed.model_copy(
                    update={"affiliations": (ParsedAffiliation(role="Journalist and author"),)}
                )
            }
        )
        documents[index] = document.model_copy(
            update={"responses": (answer, *document.responses[1:])}
        )
    documents.append(corpus.roundup(12, generated.seed, catalog, generated.experts))
    return catalog, documents


def _rows(session: Session) -> dict[str, list[tuple[Any, ...]]]:
    rows = snapshot(session)
    rows["article"] = [(*row[:LOADED_AT], None, *row[LOADED_AT + 1 :]) for row in rows["article"]]
    rows.pop("dataset_state")
    rows.pop("deployment_secret")  # random per database, not loaded data
    return rows


def test_bulk_load_writes_the_rows_load_writes(engines: tuple[Engine, Engine]) -> None:
    catalog, documents = _documents()
    one_by_one, bulk = LoadReport(), LoadReport()
    with Session(engines[0]) as session, session.begin():
        load_catalog(session, catalog, one_by_one)
        for document in documents[:-1]:
            load(session, document, catalog, one_by_one)
    with Session(engines[1]) as session, session.begin():
        load_catalog(session, catalog, bulk)
        bulk_load(session, documents[:-1], catalog, bulk, batch_size=5)
    assert str(bulk) == str(one_by_one)
    assert bulk.reindexed == one_by_one.reindexed == 12 * (1 + 7 + 7 * 5)
    assert one_by_one.updated > 0
    # A later load carries on after the bulk-loaded ids (PostgreSQL sequences included).
    for engine in engines:
        with Session(engine) as session, session.begin():
            load(session, documents[-1], catalog, LoadReport())
    with Session(engines[0]) as first, Session(engines[1]) as second:
        expected = _rows(first)
        assert _rows(second) == expected
    assert ("canonical-expert", "Canonical Expert") in {row[1:3] for row in expected["expert"]}
    assert len(expected["argument_tag"]) == 12 * 7 * 5 * 2 + 7 * 5 * 2
    # The full-text index, built once at the end of the bulk load, matches what the row by row
    # index gives, and keeps following later loads (trigger and GIN index put back).
    query = parse_query(" OR ".join(corpus.search_words()[:3]))
    matched = []
    for engine in engines:
        with Session(engine) as session:
            ranked = scored_matches(query, engine.dialect.name).subquery()
            matched.append(
                session.execute(select(ranked.c.id).order_by(ranked.c.id)).scalars().all()
            )
    assert matched[0] == matched[1]
    assert len(matched[0]) > 100
    # The indexes it dropped for the load are all back, as the migrations made them.
    indexes = [
        {table: inspect(engine).get_indexes(table) for table in deferred.TABLES}
        for engine in engines
    ]
    assert indexes[0] == indexes[1]
    assert {"name": "ix_argument_response_id", "column_names": ["response_id"]}.items() <= (
        indexes[1]["argument"][0].items()
    )
    columns = list(metadata.tables["organization"].columns.keys())
    organizations = [dict(zip(columns, row, strict=True)) for row in expected["organization"]]
    assert any(org["kind"] == "unknown" and org["parent_id"] for org in organizations)


def test_bulk_load_refuses_a_database_with_roundups(engines: tuple[Engine, Engine]) -> None:
    catalog, documents = _documents()
    with Session(engines[0]) as session, session.begin():
        report = LoadReport()
        load_catalog(session, catalog, report)
        load(session, documents[0], catalog, report)
        with pytest.raises(ValueError, match="without roundups"):
            bulk_load(session, documents[1:2], catalog, report)


def test_insert_new_next_to_loaded_roundups_writes_the_rows_load_writes(
    engines: tuple[Engine, Engine],
) -> None:
    """The same documents, row by row into one database; into the other, a few row by row,
    then the rest by `insert_new` in two goes: the same database, on natural keys and ids."""
    catalog, documents = _documents()
    # An organization outside the gazetteer, printed first without its short name: a later
    # roundup that prints it fills it in (an update), on both paths.
    gazetteer = {org.slug for org in catalog.organizations}
    printed = [
        (d, r, a, slugify(affiliation.organization))
        for d, doc in enumerate(documents)
        for r, response in enumerate(doc.responses)
        for a, affiliation in enumerate(response.parsed.affiliations)
        if affiliation.organization is not None
        and affiliation.short_name
        and slugify(affiliation.organization) not in gazetteer
    ]
    first_seen = {slug: (d, r, a) for d, r, a, slug in reversed(printed)}
    filled, (d, r, a) = next(
        (slug, where)
        for slug, where in first_seen.items()
        if any(p[3] == slug and p[0] > where[0] for p in printed)
    )
    documents[d] = _without_short_name(documents[d], r, a)
    one_by_one, mixed = LoadReport(), LoadReport()
    with Session(engines[0]) as session, session.begin():
        load_catalog(session, catalog, one_by_one)
        for document in documents:
            load(session, document, catalog, one_by_one)
    with Session(engines[1]) as session, session.begin():
        load_catalog(session, catalog, mixed)
        for document in documents[:3]:
            load(session, document, catalog, mixed)
        reports = insert_new(session, documents[3:8], catalog)
        reports += insert_new(session, documents[8:], catalog)
        for report in reports:
            mixed.add(report)
        assert [report.reindexed for report in reports] == [1 + 7 + 7 * 5] * 10
        with pytest.raises(ValueError, match="is loaded already"):
            insert_new(session, documents[5:6], catalog)
    assert str(mixed) == str(one_by_one)
    assert mixed.reindexed == one_by_one.reindexed
    with Session(engines[0]) as one, Session(engines[1]) as other:
        expected = natural_snapshot(one)
        assert natural_snapshot(other) == expected
        assert _rows(other) == _rows(one)
    assert {table: len(rows) for table, rows in expected.items()} == {
        "tag": len(catalog.tags),
        "article": 13,
        "expert": len({r.parsed.expert_name for d in documents for r in d.responses}) - 1,
        "organization": len(expected["organization"]),
        "affiliation": len(expected["affiliation"]),
        "response": 13 * 7,
        "argument": 13 * 7 * 5,
        "response_affiliation": len(expected["response_affiliation"]),
        "argument_tag": 13 * 7 * 5 * 2,
        "search_document": 13 * (1 + 7 + 7 * 5),
    }
    organization = next(
        dict(row) for row in expected["organization"] if dict(row)["slug"] == filled
    )
    assert organization["kind"] == "unknown"
    assert organization["short_name"] is not None


def _without_short_name(document: AnnotatedDocument, response: int, affiliation: int) -> Any:
    answer = document.responses[response]
    printed = list(answer.parsed.affiliations)
    printed[affiliation] = printed[affiliation].model_copy(update={"short_name": None})
    parsed = answer.parsed.model_copy(update={"affiliations": tuple(printed)})
    responses = list(document.responses)
    responses[response] = answer.model_copy(update={"parsed": parsed})
    return document.model_copy(update={"responses": tuple(responses)})


@pytest.mark.postgresql
def test_a_bulk_write_is_not_cut_short_by_the_read_timeout(session: Session) -> None:
    """The API's statement timeout (5 s by default) does not apply to a command's writes:
    a large batch on a busy server may take longer."""
    generated = corpus.build(2)
    load_catalog(session, generated.catalog, LoadReport())
    articles = text("SELECT count(*) FROM article")
    before = session.execute(articles).scalar_one()
    session.execute(text("SET LOCAL statement_timeout = '1ms'"))
    insert_new(session, list(generated.documents()), generated.catalog)
    assert session.execute(articles).scalar_one() == before + 2
    assert session.execute(text("SHOW statement_timeout")).scalar_one() == "0"
