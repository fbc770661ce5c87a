"""Articles: the list, and the whole roundup in one document."""

from collections import defaultdict
from datetime import date
from typing import Any

from sqlalchemy import bindparam, func
from sqlalchemy import select as select_columns
from sqlmodel import Session, col, select

from app.models import Article, Expert, Stance
from app.queries.common import (
    ANSWER_COLUMNS,
    ARGUMENT,
    ARGUMENT_COLUMNS,
    ARGUMENT_FIELDS,
    IDS,
    RESPONSE,
    argument_tags_of,
    group_affiliations,
    group_tags,
    plain_rows,
    printed_affiliations_of,
    table,
)
from app.queries.paging import IdPage, page_ids, parse_sort
from app.schemas import ArticleDetail, ArticleSummary

ARTICLE_SORTS: dict[str, Any] = {
    "published_on": col(Article.published_on),
    "title": col(Article.title),
    "slug": col(Article.slug),
}


def article_by_slug(session: Session, slug: str) -> Article | None:
    return session.exec(select(Article).where(Article.slug == slug)).first()


_ARTICLE, _EXPERT = table(Article), table(Expert)
# The statements of list_articles, built once: each selects by the page's article ids.
_LIST_FIELDS = list(ArticleSummary.model_fields)
_ARTICLES_BY_ID = select_columns(_ARTICLE.c.id, *(_ARTICLE.c[name] for name in _LIST_FIELDS)).where(
    _ARTICLE.c.id.in_(IDS)
)
_STANCE_COUNTS = (
    select_columns(RESPONSE.c.article_id, RESPONSE.c.stance, func.count())
    .where(RESPONSE.c.article_id.in_(IDS))
    .group_by(RESPONSE.c.article_id, RESPONSE.c.stance)
)


def list_articles(
    session: Session,
    *,
    series: tuple[str, ...],
    published_from: date | None,
    published_to: date | None,
    sort: str,
    limit: int,
    cursor: str | None,
) -> tuple[list[dict[str, Any]], IdPage]:
    """A page of ArticleListItem data (keys in its field order), from plain rows."""
    statement = select(Article.id)
    if series:
        statement = statement.where(col(Article.series).in_(series))
    if published_from is not None:
        statement = statement.where(col(Article.published_on) >= published_from)
    if published_to is not None:
        statement = statement.where(col(Article.published_on) <= published_to)
    keys = parse_sort(sort, ARTICLE_SORTS)
    context = repr(("articles", series, published_from, published_to, sort))
    page = page_ids(session, statement, col(Article.id), keys, limit, cursor, context)
    articles = {row.id: row for row in plain_rows(session, _ARTICLES_BY_ID, ids=page.ids)}
    stances: dict[int, dict[str, int]] = defaultdict(dict)
    for article_id, stance, count in plain_rows(session, _STANCE_COUNTS, ids=page.ids):
        stances[article_id][stance] = count
    items = []
    for article_id in page.ids:
        item = dict(zip(_LIST_FIELDS, articles[article_id][1:], strict=True))
        counts = stances[article_id]
        item["response_count"] = sum(counts.values())
        item["stances"] = [
            {"stance": stance, "count": counts[stance]} for stance in Stance if stance in counts
        ]
        items.append(item)
    return items, page


def article_detail(session: Session, article: Article) -> ArticleDetail:
    """The whole roundup as the public model (for the documents derived from it)."""
    document = article_document(session, article.slug)
    if document is None:
        raise LookupError(article.slug)
    return ArticleDetail.model_validate(document)


_OF_ARTICLE = RESPONSE.c.article_id == bindparam("article_id")

# The statements of article_document, built once: each selects by the article's id.
_ARTICLE_FIELDS = [name for name in ArticleDetail.model_fields if name != "responses"]
_ARTICLE_BY_SLUG = select_columns(
    _ARTICLE.c.id, *(_ARTICLE.c[name] for name in _ARTICLE_FIELDS)
).where(_ARTICLE.c.slug == bindparam("slug"))
_ANSWERS = (
    select_columns(*ANSWER_COLUMNS, _EXPERT.c.slug.label("expert_slug"), _EXPERT.c.name)
    .join(_EXPERT, _EXPERT.c.id == RESPONSE.c.expert_id)
    .where(_OF_ARTICLE)
    .order_by(RESPONSE.c.position)
)
_AFFILIATIONS = printed_affiliations_of(select_columns(RESPONSE.c.id).where(_OF_ARTICLE))
_ARGUMENTS = (
    select_columns(ARGUMENT.c.id, ARGUMENT.c.response_id, *ARGUMENT_COLUMNS)
    .join(RESPONSE, RESPONSE.c.id == ARGUMENT.c.response_id)
    .where(_OF_ARTICLE)
    .order_by(ARGUMENT.c.response_id, ARGUMENT.c.position)
)
_ARGUMENT_TAGS = argument_tags_of(
    select_columns(ARGUMENT.c.id)
    .join(RESPONSE, RESPONSE.c.id == ARGUMENT.c.response_id)
    .where(_OF_ARTICLE)
)


def article_document(session: Session, slug: str) -> dict[str, Any] | None:
    """The whole roundup as plain data, keys in ArticleDetail's field order, or None when no
    article has the slug: five statements keyed by the article, whatever its size, and no
    ORM objects or validation (tests prove the model would serialize it to the same bytes)."""
    found = plain_rows(session, _ARTICLE_BY_SLUG, slug=slug)
    if not found:
        return None
    article_id, *article = found[0]
    affiliations = group_affiliations(plain_rows(session, _AFFILIATIONS, article_id=article_id))
    tags = group_tags(plain_rows(session, _ARGUMENT_TAGS, article_id=article_id))
    arguments: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for argument_id, response_id, *fields in plain_rows(session, _ARGUMENTS, article_id=article_id):
        argument = dict(zip(ARGUMENT_FIELDS, fields, strict=True))
        argument["tags"] = tags[argument_id]
        arguments[response_id].append(argument)
    document = dict(zip(_ARTICLE_FIELDS, article, strict=True))
    document["responses"] = [
        {
            "position": answer.position,
            "expert": {"slug": answer.expert_slug, "name": answer.name},
            "affiliation_line": answer.affiliation_line,
            "affiliations": affiliations[answer.id],
            "stance": answer.stance,
            "stance_phrase": answer.stance_phrase,
            "stance_source": answer.stance_source,
            "word_count": answer.word_count,
            "body": answer.body,
            "arguments": arguments[answer.id],
        }
        for answer in plain_rows(session, _ANSWERS, article_id=article_id)
    ]
    return document
