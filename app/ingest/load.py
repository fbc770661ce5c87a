"""Idempotent loader: annotated documents -> rows, keyed on natural keys. Flushes, never commits."""

import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from functools import cached_property
from typing import Any, TypeVar, cast

import psycopg
from sqlalchemy import Table, func, insert, text
from sqlmodel import Session, SQLModel, col, delete, select, update

from app.data_version import CHANNEL
from app.ingest.deferred import indexes_afterwards
from app.ingest.document import AnnotatedDocument, AnnotatedResponse, ParsedAffiliation
from app.ingest.rules import TagRule, tag_rules
from app.ingest.specs import ExpertSpec, OrganizationSpec, TagSpec
from app.ingest.text import slugify, word_count
from app.models import (
    Affiliation,
    Argument,
    ArgumentTag,
    Article,
    DatasetState,
    Expert,
    Organization,
    Response,
    ResponseAffiliation,
    SearchDocument,
    SearchKind,
    Tag,
    row_id,
)
from app.search.index import article_text_of, sync_article
from app.search.text import terms

Row = TypeVar("Row", bound=SQLModel)


@dataclass
class LoadReport:
    inserted: int = 0
    updated: int = 0
    deleted: int = 0
    reindexed: int = 0  # search documents written: derived data, so not a data change

    @property
    def changed(self) -> bool:
        return bool(self.inserted or self.updated or self.deleted)

    def __str__(self) -> str:
        return f"{self.inserted} inserted, {self.updated} updated, {self.deleted} deleted"


@dataclass(frozen=True)
class Catalog:
    """The curated tags and organization gazetteer that documents are loaded against."""

    tags: tuple[TagSpec, ...]
    organizations: tuple[OrganizationSpec, ...]
    experts: tuple[ExpertSpec, ...] = ()
    _names: dict[str, str] = field(default_factory=dict, compare=False)
    _experts: dict[str, ExpertSpec] = field(default_factory=dict, compare=False)

    def __post_init__(self) -> None:
        for org in self.organizations:
            for name in (org.name, org.short_name, *org.aliases):
                if name:
                    self._names[_normal(name)] = org.slug
        for expert in self.experts:
            for name in (expert.name, *expert.variants):
                self._experts[_normal(name)] = expert

    @property
    def tag_slugs(self) -> set[str]:
        return {tag.slug for tag in self.tags}

    @cached_property
    def tag_rules(self) -> tuple[TagRule, ...]:
        """The taxonomy's patterns, compiled for the rules annotator."""
        return tag_rules(self.tags)

    @property
    def organization_names(self) -> list[str]:
        return [name for org in self.organizations for name in (org.name, *org.aliases)]

    def organization_slug(self, name: str) -> str:
        return self._names.get(_normal(name), slugify(name))

    def expert(self, name: str) -> tuple[str, str | None]:
        """The slug of the expert printed as `name`, and the canonical name if the curated
        aliases (seed/experts.yaml) know it; else the slug of the name as printed."""
        curated = self._experts.get(_normal(name))
        if curated is None:
            return slugify(name), None
        return curated.slug, curated.name


def _normal(name: str) -> str:
    """Names that differ only in case, accents, apostrophes or spacing are the same name."""
    return slugify(name)


def upsert(
    session: Session,
    model: type[Row],
    key: dict[str, Any],
    values: dict[str, Any],
    report: LoadReport,
    on_insert: dict[str, Any] | None = None,
) -> Row:
    """Insert the row with `key` (plus `on_insert`), or update the `values` that differ."""
    row = session.exec(select(model).filter_by(**key)).first()
    if row is None:
        row = model(**key, **values, **(on_insert or {}))
        session.add(row)
        session.flush()
        report.inserted += 1
        return row
    changed = {name: value for name, value in values.items() if getattr(row, name) != value}
    if changed:
        for name, value in changed.items():
            setattr(row, name, value)
        session.flush()
        report.updated += 1
    return row


def load_catalog(session: Session, catalog: Catalog, report: LoadReport) -> None:
    for tag in catalog.tags:
        upsert(
            session,
            Tag,
            {"slug": tag.slug},
            {"label": tag.label, "category": tag.category, "description": tag.description},
            report,
        )
    for org in _parents_first(catalog.organizations):
        upsert(
            session,
            Organization,
            {"slug": org.slug},
            {
                "name": org.name,
                "short_name": org.short_name,
                "kind": org.kind,
                "parent_id": _organization_id(session, org.parent) if org.parent else None,
            },
            report,
        )


