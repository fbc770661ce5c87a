"""The many-at-a-time writer: the rows of new roundups (rows.py), many to a statement.

It writes exactly what `load.load` would write for the same documents in the same order, with
the same ids (tests/ingest/test_bulk_load.py proves it on both engines); only `loaded_at` may
differ by the seconds a load takes. Flushes, never commits.
"""

import operator
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, cast

import psycopg
from sqlalchemy import Table, func, text
from sqlalchemy import select as sql_select
from sqlmodel import Session, SQLModel, col, select, update

from app.ingest.deferred import indexes_afterwards
from app.ingest.document import AnnotatedDocument, ParsedAffiliation
from app.ingest.load import Catalog, LoadReport, now
from app.ingest.rows import (
    DocumentRows,
    rows_of,
    search_row,
    unknown_organization,
)
from app.models import (
    Affiliation,
    Answer,
    Argument,
    ArgumentTag,
    Article,
    Expert,
    Organization,
    ResponseAffiliation,
    SearchDocument,
    SearchKind,
    Tag,
)

_ID_MODELS: tuple[type[SQLModel], ...] = (
    Organization,
    Expert,
    Affiliation,
    Article,
    Answer,
    Argument,
)


def bulk_load(
    session: Session,
    documents: Iterable[AnnotatedDocument],
    catalog: Catalog,
    report: LoadReport,
    batch_size: int = 500,
) -> None:
    """First load of many roundups, into a database that holds none yet (a ValueError
    otherwise), after `load_catalog`. The secondary indexes are built once at the end."""
    _without_read_timeout(session)
    session.flush()
    if session.exec(select(Article.id).limit(1)).first() is not None:
        raise ValueError("bulk_load needs a database without roundups; use load to update")
    known = _known(session)
    with indexes_afterwards(session):
        for batch in _batches(documents, catalog, batch_size):
            _write_batch(session, batch, catalog, known, [report] * len(batch))
    _advance_sequences(session, known)


def insert_new(
    session: Session, documents: Sequence[AnnotatedDocument | DocumentRows], catalog: Catalog
) -> list[LoadReport]:
    """Insert roundups (or their rows) whose slugs the database does not hold yet (a
    ValueError otherwise), next to the ones it holds; returns each one's report."""
    _without_read_timeout(session)
    session.flush()
    rows = [rows_of(document, catalog) for document in documents]
    slugs = [doc.slug for doc in rows]
    found = session.exec(select(Article.slug).where(col(Article.slug).in_(slugs))).first()
    if found is not None:
        raise ValueError(f"roundup {found!r} is loaded already; use load to update it")
    known = _known(session)
    reports = [LoadReport() for _ in documents]
    for batch in _batches(rows, catalog, len(rows) or 1):
        _write_batch(session, batch, catalog, known, reports)
    _advance_sequences(session, known)
    return reports


