"""Lookups shared by several resources: printed affiliations and argument tags."""

from collections import defaultdict
from collections.abc import Sequence

from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from app.models import (
    Affiliation,
    ArgumentTag,
    Organization,
    ResponseAffiliation,
    Tag,
)
from app.schemas import OrganizationRef, OrganizationWithParent, PrintedAffiliation, TagRef


def organization_with_parent(
    organization: Organization, parent: Organization | None
) -> OrganizationWithParent:
    return OrganizationWithParent(
        slug=organization.slug,
        name=organization.name,
        short_name=organization.short_name,
        kind=organization.kind,
        parent=OrganizationRef.model_validate(parent) if parent else None,
    )


def printed_affiliations(
    session: Session, response_ids: Sequence[int]
) -> dict[int, list[PrintedAffiliation]]:
    """The affiliations each response was printed with, in printed order."""
    parent = aliased(Organization)
    rows = session.exec(
        select(ResponseAffiliation.response_id, Affiliation.role, Organization, parent)
        .join(Affiliation, col(Affiliation.id) == ResponseAffiliation.affiliation_id)
        .join(Organization, col(Organization.id) == Affiliation.organization_id)
        .outerjoin(parent, col(parent.id) == Organization.parent_id)
        .where(col(ResponseAffiliation.response_id).in_(response_ids))
        .order_by(col(ResponseAffiliation.response_id), col(ResponseAffiliation.position))
    ).all()
    found: dict[int, list[PrintedAffiliation]] = defaultdict(list)
    for response_id, role, organization, parent_org in rows:
        found[response_id].append(
            PrintedAffiliation(
                role=role, organization=organization_with_parent(organization, parent_org)
            )
        )
    return found


def argument_tags(session: Session, argument_ids: Sequence[int]) -> dict[int, list[TagRef]]:
    """Each argument's tags, by slug."""
    found: dict[int, list[TagRef]] = defaultdict(list)
    for argument_id, tag in session.exec(
        select(ArgumentTag.argument_id, Tag)
        .join(Tag, col(Tag.id) == ArgumentTag.tag_id)
        .where(col(ArgumentTag.argument_id).in_(argument_ids))
        .order_by(col(ArgumentTag.argument_id), col(Tag.slug))
    ).all():
        found[argument_id].append(TagRef.model_validate(tag))
    return found
