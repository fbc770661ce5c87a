"""Articles: the list, and the whole roundup in one document."""

from collections import defaultdict
from datetime import date
from typing import Any

from sqlalchemy import func
from sqlalchemy import select as select_columns
from sqlmodel import Session, col, select

from app.listing import parse_sort
from app.models import Argument, Article, Expert, Response, Stance, row_id
from app.queries.common import (
    ANSWER_COLUMNS,
    ARGUMENT_COLUMNS,
    argument_tags,
    printed_affiliations,
)
from app.queries.paging import IdPage, page_ids
from app.schemas import (
    ArticleDetail,
    ArticleListItem,
    StanceCount,
)

ARTICLE_SORTS: dict[str, Any] = {
    "published_on": col(Article.published_on),
    "title": col(Article.title),
    "slug": col(Article.slug),
}


def article_by_slug(session: Session, slug: str) -> Article | None:
    return session.exec(select(Article).where(Article.slug == slug)).first()


def list_articles(
    session: Session,
    *,
    series: tuple[str, ...],
    published_from: date | None,
    published_to: date | None,
    sort: str,
    limit: int,
    cursor: str | None,
) -> tuple[list[ArticleListItem], IdPage]:
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
    articles = {
        row_id(a): a for a in session.exec(select(Article).where(col(Article.id).in_(page.ids)))
    }
    stances: dict[int, dict[Stance, int]] = defaultdict(dict)
    for article_id, stance, count in session.exec(
        select(Response.article_id, Response.stance, func.count())
        .where(col(Response.article_id).in_(page.ids))
        .group_by(col(Response.article_id), col(Response.stance))
    ).all():
        stances[article_id][Stance(stance)] = count
    items = [
        ArticleListItem.model_validate(
            {
                **articles[article_id].model_dump(),
                "response_count": sum(stances[article_id].values()),
                "stances": [
                    StanceCount(stance=stance, count=stances[article_id][stance])
                    for stance in Stance
                    if stance in stances[article_id]
                ],
            }
        )
        for article_id in page.ids
    ]
    return items, page


def article_detail(session: Session, article: Article) -> ArticleDetail:
    """The whole roundup in four queries, however many responses and arguments it has.

    Plain rows into dicts, validated once into the public model: no ORM objects per row."""
    responses = [
        dict(row._mapping)
        for row in session.execute(
            select_columns(
                *ANSWER_COLUMNS,
                col(Expert.slug).label("expert_slug"),
                col(Expert.name).label("expert_name"),
            )
            .join(Expert, col(Expert.id) == Response.expert_id)
            .where(col(Response.article_id) == article.id)
            .order_by(col(Response.position))
        )
    ]
    response_ids = [response["id"] for response in responses]
    affiliations = printed_affiliations(session, response_ids)
    arguments = session.execute(
        select_columns(
            col(Argument.id),
            col(Argument.response_id),
            *ARGUMENT_COLUMNS,
        )
        .where(col(Argument.response_id).in_(response_ids))
        .order_by(col(Argument.response_id), col(Argument.position))
    ).all()
    tags = argument_tags(session, [argument.id for argument in arguments])
    by_response: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for argument in arguments:
        by_response[argument.response_id].append({**argument._mapping, "tags": tags[argument.id]})
    return ArticleDetail.model_validate(
        {
            **article.model_dump(),
            "responses": [
                {
                    **response,
                    "expert": {"slug": response["expert_slug"], "name": response["expert_name"]},
                    "affiliations": affiliations[response["id"]],
                    "arguments": by_response[response["id"]],
                }
                for response in responses
            ],
        }
    )