def _without_read_timeout(session: Session) -> None:
    """Hundreds of roundups in a few statements are a command's write, which the timeout set
    for the API's reads must not cut short on a busy server (this transaction only)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SET LOCAL statement_timeout = 0"))


@dataclass
class _Known:
    """Natural key -> id of the rows already written (experts also keep their name, and
    organizations outside the gazetteer what a later roundup may fill in)."""

    tags: dict[str, int]
    organizations: dict[str, int]
    unknown: dict[str, tuple[str | None, int | None]]
    experts: dict[str, tuple[int, str]]
    affiliations: dict[tuple[int, int | None, str], int]
    next_id: dict[str, int]
    slugs: dict[str, str] = field(default_factory=dict)

    # Slugs are memoized: the same few hundred names recur across thousands of documents.
    def organization_slug(self, catalog: Catalog, name: str) -> str:
        if name not in self.slugs:
            self.slugs[name] = catalog.organization_slug(name)
        return self.slugs[name]


def _known(session: Session) -> _Known:
    # Plain columns, not ORM objects: a large database holds tens of thousands of experts.
    org = _table(Organization).c
    organizations = session.execute(
        sql_select(org.slug, org.id, org.kind, org.short_name, org.parent_id)
    ).all()
    return _Known(
        tags=dict(session.execute(select(Tag.slug, Tag.id)).all()),
        organizations={org.slug: org.id for org in organizations},
        unknown={
            org.slug: (org.short_name, org.parent_id)
            for org in organizations
            if org.kind == "unknown"
        },
        experts={
            slug: (id_, name)
            for slug, id_, name in session.execute(select(Expert.slug, Expert.id, Expert.name))
        },
        affiliations={
            (expert_id, organization_id, role): id_
            for expert_id, organization_id, role, id_ in session.execute(
                select(
                    Affiliation.expert_id,
                    Affiliation.organization_id,
                    Affiliation.role,
                    Affiliation.id,
                )
            )
        },
        next_id={
            _table(model).name: session.execute(
                select(func.coalesce(func.max(_table(model).c.id), 0) + 1)
            ).scalar_one()
            for model in _ID_MODELS
        },
    )


def _batches(
    documents: Iterable[AnnotatedDocument | DocumentRows], catalog: Catalog, size: int
) -> Iterator[list[DocumentRows]]:
    """The rows of `documents` in lists of `size`, each checked to be new to the load."""
    slugs: set[str] = set()
    batch: list[DocumentRows] = []
    for document in documents:
        rows = rows_of(document, catalog)
        if rows.slug in slugs:
            raise ValueError(f"roundup {rows.slug!r} appears twice; use load")
        experts = [response.expert_slug for response in rows.responses]
        if len(set(experts)) != len(experts):
            raise ValueError(f"roundup {rows.slug!r} has an expert twice; use load")
        slugs.add(rows.slug)
        batch.append(rows)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _table(model: type[SQLModel]) -> Table:
    return SQLModel.metadata.tables[str(model.__tablename__)]


def _insert_ids(
    session: Session, model: type[SQLModel], rows: list[dict[str, Any]], known: _Known
) -> list[int]:
    """Insert `rows` (given their `id`s here) with the ids after the table's largest: those
    `load` would get."""
    if not rows:
        return []
    table = _table(model)
    first = known.next_id[table.name]
    ids = list(range(first, first + len(rows)))
    for row, row_id_ in zip(rows, ids, strict=True):
        row["id"] = row_id_
    _insert_many(session, table, rows)
    known.next_id[table.name] = first + len(rows)
    return ids


def _insert_many(session: Session, table: Table, rows: list[dict[str, Any]]) -> None:
    """Insert `rows` (dicts with the same keys). PostgreSQL takes them by COPY, its fastest
    way in (into the same transaction); SQLite by one executemany on the driver's cursor, the
    values converted by the columns' own SQLAlchemy types (a third of the cost of
    `session.execute(insert(table), rows)`, which builds parameters row by row)."""
    if not rows:
        return
    columns = list(rows[0])
    names = ", ".join(f'"{column}"' for column in columns)  # quoted: "end" is a keyword
    dialect = session.get_bind().dialect
    dbapi_connection = session.connection().connection.dbapi_connection
    if dialect.name != "postgresql":
        convert = [table.c[column].type.bind_processor(dialect) for column in columns]
        marks = ", ".join("?" for _ in columns)
        # The names are the table's own columns, never input; the values are parameters.
        statement = f"INSERT INTO {table.name} ({names}) VALUES ({marks})"  # noqa: S608
        lite = cast(sqlite3.Connection, dbapi_connection).cursor()
        converted = [(i, f) for i, f in enumerate(convert) if f is not None]
        try:
            lite.executemany(statement, _converted(map(_values(columns), rows), converted))
        finally:
            lite.close()
        return
    connection = cast(psycopg.Connection[Any], dbapi_connection)
    with (
        connection.cursor() as cursor,
        cursor.copy(f"COPY {table.name} ({names}) FROM STDIN") as copy,
    ):
        for row in rows:
            # StrEnum members go in as their values, as SQLAlchemy stores them.
            values = (row[column] for column in columns)
            copy.write_row([str(v) if isinstance(v, StrEnum) else v for v in values])


def _values(columns: list[str]) -> Callable[[dict[str, Any]], tuple[Any, ...]]:
    """A row's values, in `columns` order."""
    get = operator.itemgetter(*columns)
    if len(columns) == 1:
        return lambda row: (get(row),)
    return cast(Callable[[dict[str, Any]], tuple[Any, ...]], get)


