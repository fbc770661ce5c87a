"""Experts and organizations."""

from collections import defaultdict
from typing import Any

from sqlalchemy import func
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, distinct, select

from app.filters import with_descendants
from app.models import (
    Affiliation,
    Answer,
    Article,
    Expert,
    Organization,
    ResponseAffiliation,
    row_id,
)
from app.queries.common import organization_units, organization_with_parent
from app.queries.paging import IdPage, page_ids, parse_sort
from app.schemas import (
    AffiliationHistory,
    ArticleRef,
    ExpertDetail,
    ExpertListItem,
    ExpertRef,
    ExpertResponse,
    OrganizationDetail,
    OrganizationListItem,
    OrganizationMember,
    OrganizationRef,
)

EXPERT_SORTS: dict[str, Any] = {"name": col(Expert.name), "slug": col(Expert.slug)}
ORGANIZATION_SORTS: dict[str, Any] = {
    "name": col(Organization.name),
    "slug": col(Organization.slug),
    "kind": col(Organization.kind),
}


def expert_by_slug(session: Session, slug: str) -> Expert | None:
    return session.exec(select(Expert).where(Expert.slug == slug)).first()


def organization_by_slug(session: Session, slug: str) -> Organization | None:
    return session.exec(select(Organization).where(Organization.slug == slug)).first()


def organization_slug_by_name(session: Session, name: str) -> str | None:
    """The slug of the organization named exactly `name` (a publisher, say), if there is one."""
    statement = select(Organization.slug).where(Organization.name == name)
    return session.exec(statement.order_by(col(Organization.slug))).first()


def list_experts(
    session: Session, organization: tuple[str, ...], sort: str, limit: int, cursor: str | None
) -> tuple[list[ExpertListItem], IdPage]:
    statement = select(Expert.id)
    if organization:
        org_ids = organization_units(session, organization)
        statement = statement.where(
            col(Expert.id).in_(
                select(Affiliation.expert_id).where(col(Affiliation.organization_id).in_(org_ids))
            )
        )
    keys = parse_sort(sort, EXPERT_SORTS)
    context = repr(("experts", organization, sort))
    page = page_ids(session, statement, col(Expert.id), keys, limit, cursor, context)
    experts = {
        row_id(e): e for e in session.exec(select(Expert).where(col(Expert.id).in_(page.ids)))
    }
    counts = _response_counts(session, page.ids)
    items = [
        ExpertListItem(slug=experts[i].slug, name=experts[i].name, response_count=counts.get(i, 0))
        for i in page.ids
    ]
    return items, page


def _response_counts(session: Session, expert_ids: list[int]) -> dict[int, int]:
    return dict(
        session.exec(
            select(Answer.expert_id, func.count())
            .where(col(Answer.expert_id).in_(expert_ids))
            .group_by(col(Answer.expert_id))
        ).all()
    )


def expert_detail(session: Session, expert: Expert) -> ExpertDetail:
    """Affiliation history (as printed, oldest first) and every response across articles."""
    expert_id = row_id(expert)
    responses = session.exec(
        select(Answer, Article)
        .join(Article, col(Article.id) == Answer.article_id)
        .where(Answer.expert_id == expert_id)
        .order_by(col(Article.published_on), col(Article.slug))
    ).all()
    parent = aliased(Organization)
    printed = session.exec(
        select(Affiliation, Organization, parent, Article)
        .outerjoin(Organization, col(Organization.id) == Affiliation.organization_id)
        .outerjoin(parent, col(parent.id) == Organization.parent_id)
        .join(ResponseAffiliation, col(ResponseAffiliation.affiliation_id) == Affiliation.id)
        .join(Answer, col(Answer.id) == ResponseAffiliation.response_id)
        .join(Article, col(Article.id) == Answer.article_id)
        .where(Affiliation.expert_id == expert_id)
        .order_by(col(Article.published_on), col(Article.slug), col(ResponseAffiliation.position))
    ).all()
    history: dict[int, AffiliationHistory] = {}
    for affiliation, organization, parent_org, article in printed:
        key = row_id(affiliation)
        if key not in history:
            history[key] = AffiliationHistory(
                role=affiliation.role,
                organization=organization_with_parent(organization, parent_org),
                first_printed_on=article.published_on,
                last_printed_on=article.published_on,
                articles=[],
            )
        entry = history[key]
        entry.last_printed_on = article.published_on
        if article.slug not in entry.articles:
            entry.articles.append(article.slug)
    return ExpertDetail(
        slug=expert.slug,
        name=expert.name,
        response_count=len(responses),
        names=list(dict.fromkeys(response.printed_name for response, _ in responses)),
        affiliations=list(history.values()),
        responses=[
            ExpertResponse(
                article=ArticleRef.model_validate(article),
                position=response.position,
                printed_name=response.printed_name,
                affiliation_line=response.affiliation_line,
                stance=response.stance,
                stance_phrase=response.stance_phrase,
                word_count=response.word_count,
            )
            for response, article in responses
        ],
    )