def _parents_first(organizations: tuple[OrganizationSpec, ...]) -> list[OrganizationSpec]:
    ordered: list[OrganizationSpec] = []
    placed: set[str] = set()
    pending = list(organizations)
    while pending:
        ready = [org for org in pending if org.parent is None or org.parent in placed]
        if not ready:
            raise ValueError(f"organization parents form a cycle or are missing: {pending[0].slug}")
        ordered.extend(ready)
        placed.update(org.slug for org in ready)
        pending = [org for org in pending if org.slug not in placed]
    return ordered


def load(session: Session, doc: AnnotatedDocument, catalog: Catalog, report: LoadReport) -> None:
    """Load one annotated roundup; re-loading the same document changes nothing."""
    before = (report.inserted, report.updated, report.deleted)
    parsed = doc.document
    article = upsert(
        session,
        Article,
        {"slug": parsed.slug},
        {
            "series": parsed.series,
            "title": parsed.title,
            "question": parsed.question,
            "dek": parsed.dek,
            "published_on": parsed.published_on,
            "publisher": doc.publisher,
            "image_credit": parsed.image_credit,
            "disclaimer": parsed.disclaimer,
            "source_url": doc.source_url,
            "source_sha256": doc.source_sha256,
        },
        report,
        on_insert={"loaded_at": _now()},
    )
    kept = [
        _load_response(session, row_id(article), position, response, catalog, report)
        for position, response in enumerate(doc.responses, start=1)
    ]
    stale = session.exec(
        select(Response).where(Response.article_id == article.id, col(Response.id).not_in(kept))
    ).all()
    for response in stale:
        session.delete(response)
        report.deleted += 1
    session.flush()
    report.reindexed += sync_article(session, article)
    if (report.inserted, report.updated, report.deleted) != before:
        article.loaded_at = _now()
        session.flush()


def bump_version(session: Session) -> None:
    """Record that the data changed: ETags and response caches key on this version."""
    state = session.get(DatasetState, 1)
    if state is None:
        state = DatasetState(id=1, version="", changed_at=_now())
        session.add(state)
    state.version = uuid.uuid4().hex
    state.changed_at = _now()
    session.flush()
    if session.get_bind().dialect.name == "postgresql":
        # Delivered at commit to every process watching (app.data_version).
        session.execute(text(f"NOTIFY {CHANNEL}"))


def _now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def _organization_id(session: Session, slug: str) -> int:
    return row_id(session.exec(select(Organization).filter_by(slug=slug)).one())


def _load_response(
    session: Session,
    article_id: int,
    position: int,
    annotated: AnnotatedResponse,
    catalog: Catalog,
    report: LoadReport,
) -> int:
    parsed = annotated.parsed
    expert = _expert(session, parsed.expert_name, catalog, report)
    response = upsert(
        session,
        Response,
        {"article_id": article_id, "expert_id": expert.id},
        {
            "printed_name": parsed.expert_name,
            "position": position,
            "affiliation_line": parsed.affiliation_line,
            "body": parsed.body,
            "stance": annotated.stance,
            "stance_phrase": annotated.stance_phrase,
            "stance_source": annotated.stance_source,
            "word_count": word_count(parsed.body),
        },
        report,
    )
    affiliation_ids = [
        _load_affiliation(session, row_id(expert), affiliation, catalog, report)
        for affiliation in parsed.affiliations
    ]
    _load_printed_affiliations(session, row_id(response), affiliation_ids, report)
    _load_arguments(session, row_id(response), annotated, report)
    return row_id(response)


def _expert(session: Session, name: str, catalog: Catalog, report: LoadReport) -> Expert:
    """The expert printed as `name`: one row per slug, so "Jana Kobzová" and "Jana Kobzova"
    are one person. A name the curated aliases know is their expert, under the canonical
    name. Otherwise the spelling kept is the one with more accented letters (the fuller
    spelling), else the first seen, so re-loading any roundup changes nothing."""
    slug, canonical = catalog.expert(name)
    if canonical is not None:
        return upsert(session, Expert, {"slug": slug}, {"name": canonical}, report)
    expert = session.exec(select(Expert).filter_by(slug=slug)).first()
    if expert is None:
        return upsert(session, Expert, {"slug": slug}, {"name": name}, report)
    if _accents(name) > _accents(expert.name):
        expert.name = name
        session.flush()
        report.updated += 1
    return expert


