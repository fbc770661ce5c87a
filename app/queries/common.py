"""Lookups shared by several resources: printed affiliations and argument tags."""

from collections import defaultdict
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import aliased
from sqlmodel import Session, col

from app.models import (
    Affiliation,
    Argument,
    ArgumentTag,
    Organization,
    Response,
    ResponseAffiliation,
    Tag,
)
from app.schemas import OrganizationRef, OrganizationWithParent, PrintedAffiliation, TagRef

# An answer's own columns, as the public models show them (with its id, to join the rest).
ANSWER_COLUMNS = (
    col(Response.id),
    col(Response.position),
    col(Response.affiliation_line),
    col(Response.stance),
    col(Response.stance_phrase),
    col(Response.stance_source),
    col(Response.word_count),
    col(Response.body),
)
# An argument's own columns, as the public models show them (callers add the ids they need).
ARGUMENT_COLUMNS = (
    col(Argument.position),
    col(Argument.text),
    col(Argument.start),
    col(Argument.end),
    col(Argument.kind),
    col(Argument.annotation_source),
)


def organization_with_parent(
    organization: Organization | None, parent: Organization | None
) -> OrganizationWithParent | None:
    if organization is None:
        return None
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
    rows = session.execute(
        select(
            col(ResponseAffiliation.response_id),
            col(Affiliation.role),
            col(Organization.slug),
            col(Organization.name),
            col(Organization.short_name),
            col(Organization.kind),
            col(parent.slug),
            col(parent.name),
            col(parent.short_name),
            col(parent.kind),
        )
        .join(Affiliation, col(Affiliation.id) == ResponseAffiliation.affiliation_id)
        .outerjoin(Organization, col(Organization.id) == Affiliation.organization_id)
        .outerjoin(parent, col(parent.id) == Organization.parent_id)
        .where(col(ResponseAffiliation.response_id).in_(response_ids))
        .order_by(col(ResponseAffiliation.response_id), col(ResponseAffiliation.position))
    ).all()
    found: dict[int, list[PrintedAffiliation]] = defaultdict(list)
    for response_id, role, slug, name, short, kind, p_slug, p_name, p_short, p_kind in rows:
        found[response_id].append(
            PrintedAffiliation(
                role=role,
                organization=None
                if slug is None
                else OrganizationWithParent(
                    slug=slug,
                    name=name,
                    short_name=short,
                    kind=kind,
                    parent=None
                    if p_slug is None
                    else OrganizationRef(slug=p_slug, name=p_name, short_name=p_short, kind=p_kind),
                ),
            )
        )
    return found


def argument_tags(session: Session, argument_ids: Sequence[int]) -> dict[int, list[TagRef]]:
    """Each argument's tags, by slug."""
    found: dict[int, list[TagRef]] = defaultdict(list)
    for argument_id, slug, label, category in session.execute(
        select(col(ArgumentTag.argument_id), col(Tag.slug), col(Tag.label), col(Tag.category))
        .join(Tag, col(Tag.id) == ArgumentTag.tag_id)
        .where(col(ArgumentTag.argument_id).in_(argument_ids))
        .order_by(col(ArgumentTag.argument_id), col(Tag.slug))
    ).all():
        found[argument_id].append(TagRef(slug=slug, label=label, category=category))
    return found