def list_organizations(
    session: Session, kind: tuple[str, ...], sort: str, limit: int, cursor: str | None
) -> tuple[list[OrganizationListItem], IdPage]:
    statement = select(Organization.id)
    if kind:
        statement = statement.where(col(Organization.kind).in_(kind))
    keys = parse_sort(sort, ORGANIZATION_SORTS)
    context = repr(("organizations", kind, sort))
    page = page_ids(session, statement, col(Organization.id), keys, limit, cursor, context)
    return [_organization_item(session, org_id) for org_id in page.ids], page


def _organization_item(session: Session, org_id: int) -> OrganizationListItem:
    parent = aliased(Organization)
    organization, parent_org = session.exec(
        select(Organization, parent)
        .outerjoin(parent, col(parent.id) == Organization.parent_id)
        .where(Organization.id == org_id)
    ).one()
    return OrganizationListItem(
        slug=organization.slug,
        name=organization.name,
        short_name=organization.short_name,
        kind=organization.kind,
        parent=OrganizationRef.model_validate(parent_org) if parent_org else None,
        expert_count=_expert_count(session, [org_id]),
    )


def _expert_count(session: Session, org_ids: list[int]) -> int:
    return session.exec(
        select(func.count(distinct(Affiliation.expert_id))).where(
            col(Affiliation.organization_id).in_(org_ids)
        )
    ).one()


def organization_detail(session: Session, organization: Organization) -> OrganizationDetail:
    """The organization, its parent and units, and every expert printed with it or its units."""
    item = _organization_item(session, row_id(organization))
    everything = list(session.exec(select(Organization)).all())
    unit_ids = with_descendants(everything, (organization.slug,))
    children = sorted(
        (org for org in everything if org.parent_id == organization.id), key=lambda o: o.name
    )
    members = session.exec(
        select(Expert, Affiliation.role, Organization, func.max(Article.published_on))
        .join(Affiliation, col(Affiliation.expert_id) == Expert.id)
        .join(Organization, col(Organization.id) == Affiliation.organization_id)
        .join(ResponseAffiliation, col(ResponseAffiliation.affiliation_id) == Affiliation.id)
        .join(Answer, col(Answer.id) == ResponseAffiliation.response_id)
        .join(Article, col(Article.id) == Answer.article_id)
        .where(col(Affiliation.organization_id).in_(unit_ids))
        .group_by(col(Expert.id), col(Affiliation.id), col(Organization.id))
        .order_by(col(Expert.name), col(Affiliation.role))
    ).all()
    by_expert: dict[str, list[OrganizationMember]] = defaultdict(list)
    for expert, role, org, last in members:
        by_expert[expert.slug].append(
            OrganizationMember(
                expert=ExpertRef.model_validate(expert),
                role=role,
                organization=OrganizationRef.model_validate(org),
                last_printed_on=last,
            )
        )
    return OrganizationDetail(
        **item.model_dump(exclude={"expert_count"}),
        expert_count=_expert_count(session, list(unit_ids)),
        children=[OrganizationRef.model_validate(child) for child in children],
        experts=[member for group in by_expert.values() for member in group],
    )
