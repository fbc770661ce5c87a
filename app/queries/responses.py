"""Responses and arguments: filtered, sorted, paginated, with facets over the filtered set."""

from collections import defaultdict
from collections.abc import Collection
from typing import Any

from sqlalchemy import Select, func
from sqlalchemy import select as select_columns
from sqlmodel import Session, col, distinct, select

from app.db import OrderedJoin
from app.filters import (
    KIND_LABELS,
    STANCE_LABELS,
    ResponseFilters,
    argument_conditions,
    only_tags,
    response_conditions,
    tagged_arguments,
)
from app.models import (
    Affiliation,
    Answer,
    Argument,
    ArgumentKind,
    ArgumentTag,
    Article,
    Expert,
    Organization,
    ResponseAffiliation,
    Stance,
    Tag,
)
from app.queries.common import (
    ANSWER_COLUMNS,
    ARGUMENT,
    ARGUMENT_COLUMNS,
    ARGUMENT_FIELDS,
    IDS,
    RESPONSE,
    TAG,
    PlainRow,
    argument_tags,
    plain_rows,
    printed_affiliations,
    table,
)
from app.queries.paging import IdPage, SortKey, count_facet, count_once, page_ids, parse_sort
from app.schemas import FacetValue

RESPONSE_SORTS: dict[str, Any] = {
    "published_on": col(Article.published_on),
    "article": col(Article.slug),
    "position": col(Answer.position),
    "expert": col(Expert.name),
    "stance": col(Answer.stance),
    "word_count": col(Answer.word_count),
}
ARGUMENT_SORTS: dict[str, Any] = {
    "published_on": col(Article.published_on),
    "article": col(Article.slug),
    "response_position": col(Answer.position),
    "position": col(Argument.position),
    "expert": col(Expert.name),
    "stance": col(Answer.stance),
    "kind": col(Argument.kind),
}
RESPONSE_FACETS = ("stance", "tag", "organization", "expert", "article")
ARGUMENT_FACETS = (*RESPONSE_FACETS, "kind")


# Above this many matches, a list sorted newest first is read by walking the articles from
# the newest (the first page is found after about limit x rows / total rows); below it, the
# matching rows are fewer than that walk, and sorting them is cheaper.
WALK_ARTICLES_ABOVE = 2000


def _walk_articles(keys: list[SortKey], total: int) -> bool:
    return keys[0].name == "published_on" and total > WALK_ARTICLES_ABOVE


def _responses(
    filters: ResponseFilters, sorts: Collection[str] = (), walk_articles: bool = False
) -> Select[Any]:
    """Matching responses, joined only to what the filters and the sort keys `sorts` read
    (inner joins along non-null foreign keys, so a join never changes which rows match);
    `walk_articles` runs the join from the articles, newest first."""
    statement = select(Answer.id)
    if walk_articles:
        statement = statement.select_from(
            OrderedJoin(table(Article), table(Answer), col(Article.id) == Answer.article_id)
        )
    elif _needs_article(filters, sorts):
        statement = statement.join(Article, col(Article.id) == Answer.article_id)
    if filters.expert or "expert" in sorts:
        statement = statement.join(Expert, col(Expert.id) == Answer.expert_id)
    return statement.where(*response_conditions(filters, correlated=walk_articles))


def _arguments(
    filters: ResponseFilters, sorts: Collection[str] = (), walk_articles: bool = False
) -> Select[Any]:
    """Matching arguments, joined only to what the filters and the sort keys `sorts` read;
    `walk_articles` runs the join from the articles, newest first, in printed order."""
    statement = select(Argument.id)
    article = _needs_article(filters, sorts)
    expert = bool(filters.expert) or "expert" in sorts
    if walk_articles:
        statement = statement.select_from(
            OrderedJoin(
                OrderedJoin(table(Article), table(Answer), col(Article.id) == Answer.article_id),
                table(Argument),
                col(Answer.id) == Argument.response_id,
            )
        )
    else:
        if (
            article
            or expert
            or filters.stance
            or filters.organization
            or {"response_position", "stance"} & set(sorts)
        ):
            statement = statement.join(Answer, col(Answer.id) == Argument.response_id)
        if article:
            statement = statement.join(Article, col(Article.id) == Answer.article_id)
    if expert:
        statement = statement.join(Expert, col(Expert.id) == Answer.expert_id)
    return statement.where(*argument_conditions(filters, correlated=walk_articles))


def _tagged_only(filters: ResponseFilters) -> Select[Any]:
    """The arguments matching tag filters alone, from argument_tag's index without visiting
    the arguments: those with any of the tags, or with as many of them as were asked."""
    tags = set(filters.tag)
    tagged = tagged_arguments().where(col(Tag.slug).in_(tags))
    if len(tags) == 1:
        return tagged  # an argument carries a tag once: no duplicates to remove
    if filters.tag_match == "any":
        return tagged.distinct().subquery().select()
    wanted = tagged.group_by(col(ArgumentTag.argument_id)).having(func.count() == len(tags))
    return wanted.subquery().select()


