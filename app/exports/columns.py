"""Flat CSV columns for each list: nested objects become `<object>_<field>`, lists join on ';'."""

from collections.abc import Callable

from app.exports.writers import Columns
from app.models import Stance
from app.schemas import (
    ArgumentItem,
    ArticleListItem,
    ExpertListItem,
    OrganizationListItem,
    ResponseItem,
    SearchHit,
    TagListItem,
)


def _stance_count(stance: Stance) -> tuple[str, Callable[[ArticleListItem], object]]:
    def count(item: ArticleListItem) -> int:
        return next((s.count for s in item.stances if s.stance == stance), 0)

    return f"stance_{stance.value}", count


ARTICLES: Columns[ArticleListItem] = [
    ("slug", lambda a: a.slug),
    ("series", lambda a: a.series),
    ("title", lambda a: a.title),
    ("question", lambda a: a.question),
    ("dek", lambda a: a.dek),
    ("published_on", lambda a: a.published_on),
    ("publisher", lambda a: a.publisher),
    ("image_credit", lambda a: a.image_credit),
    ("source_url", lambda a: a.source_url),
    ("response_count", lambda a: a.response_count),
    *(_stance_count(stance) for stance in Stance),
]
EXPERTS: Columns[ExpertListItem] = [
    ("slug", lambda e: e.slug),
    ("name", lambda e: e.name),
    ("response_count", lambda e: e.response_count),
]
ORGANIZATIONS: Columns[OrganizationListItem] = [
    ("slug", lambda o: o.slug),
    ("name", lambda o: o.name),
    ("short_name", lambda o: o.short_name),
    ("kind", lambda o: o.kind),
    ("parent_slug", lambda o: o.parent.slug if o.parent else None),
    ("expert_count", lambda o: o.expert_count),
]
RESPONSES: Columns[ResponseItem] = [
    ("article_slug", lambda r: r.article.slug),
    ("published_on", lambda r: r.article.published_on),
    ("position", lambda r: r.position),
    ("expert_slug", lambda r: r.expert.slug),
    ("expert_name", lambda r: r.expert.name),
    ("affiliation_line", lambda r: r.affiliation_line),
    ("organizations", lambda r: [a.organization.slug for a in r.affiliations if a.organization]),
    ("stance", lambda r: r.stance),
    ("stance_phrase", lambda r: r.stance_phrase),
    ("stance_source", lambda r: r.stance_source),
    ("word_count", lambda r: r.word_count),
    ("argument_count", lambda r: r.argument_count),
    ("tags", lambda r: r.tags),
    ("body", lambda r: r.body),
]
ARGUMENTS: Columns[ArgumentItem] = [
    ("article_slug", lambda a: a.article.slug),
    ("published_on", lambda a: a.article.published_on),
    ("response_position", lambda a: a.response_position),
    ("expert_slug", lambda a: a.expert.slug),
    ("expert_name", lambda a: a.expert.name),
    ("stance", lambda a: a.stance),
    ("position", lambda a: a.position),
    ("kind", lambda a: a.kind),
    ("start", lambda a: a.start),
    ("end", lambda a: a.end),
    ("text", lambda a: a.text),
    ("tags", lambda a: [tag.slug for tag in a.tags]),
    ("annotation_source", lambda a: a.annotation_source),
]
TAGS: Columns[TagListItem] = [
    ("slug", lambda t: t.slug),
    ("label", lambda t: t.label),
    ("category", lambda t: t.category),
    ("description", lambda t: t.description),
    ("argument_count", lambda t: t.argument_count),
    ("response_count", lambda t: t.response_count),
    ("expert_count", lambda t: t.expert_count),
]
SEARCH_HITS: Columns[SearchHit] = [
    ("type", lambda h: h.type),
    ("article_slug", lambda h: h.article.slug),
    ("expert_slug", lambda h: h.expert.slug if h.expert else None),
    ("expert_name", lambda h: h.expert.name if h.expert else None),
    ("stance", lambda h: h.stance),
    ("response_position", lambda h: h.response_position),
    ("argument_position", lambda h: h.argument_position),
    ("snippet", lambda h: h.snippet),
]