def _converted(
    rows: Iterable[tuple[Any, ...]], converters: Sequence[tuple[int, Callable[[Any], Any]]]
) -> Iterator[Sequence[Any]]:
    """`rows`, their values at the given positions converted (the others passed as they are)."""
    if not converters:
        yield from rows
        return
    for row in rows:
        values = list(row)
        for index, convert in converters:
            values[index] = convert(values[index])
        yield values


def _advance_sequences(session: Session, known: _Known) -> None:
    """Explicit ids do not move PostgreSQL's sequences: move them past the rows written."""
    if session.get_bind().dialect.name != "postgresql":
        return
    for model in _ID_MODELS:
        name = _table(model).name
        if known.next_id[name] > 1:
            sequence = func.pg_get_serial_sequence(name, "id")
            session.execute(select(func.setval(sequence, known.next_id[name] - 1)))


def _write_batch(
    session: Session,
    batch: list[DocumentRows],
    catalog: Catalog,
    known: _Known,
    reports: list[LoadReport],
) -> None:
    """Write `batch`, counting each document's rows in its report (`reports[i]` for
    `batch[i]`; the first document to print an expert, organization or affiliation counts it)."""
    _experts(session, batch, known, reports)
    affiliation_ids = _affiliations(session, batch, catalog, known, reports)
    loaded_at = now()
    article_ids = _insert_ids(
        session, Article, [{**doc.article, "loaded_at": loaded_at} for doc in batch], known
    )
    for doc, report in zip(batch, reports, strict=True):
        report.inserted += (
            1
            + len(doc.responses)
            + sum(
                len(response.affiliations) + len(response.arguments) for response in doc.responses
            )
        )
    responses = [
        (article_id, response)
        for article_id, doc in zip(article_ids, batch, strict=True)
        for response in doc.responses
    ]
    response_ids = _insert_ids(
        session,
        Answer,
        [
            {
                "article_id": article_id,
                "expert_id": known.experts[response.expert_slug][0],
                **response.values,
            }
            for article_id, response in responses
        ],
        known,
    )
    printed = [
        {"response_id": response_id, "position": position, "affiliation_id": affiliation_id}
        for response_id, ids in zip(response_ids, affiliation_ids, strict=True)
        for position, affiliation_id in enumerate(ids, start=1)
    ]
    _insert_many(session, _table(ResponseAffiliation), printed)
    arguments = [
        (response_id, argument)
        for response_id, (_, response) in zip(response_ids, responses, strict=True)
        for argument in response.arguments
    ]
    argument_ids = _insert_ids(
        session,
        Argument,
        [{"response_id": response_id, **argument.values} for response_id, argument in arguments],
        known,
    )
    tagged = [
        {"argument_id": argument_id, "tag_id": tag_id}
        for argument_id, (_, argument) in zip(argument_ids, arguments, strict=True)
        for tag_id in sorted(known.tags[slug] for slug in argument.tags)
    ]
    _insert_many(session, _table(ArgumentTag), tagged)
    _search_documents(session, batch, article_ids, response_ids, argument_ids, reports)
    session.flush()


def _search_documents(
    session: Session,
    batch: list[DocumentRows],
    article_ids: list[int],
    response_ids: list[int],
    argument_ids: list[int],
    reports: list[LoadReport],
) -> None:
    """The search documents `sync_article` would write, in its order, article by article."""
    rows: list[dict[str, Any]] = []
    responses, arguments = iter(response_ids), iter(argument_ids)
    for article_id, doc in zip(article_ids, batch, strict=True):
        rows.append(
            search_row(
                SearchKind.ARTICLE, article_id, doc.search_text, doc.search_terms, article_id
            )
        )
        ids = [next(responses) for _ in doc.responses]
        for response_id, response in zip(ids, doc.responses, strict=True):
            body = response.values["body"]
            rows.append(
                search_row(
                    SearchKind.RESPONSE,
                    response_id,
                    body,
                    response.body_terms,
                    article_id,
                    response_id,
                )
            )
        for response_id, response in zip(ids, doc.responses, strict=True):
            for argument in response.arguments:
                argument_id = next(arguments)
                rows.append(
                    search_row(
                        SearchKind.ARGUMENT,
                        argument_id,
                        argument.values["text"],
                        argument.terms,
                        article_id,
                        response_id,
                        argument_id,
                    )
                )
    _insert_many(session, _table(SearchDocument), rows)
    for doc, report in zip(batch, reports, strict=True):
        report.reindexed += 1 + sum(1 + len(response.arguments) for response in doc.responses)


