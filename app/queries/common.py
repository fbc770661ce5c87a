"""Shared by several resources: running prebuilt Core statements for plain rows, and the
printed affiliations, tags and columns that answers and arguments show, as plain data (keys
in the public models' field order, so bodies need no model on the way out)."""

from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import BindParameter, Executable, Row, Table, bindparam, select
from sqlmodel import Session

from app.errors import UnknownTagError
from app.filters import with_descendants
from app.models import (
    Affiliation,
    Answer,
    Argument,
    ArgumentTag,
    Organization,
    ResponseAffiliation,
    Tag,
)
from app.schemas import OrganizationRef, OrganizationWithParent


def table(model: Any) -> Table:
    """A table model's Core table: statements on it yield plain rows, with no ORM step."""
    found: Table = model.__table__
    return found


# A row of any width: `Row[Any]` would be a row of one column to the type checker.
PlainRow = Row[*tuple[Any, ...]]


def plain_rows(session: Session, statement: Executable, **params: Any) -> Sequence[PlainRow]:
    """Run a Core statement (built once, at import) on the session's connection: bound
    parameters, plain rows, none of the ORM session's per-statement work."""
    return session.connection().execute(statement, params).all()


RESPONSE, ARGUMENT, TAG = table(Answer), table(Argument), table(Tag)
_ARGUMENT_TAG, _AFFILIATION = table(ArgumentTag), table(Affiliation)
_PRINTED, _ORGANIZATION = table(ResponseAffiliation), table(Organization)
_PARENT = _ORGANIZATION.alias("parent")
IDS: BindParameter[list[int]] = bindparam("ids", expanding=True)

# An answer's own columns, in the public models' order (with its id, to join the rest).
ANSWER_COLUMNS = (
    RESPONSE.c.id,
    RESPONSE.c.position,
    RESPONSE.c.affiliation_line,
    RESPONSE.c.stance,
    RESPONSE.c.stance_phrase,
    RESPONSE.c.stance_source,
    RESPONSE.c.word_count,
    RESPONSE.c.body,
)
# An argument's own columns, in the public models' order (callers add the ids they need).
ARGUMENT_COLUMNS = (
    ARGUMENT.c.position,
    ARGUMENT.c.text,
    ARGUMENT.c.start,
    ARGUMENT.c.end,
    ARGUMENT.c.kind,
    ARGUMENT.c.annotation_source,
)
ARGUMENT_FIELDS = tuple(column.name for column in ARGUMENT_COLUMNS)


def printed_affiliations_of(responses: Any) -> Any:
    """The printed affiliations of the responses `responses` selects from RESPONSE (joined,
    filtered), as rows for printed_affiliation_data, with the response id, in printed order."""
    return (
        responses.add_columns(
            _AFFILIATION.c.role,
            _ORGANIZATION.c.slug,
            _ORGANIZATION.c.name,
            _ORGANIZATION.c.short_name,
            _ORGANIZATION.c.kind,
            _PARENT.c.slug.label("parent_slug"),
            _PARENT.c.name.label("parent_name"),
            _PARENT.c.short_name.label("parent_short_name"),
            _PARENT.c.kind.label("parent_kind"),
        )
        .join(_PRINTED, _PRINTED.c.response_id == RESPONSE.c.id)
        .join(_AFFILIATION, _AFFILIATION.c.id == _PRINTED.c.affiliation_id)
        .outerjoin(_ORGANIZATION, _ORGANIZATION.c.id == _AFFILIATION.c.organization_id)
        .outerjoin(_PARENT, _PARENT.c.id == _ORGANIZATION.c.parent_id)
        .order_by(_PRINTED.c.response_id, _PRINTED.c.position)
    )


