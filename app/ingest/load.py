"""Idempotent loader: annotated documents -> rows, keyed on natural keys. Flushes, never commits."""

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlmodel import Session, SQLModel, col, delete, select

from app.ingest.document import AnnotatedDocument, AnnotatedResponse, ParsedAffiliation
from app.ingest.specs import OrganizationSpec, TagSpec
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
    Tag,
    row_id,
)
from app.search.index import sync_article

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
    _names: dict[str, str] = field(default_factory=dict, compare=False)

    def __post_init__(self) -> None:
        for org in self.organizations:
            for name in (org.name, org.short_name, *org.aliases):
                if name:
                    self._names[_normal(name)] = org.slug

    @property
    def tag_slugs(self) -> set[str]:
        return {tag.slug for tag in self.tags}

    @property
    def organization_names(self) -> list[str]:
        return [name for org in self.organizations for name in (org.name, *org.aliases)]

    def organization_slug(self, name: str) -> str:
        return self._names.get(_normal(name), slugify(name))


def _normal(name: str) -> str:
    return " ".join(name.replace("’", "'").casefold().split())


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
    expert = upsert(
        session, Expert, {"slug": slugify(parsed.expert_name)}, {"name": parsed.expert_name}, report
    )
    response = upsert(
        session,
        Response,
        {"article_id": article_id, "expert_id": expert.id},
        {
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


def _load_affiliation(
    session: Session,
    expert_id: int,
    printed: ParsedAffiliation,
    catalog: Catalog,
    report: LoadReport,
) -> int:
    parent_id = None
    if printed.parent:
        parent_id = _organization(session, printed.parent, None, None, catalog, report)
    org_id = _organization(
        session, printed.organization, printed.short_name, parent_id, catalog, report
    )
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
    """The gazetteer's organization for `name`, or a new one (kind 'unknown') named as printed."""
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