def _needs_article(filters: ResponseFilters, sorts: Collection[str]) -> bool:
    return bool(
        filters.article
        or filters.published_from
        or filters.published_to
        or {"article", "published_on"} & set(sorts)
    )


def list_responses(
    session: Session, filters: ResponseFilters, sort: str, limit: int, cursor: str | None
) -> tuple[list[dict[str, Any]], IdPage]:
    keys = parse_sort(sort, RESPONSE_SORTS)
    context = repr(("responses", filters.fingerprint(), sort))
    total = count_once(session, repr(("responses", filters.fingerprint())), _responses(filters))
    sorted_rows = _responses(filters, [key.name for key in keys], _walk_articles(keys, total))
    page = page_ids(session, sorted_rows, col(Answer.id), keys, limit, cursor, context, total)
    return response_items(session, page.ids), page


_ARTICLE, _EXPERT, _ARGUMENT_TAG = table(Article), table(Expert), table(ArgumentTag)
_ARTICLE_AND_EXPERT: tuple[Any, ...] = (
    _ARTICLE.c.slug.label("article_slug"),
    _ARTICLE.c.title.label("article_title"),
    _ARTICLE.c.published_on.label("article_published_on"),
    _EXPERT.c.slug.label("expert_slug"),
    _EXPERT.c.name.label("expert_name"),
)
# The statements of response_items and argument_items, built once: each selects by ids.
_RESPONSES_BY_ID = (
    select_columns(*ANSWER_COLUMNS, *_ARTICLE_AND_EXPERT)
    .join(_ARTICLE, _ARTICLE.c.id == RESPONSE.c.article_id)
    .join(_EXPERT, _EXPERT.c.id == RESPONSE.c.expert_id)
    .where(RESPONSE.c.id.in_(IDS))
)
_RESPONSE_TAGS = (
    select_columns(ARGUMENT.c.response_id, TAG.c.slug)
    .distinct()
    .join(_ARGUMENT_TAG, _ARGUMENT_TAG.c.argument_id == ARGUMENT.c.id)
    .join(TAG, TAG.c.id == _ARGUMENT_TAG.c.tag_id)
    .where(ARGUMENT.c.response_id.in_(IDS))
    .order_by(ARGUMENT.c.response_id, TAG.c.slug)
)
_ARGUMENT_COUNTS = (
    select_columns(ARGUMENT.c.response_id, func.count())
    .where(ARGUMENT.c.response_id.in_(IDS))
    .group_by(ARGUMENT.c.response_id)
)
_ARGUMENTS_BY_ID = (
    select_columns(
        ARGUMENT.c.id,
        *ARGUMENT_COLUMNS,
        RESPONSE.c.position.label("response_position"),
        RESPONSE.c.stance,
        *_ARTICLE_AND_EXPERT,
    )
    .join(RESPONSE, RESPONSE.c.id == ARGUMENT.c.response_id)
    .join(_ARTICLE, _ARTICLE.c.id == RESPONSE.c.article_id)
    .join(_EXPERT, _EXPERT.c.id == RESPONSE.c.expert_id)
    .where(ARGUMENT.c.id.in_(IDS))
)


def response_items(session: Session, ids: list[int]) -> list[dict[str, Any]]:
    """The responses `ids`, in that order, as ResponseItem data (keys in its field order)
    from plain rows: no ORM objects, no validation."""
    rows = {row.id: row for row in plain_rows(session, _RESPONSES_BY_ID, ids=ids)}
    affiliations = printed_affiliations(session, ids)
    tags: dict[int, list[str]] = defaultdict(list)
    for response_id, slug in plain_rows(session, _RESPONSE_TAGS, ids=ids):
        tags[response_id].append(slug)
    counts: dict[int, int] = {}
    for response_id, count in plain_rows(session, _ARGUMENT_COUNTS, ids=ids):
        counts[response_id] = count
    items = []
    for response_id in ids:
        row = rows[response_id]
        items.append(
            {
                "article": _article_ref(row),
                "position": row.position,
                "expert": {"slug": row.expert_slug, "name": row.expert_name},
                "affiliation_line": row.affiliation_line,
                "affiliations": affiliations[response_id],
                "stance": row.stance,
                "stance_phrase": row.stance_phrase,
                "stance_source": row.stance_source,
                "word_count": row.word_count,
                "body": row.body,
                "tags": tags[response_id],
                "argument_count": counts.get(response_id, 0),
            }
        )
    return items