def _accents(name: str) -> int:
    return sum(not char.isascii() for char in name)


def _load_affiliation(
    session: Session,
    expert_id: int,
    printed: ParsedAffiliation,
    catalog: Catalog,
    report: LoadReport,
) -> int:
    org_id = None
    if printed.organization is not None:
        parent_id = None
        if printed.parent:
            parent_id = _organization(session, printed.parent, None, None, catalog, report)
        org_id = _organization(
            session, printed.organization, printed.short_name, parent_id, catalog, report
        )
    # A role without an organization is keyed by (expert, role): filter_by matches IS NULL.
    affiliation = upsert(
        session,
        Affiliation,
        {"expert_id": expert_id, "organization_id": org_id, "role": printed.role},
        {},
        report,
    )
    return row_id(affiliation)


def _organization(
    session: Session,
    name: str,
    short_name: str | None,
    parent_id: int | None,
    catalog: Catalog,
    report: LoadReport,
) -> int:
    """The gazetteer's organization for `name`, or a new one (kind 'unknown') named as first
    printed; a later roundup may fill in a short name or parent unit it did not print."""
    slug = catalog.organization_slug(name)
    org = session.exec(select(Organization).filter_by(slug=slug)).first()
    if org is None:
        org = upsert(
            session,
            Organization,
            {"slug": slug},
            {"name": name, "short_name": short_name, "kind": "unknown", "parent_id": parent_id},
            report,
        )
    elif org.kind == "unknown" and (
        (org.short_name is None and short_name) or (org.parent_id is None and parent_id)
    ):
        org.short_name = org.short_name or short_name
        org.parent_id = org.parent_id or parent_id
        session.flush()
        report.updated += 1
    return row_id(org)


def _load_arguments(
    session: Session,
    response_id: int,
    annotated: AnnotatedResponse,
    report: LoadReport,
) -> None:
    tag_ids = {tag.slug: row_id(tag) for tag in session.exec(select(Tag)).all()}
    for position, argument in enumerate(annotated.arguments, start=1):
        before = report.updated
        row = upsert(
            session,
            Argument,
            {"response_id": response_id, "position": position},
            {
                "text": argument.text,
                "start": argument.start,
                "end": argument.end,
                "kind": argument.kind,
                "annotation_source": argument.annotation_source,
            },
            report,
        )
        argument_id = row_id(row)
        wanted = {tag_ids[slug] for slug in argument.tags}
        current = set(
            session.exec(select(ArgumentTag.tag_id).filter_by(argument_id=argument_id)).all()
        )
        if wanted != current:
            session.exec(delete(ArgumentTag).where(col(ArgumentTag.argument_id) == argument_id))
            session.add_all(ArgumentTag(argument_id=argument_id, tag_id=t) for t in sorted(wanted))
            session.flush()
            if current and report.updated == before:
                report.updated += 1
    extra = session.exec(
        select(Argument).where(
            Argument.response_id == response_id, Argument.position > len(annotated.arguments)
        )
    ).all()
    for argument_row in extra:
        session.delete(argument_row)
        report.deleted += 1
    session.flush()


def _load_printed_affiliations(
    session: Session, response_id: int, affiliation_ids: list[int], report: LoadReport
) -> None:
    for position, affiliation_id in enumerate(affiliation_ids, start=1):
        upsert(
            session,
            ResponseAffiliation,
            {"response_id": response_id, "position": position},
            {"affiliation_id": affiliation_id},
            report,
        )
    extra = session.exec(
        select(ResponseAffiliation).where(
            ResponseAffiliation.response_id == response_id,
            ResponseAffiliation.position > len(affiliation_ids),
        )
    ).all()
    for row in extra:
        session.delete(row)
        report.deleted += 1
    session.flush()


