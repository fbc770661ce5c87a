"""Typed, whitelisted filters for the list endpoints, and their SQL conditions."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal, Protocol

from sqlalchemy import ColumnElement, Select, false, select
from sqlmodel import col

from app.models import (
    Affiliation,
    Answer,
    Argument,
    ArgumentKind,
    ArgumentTag,
    Article,
    Expert,
    ResponseAffiliation,
    SearchDocument,
    SearchKind,
    Stance,
    Tag,
)
from app.search.query import SearchQuery
from app.search.sql import text_match

STANCE_LABELS = {
    Stance.YES: "Yes",
    Stance.YES_CONDITIONAL: "Yes, with conditions",
    Stance.NOT_YET: "Not yet",
    Stance.NO: "No",
    Stance.MIXED: "Mixed",
    Stance.UNCLEAR: "Unclear",
}
KIND_LABELS = {kind: kind.value.capitalize() for kind in ArgumentKind}


@dataclass(frozen=True)
class ResponseFilters:
    """Filters shared by /v1/responses and /v1/arguments (kind applies to arguments only)."""

    article: tuple[str, ...] = ()
    expert: tuple[str, ...] = ()
    organization: tuple[str, ...] = ()
    stance: tuple[Stance, ...] = ()
    tag: tuple[str, ...] = ()
    tag_match: Literal["any", "all"] = "any"
    published_from: date | None = None
    published_to: date | None = None
    kind: tuple[ArgumentKind, ...] = ()
    text: SearchQuery | None = None
    organization_ids: tuple[int, ...] = field(default=(), compare=False)

    def fingerprint(self) -> str:
        """Identifies the filtered set, so a cursor cannot be replayed on another query."""
        return repr(
            (
                self.article,
                self.expert,
                self.organization,
                self.stance,
                self.tag,
                self.tag_match,
                self.published_from,
                self.published_to,
                self.kind,
                self.text.canonical if self.text else None,
            )
        )


def response_conditions(
    filters: ResponseFilters, correlated: bool = False
) -> list[ColumnElement[bool]]:
    """Conditions on a query that joins Answer, Article and Expert. `correlated` writes
    the conditions on other tables as EXISTS lookups, row by row: for a query that walks rows
    in order and stops at a page, rather than one that reads every match."""
    conditions = _common(filters, correlated)
    tagged = (
        select(col(Argument.response_id))
        .join(ArgumentTag, col(ArgumentTag.argument_id) == Argument.id)
        .join(Tag, col(Tag.id) == ArgumentTag.tag_id)
    )
    conditions.extend(_tag_conditions(filters, col(Answer.id), tagged, correlated))
    if filters.text is not None:
        conditions.append(col(Answer.id).in_(_matching(filters.text, SearchKind.RESPONSE)))
    return conditions


def argument_conditions(
    filters: ResponseFilters, correlated: bool = False
) -> list[ColumnElement[bool]]:
    """Conditions on a query that joins Argument, Answer, Article and Expert (`correlated`:
    as in response_conditions)."""
    conditions = _common(filters, correlated)
    if filters.kind:
        conditions.append(col(Argument.kind).in_(filters.kind))
    conditions.extend(_tag_conditions(filters, col(Argument.id), tagged_arguments(), correlated))
    if filters.text is not None:
        conditions.append(col(Argument.id).in_(_matching(filters.text, SearchKind.ARGUMENT)))
    return conditions


def tagged_arguments() -> Select[Any]:
    """Ids of tagged arguments, with their tags joined (read from argument_tag's indexes)."""
    return select(col(ArgumentTag.argument_id)).join(Tag, col(Tag.id) == ArgumentTag.tag_id)


def only_tags(filters: ResponseFilters) -> bool:
    """Whether tags are all that `filters` filter on."""
    return bool(filters.tag) and filters == ResponseFilters(
        tag=filters.tag, tag_match=filters.tag_match
    )


def _tag_conditions(
    filters: ResponseFilters, row_id: Any, tagged: Select[Any], correlated: bool
) -> list[ColumnElement[bool]]:
    """`row_id` among the rows `tagged` selects for any of the tags, or for each of them."""
    if not filters.tag:
        return []
    if filters.tag_match == "any":
        return [_among(row_id, tagged.where(col(Tag.slug).in_(filters.tag)), correlated)]
    return [_among(row_id, tagged.where(col(Tag.slug) == slug), correlated) for slug in filters.tag]


def _among(row_id: Any, ids: Select[Any], correlated: bool) -> ColumnElement[bool]:
    """`row_id` IN the one-column `ids`; or EXISTS (`ids` where its column is `row_id`)."""
    if not correlated:
        member: ColumnElement[bool] = row_id.in_(ids)
        return member
    [selected] = ids.selected_columns
    return ids.where(selected == row_id).exists()


def article_conditions(filters: ResponseFilters) -> list[ColumnElement[bool]]:
    """Conditions on Article for search hits on articles: the filters that name an expert,
    organization, stance, tag or argument kind describe answers, so no article matches them."""
    if filters.expert or filters.organization or filters.stance or filters.tag or filters.kind:
        return [false()]
    return _on_article(filters)


def _on_article(filters: ResponseFilters) -> list[ColumnElement[bool]]:
    """The conditions on the article: which ones, published when."""
    conditions: list[ColumnElement[bool]] = []
    if filters.article:
        conditions.append(col(Article.slug).in_(filters.article))
    if filters.published_from is not None:
        conditions.append(col(Article.published_on) >= filters.published_from)
    if filters.published_to is not None:
        conditions.append(col(Article.published_on) <= filters.published_to)
    return conditions


def _matching(query: SearchQuery, kind: SearchKind) -> Select[Any]:
    """Ids of the items of `kind` whose text matches `query`."""
    return select(col(SearchDocument.item_id)).where(
        col(SearchDocument.kind) == kind, text_match(query)
    )


def _common(filters: ResponseFilters, correlated: bool) -> list[ColumnElement[bool]]:
    conditions = _on_article(filters)
    if filters.expert:
        conditions.append(col(Expert.slug).in_(filters.expert))
    if filters.organization:
        printed_at = (
            select(col(ResponseAffiliation.response_id))
            .join(Affiliation, col(Affiliation.id) == ResponseAffiliation.affiliation_id)
            .where(col(Affiliation.organization_id).in_(filters.organization_ids))
        )
        conditions.append(_among(col(Answer.id), printed_at, correlated))
    if filters.stance:
        conditions.append(col(Answer.stance).in_(filters.stance))
    return conditions


class OrganizationNode(Protocol):
    """What with_descendants reads of an organization: a table row or a plain one."""

    @property
    def id(self) -> int | None: ...

    @property
    def slug(self) -> str: ...

    @property
    def parent_id(self) -> int | None: ...


def with_descendants(
    organizations: Sequence[OrganizationNode], slugs: tuple[str, ...]
) -> tuple[int, ...]:
    """Ids of the organizations named by `slugs` and of all their units, at any depth."""
    children: dict[int | None, list[OrganizationNode]] = {}
    for org in organizations:
        children.setdefault(org.parent_id, []).append(org)
    found: list[int] = []
    stack = [org for org in organizations if org.slug in slugs]
    while stack:
        org = stack.pop()
        if org.id is not None and org.id not in found:
            found.append(org.id)
            stack.extend(children.get(org.id, []))
    return tuple(sorted(found))