def argument_tags_of(arguments: Any) -> Any:
    """The tags of the arguments `arguments` selects from ARGUMENT (joined, filtered), as
    (argument id, slug, label, category) rows, by argument id, then slug."""
    return (
        arguments.add_columns(TAG.c.slug, TAG.c.label, TAG.c.category)
        .join(_ARGUMENT_TAG, _ARGUMENT_TAG.c.argument_id == ARGUMENT.c.id)
        .join(TAG, TAG.c.id == _ARGUMENT_TAG.c.tag_id)
        .order_by(ARGUMENT.c.id, TAG.c.slug)
    )


_AFFILIATIONS_BY_RESPONSE = printed_affiliations_of(
    select(RESPONSE.c.id).where(RESPONSE.c.id.in_(IDS))
)
_TAGS_BY_ARGUMENT = argument_tags_of(select(ARGUMENT.c.id).where(ARGUMENT.c.id.in_(IDS)))


def organization_data(slug: str, name: str, short_name: str | None, kind: str) -> dict[str, Any]:
    """An organization as OrganizationRef shows it."""
    return {"slug": slug, "name": name, "short_name": short_name, "kind": kind}


def printed_affiliation_data(row: Mapping[Any, Any]) -> dict[str, Any]:
    """A PrintedAffiliation as plain data, from a row of `role`, the organization's `slug`,
    `name`, `short_name`, `kind` (NULL for a role printed with no organization), and its
    parent's (`parent_slug`, ...; NULL when none)."""
    if row["slug"] is None:
        return {"role": row["role"], "organization": None}
    organization = organization_data(row["slug"], row["name"], row["short_name"], row["kind"])
    parent = row["parent_slug"]
    organization["parent"] = (
        None
        if parent is None
        else organization_data(
            parent, row["parent_name"], row["parent_short_name"], row["parent_kind"]
        )
    )
    return {"role": row["role"], "organization": organization}


def group_affiliations(rows: Sequence[PlainRow]) -> dict[int, list[dict[str, Any]]]:
    """Rows of printed_affiliations_of, as PrintedAffiliation data by response id."""
    found: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        found[row.id].append(printed_affiliation_data(row._mapping))
    return found


def group_tags(rows: Sequence[PlainRow]) -> dict[int, list[dict[str, Any]]]:
    """Rows of argument_tags_of, as TagRef data by argument id."""
    found: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for argument_id, slug, label, category in rows:
        found[argument_id].append({"slug": slug, "label": label, "category": category})
    return found


def printed_affiliations(
    session: Session, response_ids: Sequence[int]
) -> dict[int, list[dict[str, Any]]]:
    """The affiliations each response was printed with, in printed order."""
    return group_affiliations(plain_rows(session, _AFFILIATIONS_BY_RESPONSE, ids=response_ids))


def argument_tags(session: Session, argument_ids: Sequence[int]) -> dict[int, list[dict[str, Any]]]:
    """Each argument's tags, by slug."""
    return group_tags(plain_rows(session, _TAGS_BY_ARGUMENT, ids=argument_ids))


_ORGANIZATION_TREE = select(_ORGANIZATION.c.id, _ORGANIZATION.c.slug, _ORGANIZATION.c.parent_id)
_TAG_SLUGS = select(TAG.c.slug).where(TAG.c.slug.in_(bindparam("slugs", expanding=True)))


def organization_units(session: Session, slugs: tuple[str, ...]) -> tuple[int, ...]:
    """Ids of the organizations named by `slugs` and of all their units, at any depth (none
    for a slug that names no organization)."""
    if not slugs:
        return ()
    return with_descendants(plain_rows(session, _ORGANIZATION_TREE), slugs)


def require_tags(session: Session, slugs: Sequence[str]) -> None:
    """An `UnknownTagError` naming those of `slugs` that are not tags, if any are not."""
    if not slugs:
        return
    known = {slug for (slug,) in plain_rows(session, _TAG_SLUGS, slugs=slugs)}
    unknown = [slug for slug in slugs if slug not in known]
    if unknown:
        raise UnknownTagError(unknown)


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