def bulk_load(
    session: Session,
    documents: Iterable[AnnotatedDocument],
    catalog: Catalog,
    report: LoadReport,
    batch_size: int = 500,
) -> None:
    """First load of many roundups: the rows `load` would write, many to a statement.

    For a database that holds no roundup yet (a ValueError otherwise), after `load_catalog`.
    The rows are those `load` would write, document by document, with the same ids on a fresh
    database; only `loaded_at` may differ by the seconds the load takes. Flushes, never commits.
    """
    session.flush()
    if session.exec(select(Article.id).limit(1)).first() is not None:
        raise ValueError("bulk_load needs a database without roundups; use load to update")
    known = _Known(
        catalog=catalog,
        tags={tag.slug: row_id(tag) for tag in session.exec(select(Tag))},
        organizations={org.slug: row_id(org) for org in session.exec(select(Organization))},
        experts={e.slug: (row_id(e), e.name) for e in session.exec(select(Expert))},
        affiliations={
            (a.expert_id, a.organization_id, a.role): row_id(a)
            for a in session.exec(select(Affiliation))
        },
        next_id={
            _table(model).name: session.execute(
                select(func.coalesce(func.max(_table(model).c.id), 0) + 1)
            ).scalar_one()
            for model in _ID_MODELS
        },
    )
    with indexes_afterwards(session):
        for batch in _batches(documents, known, batch_size):
            _bulk_batch(session, batch, catalog, known, report)
    _advance_sequences(session, known)


def _batches(
    documents: Iterable[AnnotatedDocument], known: "_Known", size: int
) -> Iterator[list[AnnotatedDocument]]:
    """`documents` in lists of `size`, each checked to be new to the load."""
    slugs: set[str] = set()
    batch: list[AnnotatedDocument] = []
    for document in documents:
        if document.document.slug in slugs:
            raise ValueError(f"roundup {document.document.slug!r} appears twice; use load")
        experts = [
            known.expert_slug(response.parsed.expert_name) for response in document.responses
        ]
        if len(set(experts)) != len(experts):
            raise ValueError(f"roundup {document.document.slug!r} has an expert twice; use load")
        slugs.add(document.document.slug)
        batch.append(document)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


@dataclass
class _Known:
    """Natural key -> id of the rows already written (experts also keep their name)."""

    catalog: Catalog
    tags: dict[str, int]
    organizations: dict[str, int]
    experts: dict[str, tuple[int, str]]
    affiliations: dict[tuple[int, int | None, str], int]
    next_id: dict[str, int]
    slugs: dict[tuple[str, str], str] = field(default_factory=dict)

    # Slugs are memoized: the same few hundred names recur across thousands of documents.
    def expert_slug(self, name: str) -> str:
        if ("expert", name) not in self.slugs:
            self.slugs["expert", name] = self.catalog.expert(name)[0]
        return self.slugs["expert", name]

    def organization_slug(self, catalog: Catalog, name: str) -> str:
        if ("organization", name) not in self.slugs:
            self.slugs["organization", name] = catalog.organization_slug(name)
        return self.slugs["organization", name]


_ID_MODELS: tuple[type[SQLModel], ...] = (
    Organization,
    Expert,
    Affiliation,
    Article,
    Response,
    Argument,
)


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
    way in (into the same transaction); SQLite by one executemany."""
    if not rows:
        return
    if session.get_bind().dialect.name != "postgresql":
        session.execute(insert(table), rows)
        return
    columns = list(rows[0])
    names = ", ".join(f'"{column}"' for column in columns)  # quoted: "end" is a keyword
    connection = cast(psycopg.Connection[Any], session.connection().connection.dbapi_connection)
    with (
        connection.cursor() as cursor,
        cursor.copy(f"COPY {table.name} ({names}) FROM STDIN") as copy,
    ):
        for row in rows:
            # StrEnum members go in as their values, as SQLAlchemy stores them.
            values = (row[column] for column in columns)
            copy.write_row([str(v) if isinstance(v, StrEnum) else v for v in values])


def _advance_sequences(session: Session, known: _Known) -> None:
    """Explicit ids do not move PostgreSQL's sequences: move them past the rows written."""
    if session.get_bind().dialect.name != "postgresql":
        return
    for model in _ID_MODELS:
        name = _table(model).name
        if known.next_id[name] > 1:
            sequence = func.pg_get_serial_sequence(name, "id")
            session.execute(select(func.setval(sequence, known.next_id[name] - 1)))