def _article_ref(row: PlainRow) -> dict[str, Any]:
    """ArticleRef data from a row with the `_ARTICLE_AND_EXPERT` columns."""
    return {
        "slug": row.article_slug,
        "title": row.article_title,
        "published_on": row.article_published_on,
    }


def list_arguments(
    session: Session, filters: ResponseFilters, sort: str, limit: int, cursor: str | None
) -> tuple[list[dict[str, Any]], IdPage]:
    keys = parse_sort(sort, ARGUMENT_SORTS)
    context = repr(("arguments", filters.fingerprint(), sort))
    counted = _tagged_only(filters) if only_tags(filters) else _arguments(filters)
    total = count_once(session, repr(("arguments", filters.fingerprint())), counted)
    sorted_rows = _arguments(filters, [key.name for key in keys], _walk_articles(keys, total))
    page = page_ids(session, sorted_rows, col(Argument.id), keys, limit, cursor, context, total)
    return argument_items(session, page.ids), page


def argument_items(session: Session, ids: list[int]) -> list[dict[str, Any]]:
    """The arguments `ids`, in that order, as ArgumentItem data (keys in its field order)
    from plain rows: no ORM objects, no validation."""
    rows = {row.id: row for row in plain_rows(session, _ARGUMENTS_BY_ID, ids=ids)}
    tags = argument_tags(session, ids)
    items = []
    for argument_id in ids:
        row = rows[argument_id]
        item = {
            "article": _article_ref(row),
            "expert": {"slug": row.expert_slug, "name": row.expert_name},
            "response_position": row.response_position,
            "stance": row.stance,
        }
        item.update(zip(ARGUMENT_FIELDS, row[1 : 1 + len(ARGUMENT_FIELDS)], strict=True))
        item["tags"] = tags[argument_id]
        items.append(item)
    return items


def response_facets(
    session: Session, filters: ResponseFilters, names: tuple[str, ...]
) -> dict[str, list[FacetValue]]:
    """Counts of responses per facet value over the filtered set (tags: responses with an
    argument carrying the tag, so tag counts can add up to more than the total)."""
    matching = select(_responses(filters).subquery().c.id)
    base = select(col(Answer.id)).select_from(Answer).where(col(Answer.id).in_(matching))
    return {name: _facet(session, base, name, col(Answer.id), False) for name in names}


def argument_facets(
    session: Session, filters: ResponseFilters, names: tuple[str, ...]
) -> dict[str, list[FacetValue]]:
    """Counts of arguments per facet value over the filtered set."""
    matching = select(_arguments(filters).subquery().c.id)
    base = (
        select(col(Argument.id))
        .select_from(Argument)
        .join(Answer, col(Answer.id) == Argument.response_id)
        .where(col(Argument.id).in_(matching))
    )
    return {name: _facet(session, base, name, col(Argument.id), True) for name in names}


def _facet(
    session: Session, base: Select[Any], name: str, counted: Any, per_argument: bool
) -> list[FacetValue]:
    """Group `base` (rows of Answer, or of Argument joined to Answer) by the facet."""
    count = func.count(distinct(counted))
    if name == "stance":
        value: Any = col(Answer.stance)
        return count_facet(
            session, base.with_only_columns(value, value, count).group_by(value), _stance_label
        )
    if name == "kind":
        value = col(Argument.kind)
        return count_facet(
            session, base.with_only_columns(value, value, count).group_by(value), _kind_label
        )
    if name == "expert":
        value, label = col(Expert.slug), col(Expert.name)
        base = base.join(Expert, col(Expert.id) == Answer.expert_id)
    elif name == "article":
        value, label = col(Article.slug), col(Article.title)
        base = base.join(Article, col(Article.id) == Answer.article_id)
    elif name == "organization":
        value, label = col(Organization.slug), col(Organization.name)
        base = (
            base.join(ResponseAffiliation, col(ResponseAffiliation.response_id) == Answer.id)
            .join(Affiliation, col(Affiliation.id) == ResponseAffiliation.affiliation_id)
            .join(Organization, col(Organization.id) == Affiliation.organization_id)
        )
    else:
        value, label = col(Tag.slug), col(Tag.label)
        if not per_argument:
            base = base.join(Argument, col(Argument.response_id) == Answer.id)
        base = base.join(ArgumentTag, col(ArgumentTag.argument_id) == Argument.id).join(
            Tag, col(Tag.id) == ArgumentTag.tag_id
        )
    return count_facet(session, base.with_only_columns(value, label, count).group_by(value, label))


def _stance_label(value: Any, _name: Any) -> str:
    return STANCE_LABELS[Stance(value)]


def _kind_label(value: Any, _name: Any) -> str:
    return KIND_LABELS[ArgumentKind(value)]