def _experts(
    session: Session, batch: list[DocumentRows], known: _Known, reports: list[LoadReport]
) -> None:
    """Insert new experts; as `load` does, the curated name or else the fuller spelling wins
    (an update)."""
    new: dict[str, str] = {}
    renamed: dict[int, str] = {}
    for doc, report in zip(batch, reports, strict=True):
        for response in doc.responses:
            name, slug = response.expert_name, response.expert_slug
            if slug in known.experts:
                expert_id, current = known.experts[slug]
                if response.renames(current):
                    known.experts[slug] = (expert_id, name)
                    renamed[expert_id] = name
                    report.updated += 1
            elif slug in new:
                if response.renames(new[slug]):
                    new[slug] = name
                    report.updated += 1
            else:
                new[slug] = name
                report.inserted += 1
    ids = _insert_ids(session, Expert, [{"slug": s, "name": n} for s, n in new.items()], known)
    known.experts.update(
        (slug, (expert_id, name)) for (slug, name), expert_id in zip(new.items(), ids, strict=True)
    )
    for expert_id, name in renamed.items():
        session.exec(update(Expert).where(col(Expert.id) == expert_id).values(name=name))


def _affiliations(
    session: Session,
    batch: list[DocumentRows],
    catalog: Catalog,
    known: _Known,
    reports: list[LoadReport],
) -> list[list[int]]:
    """The affiliation ids of every response in `batch`, creating organizations and
    affiliations first seen here (in `load`'s order, so with `load`'s ids)."""
    printed = [
        (report, known.experts[response.expert_slug][0], affiliation)
        for doc, report in zip(batch, reports, strict=True)
        for response in doc.responses
        for affiliation in response.affiliations
    ]
    for report, _, affiliation in printed:
        _organization_of(session, affiliation, catalog, known, report)
    keys = [
        (
            expert_id,
            None
            if a.organization is None
            else known.organizations[known.organization_slug(catalog, a.organization)],
            a.role,
        )
        for _, expert_id, a in printed
    ]
    new: dict[tuple[int, int | None, str], LoadReport] = {}
    for key, (report, _, _) in zip(keys, printed, strict=True):
        if key not in known.affiliations and key not in new:
            new[key] = report
            report.inserted += 1
    ids = _insert_ids(
        session,
        Affiliation,
        [{"expert_id": e, "organization_id": o, "role": role} for e, o, role in new],
        known,
    )
    known.affiliations.update(zip(new, ids, strict=True))
    found = iter(known.affiliations[key] for key in keys)
    return [
        [next(found) for _ in response.affiliations] for doc in batch for response in doc.responses
    ]


def _organization_of(
    session: Session,
    affiliation: ParsedAffiliation,
    catalog: Catalog,
    known: _Known,
    report: LoadReport,
) -> None:
    if affiliation.organization is None:
        return
    parent_id = None
    if affiliation.parent:
        _organization(session, affiliation.parent, None, None, catalog, known, report)
        parent_id = known.organizations[known.organization_slug(catalog, affiliation.parent)]
    _organization(
        session, affiliation.organization, affiliation.short_name, parent_id, catalog, known, report
    )


def _organization(
    session: Session,
    name: str,
    short_name: str | None,
    parent_id: int | None,
    catalog: Catalog,
    known: _Known,
    report: LoadReport,
) -> None:
    """Create the organization `load` would create for a name outside the gazetteer, or fill
    in the short name or parent unit an earlier roundup did not print, as `load` does."""
    slug = known.organization_slug(catalog, name)
    if slug not in known.organizations:
        row = unknown_organization(slug, name, short_name, parent_id)
        known.organizations[slug] = _insert_ids(session, Organization, [row], known)[0]
        known.unknown[slug] = (short_name, parent_id)
        report.inserted += 1
        return
    if slug not in known.unknown:
        return
    current_short, current_parent = known.unknown[slug]
    if (current_short is None and short_name) or (current_parent is None and parent_id):
        filled = (current_short or short_name, current_parent or parent_id)
        known.unknown[slug] = filled
        session.exec(
            update(Organization)
            .where(col(Organization.id) == known.organizations[slug])
            .values(short_name=filled[0], parent_id=filled[1])
        )
        report.updated += 1