def _bulk_batch(
    session: Session,
    batch: list[AnnotatedDocument],
    catalog: Catalog,
    known: _Known,
    report: LoadReport,
) -> None:
    _bulk_experts(session, batch, known, report)
    affiliation_ids = _bulk_affiliations(session, batch, catalog, known, report)
    now = _now()
    article_ids = _insert_ids(
        session,
        Article,
        [
            {
                "slug": doc.document.slug,
                "series": doc.document.series,
                "title": doc.document.title,
                "question": doc.document.question,
                "dek": doc.document.dek,
                "published_on": doc.document.published_on,
                "publisher": doc.publisher,
                "image_credit": doc.document.image_credit,
                "disclaimer": doc.document.disclaimer,
                "source_url": doc.source_url,
                "source_sha256": doc.source_sha256,
                "loaded_at": now,
            }
            for doc in batch
        ],
        known,
    )
    report.inserted += len(article_ids)
    responses = [
        (article_id, position, response)
        for article_id, doc in zip(article_ids, batch, strict=True)
        for position, response in enumerate(doc.responses, start=1)
    ]
    response_ids = _insert_ids(
        session,
        Response,
        [
            _response_row(
                article_id,
                known.expert_slug(response.parsed.expert_name),
                position,
                response,
                known,
            )
            for article_id, position, response in responses
        ],
        known,
    )
    report.inserted += len(response_ids)
    printed = [
        {"response_id": response_id, "position": position, "affiliation_id": affiliation_id}
        for response_id, ids in zip(response_ids, affiliation_ids, strict=True)
        for position, affiliation_id in enumerate(ids, start=1)
    ]
    _insert_many(session, _table(ResponseAffiliation), printed)
    report.inserted += len(printed)
    arguments = [
        (response_id, position, argument)
        for response_id, (_, _, response) in zip(response_ids, responses, strict=True)
        for position, argument in enumerate(response.arguments, start=1)
    ]
    argument_ids = _insert_ids(
        session,
        Argument,
        [
            {
                "response_id": response_id,
                "position": position,
                "text": argument.text,
                "start": argument.start,
                "end": argument.end,
                "kind": argument.kind,
                "annotation_source": argument.annotation_source,
            }
            for response_id, position, argument in arguments
        ],
        known,
    )
    report.inserted += len(argument_ids)
    tagged = [
        {"argument_id": argument_id, "tag_id": tag_id}
        for argument_id, (_, _, argument) in zip(argument_ids, arguments, strict=True)
        for tag_id in sorted({known.tags[slug] for slug in argument.tags})
    ]
    _insert_many(session, _table(ArgumentTag), tagged)
    _bulk_search_documents(session, batch, article_ids, response_ids, argument_ids, report)
    session.flush()


def _bulk_search_documents(
    session: Session,
    batch: list[AnnotatedDocument],
    article_ids: list[int],
    response_ids: list[int],
    argument_ids: list[int],
    report: LoadReport,
) -> None:
    """The search documents `sync_article` would write, in its order, article by article."""
    rows: list[dict[str, Any]] = []
    responses, arguments = iter(response_ids), iter(argument_ids)

    def add(kind: SearchKind, item_id: int, text: str, article_id: int, **ids: int | None) -> None:
        rows.append(
            {
                "kind": kind,
                "item_id": item_id,
                "article_id": article_id,
                "response_id": ids.get("response_id"),
                "argument_id": ids.get("argument_id"),
                "text": text,
                "terms": terms(text),
            }
        )

    for article_id, doc in zip(article_ids, batch, strict=True):
        parsed = doc.document
        add(SearchKind.ARTICLE, article_id, article_text_of(parsed.title, parsed.dek), article_id)
        ids = [next(responses) for _ in doc.responses]
        for response_id, response in zip(ids, doc.responses, strict=True):
            add(
                SearchKind.RESPONSE,
                response_id,
                response.parsed.body,
                article_id,
                response_id=response_id,
            )
        for response_id, response in zip(ids, doc.responses, strict=True):
            for argument in response.arguments:
                argument_id = next(arguments)
                add(
                    SearchKind.ARGUMENT,
                    argument_id,
                    argument.text,
                    article_id,
                    response_id=response_id,
                    argument_id=argument_id,
                )
    if rows:
        _insert_many(session, _table(SearchDocument), rows)
    report.reindexed += len(rows)


