"""The row-by-row writer: a document's rows (rows.py) upserted on their natural keys, so
re-loading a document changes nothing. Also the catalog and the data version. Flushes, never
commits."""

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property
from typing import Any, TypeVar

from sqlalchemy import text
from sqlmodel import Session, SQLModel, col, delete, select

from app.data_version import CHANNEL
from app.ingest.document import AnnotatedDocument, ParsedAffiliation
from app.ingest.rows import (
    ArgumentRows,
    DocumentRows,
    ResponseRows,
    expert_slug,
    rows_of,
    unknown_organization,
)
from app.ingest.rules import TagRules, tag_rules
from app.ingest.specs import ExpertSpec, OrganizationSpec, TagSpec
from app.ingest.text import slugify
from app.models import (
    Affiliation,
    Answer,
    Argument,
    ArgumentTag,
    Article,
    DatasetState,
    Expert,
    Organization,
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

    def add(self, other: "LoadReport") -> None:
        self.inserted += other.inserted
        self.updated += other.updated
        self.deleted += other.deleted
        self.reindexed += other.reindexed

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
    def tag_rules(self) -> TagRules:
        """The taxonomy's patterns, compiled for the rules annotator."""
        return tag_rules(self.tags)

    @property
    def organization_names(self) -> list[str]:
        """Every name the gazetteer knows an organization by, short names included, so that
        "Director of ECFR" or "Fellow, CEPS, Brussels" are read as organizations."""
        return [
            name
            for org in self.organizations
            for name in (org.name, org.short_name, *org.aliases)
            if name
        ]

    def organization_slug(self, name: str) -> str:
        return self._names.get(_normal(name), slugify(name))

    def expert(self, name: str) -> tuple[str, str | None]:
        """The slug of the expert printed as `name`, and the canonical name if the curated
        aliases (seed/experts.yaml) know it; else the slug of the name as printed."""
        curated = self._experts.get(_normal(name))
        if curated is None:
            return expert_slug(name), None
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


def load(
    session: Session, doc: AnnotatedDocument | DocumentRows, catalog: Catalog, report: LoadReport
) -> None:
    """Load one annotated roundup (or its rows); re-loading the same document changes nothing."""
    before = (report.inserted, report.updated, report.deleted)
    rows = rows_of(doc, catalog)
    values = dict(rows.article)
    article = upsert(
        session,
        Article,
        {"slug": values.pop("slug")},
        values,
        report,
        on_insert={"loaded_at": now()},
    )
    kept = [
        _load_response(session, row_id(article), response, catalog, report)
        for response in rows.responses
    ]
    stale = session.exec(
        select(Answer).where(Answer.article_id == article.id, col(Answer.id).not_in(kept))
    ).all()
    for response in stale:
        session.delete(response)
        report.deleted += 1
    session.flush()
    report.reindexed += sync_article(session, article)
    if (report.inserted, report.updated, report.deleted) != before:
        article.loaded_at = now()
        session.flush()


def bump_version(session: Session) -> None:
    """Record that the data changed: ETags and response caches key on this version."""
    state = session.get(DatasetState, 1)
    if state is None:
        state = DatasetState(id=1, version="", changed_at=now())
        session.add(state)
    state.version = uuid.uuid4().hex
    state.changed_at = now()
    session.flush()
    if session.get_bind().dialect.name == "postgresql":
        # Delivered at commit to every process watching (app.data_version).
        session.execute(text(f"NOTIFY {CHANNEL}"))


def now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def _organization_id(session: Session, slug: str) -> int:
    return row_id(session.exec(select(Organization).filter_by(slug=slug)).one())


def _load_response(
    session: Session,
    article_id: int,
    rows: ResponseRows,
    catalog: Catalog,
    report: LoadReport,
) -> int:
    expert = _expert(session, rows, report)
    response = upsert(
        session,
        Answer,
        {"article_id": article_id, "expert_id": expert.id},
        rows.values,
        report,
    )
    affiliation_ids = [
        _load_affiliation(session, row_id(expert), affiliation, catalog, report)
        for affiliation in rows.affiliations
    ]
    _load_printed_affiliations(session, row_id(response), affiliation_ids, report)
    _load_arguments(session, row_id(response), rows.arguments, report)
    return row_id(response)


def _expert(session: Session, rows: ResponseRows, report: LoadReport) -> Expert:
    """The expert of `rows`: one row per slug, named as `rows.renames` decides (the curated
    name, else the fuller spelling)."""
    expert = session.exec(select(Expert).filter_by(slug=rows.expert_slug)).first()
    if expert is None:
        return upsert(
            session, Expert, {"slug": rows.expert_slug}, {"name": rows.expert_name}, report
        )
    if rows.renames(expert.name):
        expert.name = rows.expert_name
        session.flush()
        report.updated += 1
    return expert


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
        values = unknown_organization(slug, name, short_name, parent_id)
        org = upsert(session, Organization, {"slug": values.pop("slug")}, values, report)
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
    arguments: tuple[ArgumentRows, ...],
    report: LoadReport,
) -> None:
    tag_ids = {tag.slug: row_id(tag) for tag in session.exec(select(Tag)).all()}
    for argument in arguments:
        before = report.updated
        values = dict(argument.values)
        row = upsert(
            session,
            Argument,
            {"response_id": response_id, "position": values.pop("position")},
            values,
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
            Argument.response_id == response_id, Argument.position > len(arguments)
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