def _response_row(
    article_id: int, expert_slug: str, position: int, response: AnnotatedResponse, known: _Known
) -> dict[str, Any]:
    body = response.parsed.body
    return {
        "article_id": article_id,
        "expert_id": known.experts[expert_slug][0],
        "printed_name": response.parsed.expert_name,
        "position": position,
        "affiliation_line": response.parsed.affiliation_line,
        "body": body,
        "stance": response.stance,
        "stance_phrase": response.stance_phrase,
        "stance_source": response.stance_source,
        "word_count": word_count(body),
    }


def _bulk_experts(
    session: Session, batch: list[AnnotatedDocument], known: _Known, report: LoadReport
) -> None:
    """Insert new experts; as `load` does, a curated canonical name is kept, else the spelling
    with more accents wins (an update)."""
    new: dict[str, str] = {}
    renamed: dict[int, str] = {}
    for doc in batch:
        for response in doc.responses:
            name = response.parsed.expert_name
            slug = known.expert_slug(name)
            canonical = known.catalog.expert(name)[1]
            if canonical is not None:
                if slug in known.experts:
                    expert_id, current = known.experts[slug]
                    if current != canonical:
                        known.experts[slug] = (expert_id, canonical)
                        renamed[expert_id] = canonical
                        report.updated += 1
                else:
                    new[slug] = canonical
            elif slug in known.experts:
                expert_id, current = known.experts[slug]
                if _accents(name) > _accents(current):
                    known.experts[slug] = (expert_id, name)
                    renamed[expert_id] = name
                    report.updated += 1
            elif slug in new:
                if _accents(name) > _accents(new[slug]):
                    new[slug] = name
                    report.updated += 1
            else:
                new[slug] = name
    ids = _insert_ids(session, Expert, [{"slug": s, "name": n} for s, n in new.items()], known)
    known.experts.update(
        (slug, (expert_id, name)) for (slug, name), expert_id in zip(new.items(), ids, strict=True)
    )
    report.inserted += len(ids)
    for expert_id, name in renamed.items():
        session.exec(update(Expert).where(col(Expert.id) == expert_id).values(name=name))


def _bulk_affiliations(
    session: Session,
    batch: list[AnnotatedDocument],
    catalog: Catalog,
    known: _Known,
    report: LoadReport,
) -> list[list[int]]:
    """The affiliation ids of every response in `batch`, creating organizations and
    affiliations first seen here (in `load`'s order, so with `load`'s ids)."""
    printed = [
        (known.experts[known.expert_slug(response.parsed.expert_name)][0], affiliation)
        for doc in batch
        for response in doc.responses
        for affiliation in response.parsed.affiliations
    ]
    for _, affiliation in printed:
        if affiliation.organization is None:
            continue
        if affiliation.parent:
            _bulk_organization(session, affiliation.parent, None, None, catalog, known, report)
            parent_id = known.organizations[known.organization_slug(catalog, affiliation.parent)]
        else:
            parent_id = None
        _bulk_organization(
            session,
            affiliation.organization,
            affiliation.short_name,
            parent_id,
            catalog,
            known,
            report,
        )
    keys = [
        (
            expert_id,
            None
            if a.organization is None
            else known.organizations[known.organization_slug(catalog, a.organization)],
            a.role,
        )
        for expert_id, a in printed
    ]
    new = list(dict.fromkeys(key for key in keys if key not in known.affiliations))
    ids = _insert_ids(
        session,
        Affiliation,
        [{"expert_id": e, "organization_id": o, "role": role} for e, o, role in new],
        known,
    )
    known.affiliations.update(zip(new, ids, strict=True))
    report.inserted += len(ids)
    found = iter(known.affiliations[key] for key in keys)
    return [
        [next(found) for _ in response.parsed.affiliations]
        for doc in batch
        for response in doc.responses
    ]


def _bulk_organization(
    session: Session,
    name: str,
    short_name: str | None,
    parent_id: int | None,
    catalog: Catalog,
    known: _Known,
    report: LoadReport,
) -> None:
    """Create the organization `load` would create for a name outside the gazetteer."""
    slug = known.organization_slug(catalog, name)
    if slug in known.organizations:
        return
    row = {"slug": slug, "name": name, "short_name": short_name, "kind": "unknown"}
    ids = _insert_ids(session, Organization, [{**row, "parent_id": parent_id}], known)
    known.organizations[slug] = ids[0]
    report.inserted += 1
