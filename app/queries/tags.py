"""Tags with usage counts, the experts who raised them, and co-occurring tags."""

from typing import Any

from sqlalchemy import func
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, distinct, select

from app.models import Answer, Argument, ArgumentTag, Expert, Tag, row_id
from app.queries.paging import IdPage, cursor_secret, decode_cursor, encode_cursor
from app.schemas import ExpertCount, ExpertRef, TagCount, TagDetail, TagListItem, TagRef

SLUG: Any = col(Tag.slug)  # the keyset of the tag list


def tag_by_slug(session: Session, slug: str) -> Tag | None:
    return session.exec(select(Tag).where(Tag.slug == slug)).first()


def list_tags(session: Session, category: tuple[str, ...]) -> list[TagListItem]:
    """Every tag (the taxonomy is small: no pagination), by slug, with usage counts."""
    statement = (
        select(
            Tag,
            func.count(distinct(ArgumentTag.argument_id)),
            func.count(distinct(Argument.response_id)),
            func.count(distinct(Answer.expert_id)),
        )
        .outerjoin(ArgumentTag, col(ArgumentTag.tag_id) == Tag.id)
        .outerjoin(Argument, col(Argument.id) == ArgumentTag.argument_id)
        .outerjoin(Answer, col(Answer.id) == Argument.response_id)
        .group_by(col(Tag.id))
        .order_by(col(Tag.slug))
    )
    if category:
        statement = statement.where(col(Tag.category).in_(category))
    return [
        TagListItem.model_validate(
            {
                **tag.model_dump(),
                "argument_count": arguments,
                "response_count": responses,
                "expert_count": experts,
            }
        )
        for tag, arguments, responses, experts in session.exec(statement).all()
    ]


def tag_page(
    session: Session, category: tuple[str, ...], *, limit: int, cursor: str | None
) -> tuple[list[TagListItem], IdPage]:
    """One page of `list_tags`: the keyset is the slug (the list's order), the count is
    of every tag that matches."""
    items = list_tags(session, category)
    context = "tags|" + ",".join(category)
    start = 0
    if cursor is not None:
        (after,) = decode_cursor(cursor, [SLUG], context, cursor_secret(session))
        start = next(
            (index + 1 for index, tag in enumerate(items) if tag.slug == after),
            sum(1 for tag in items if tag.slug < after),
        )
    chosen = items[start : start + limit]
    more = start + limit < len(items)
    next_cursor = (
        encode_cursor([chosen[-1].slug], context, cursor_secret(session))
        if more and chosen
        else None
    )
    return chosen, IdPage(ids=[], total=len(items), next_cursor=next_cursor)


def tag_detail(session: Session, tag: Tag) -> TagDetail:
    tag_id = row_id(tag)
    [item] = [t for t in list_tags(session, ()) if t.slug == tag.slug]
    experts = session.exec(
        select(Expert, func.count(distinct(Argument.id)))
        .join(Answer, col(Answer.expert_id) == Expert.id)
        .join(Argument, col(Argument.response_id) == Answer.id)
        .join(ArgumentTag, col(ArgumentTag.argument_id) == Argument.id)
        .where(ArgumentTag.tag_id == tag_id)
        .group_by(col(Expert.id))
        .order_by(func.count(distinct(Argument.id)).desc(), col(Expert.name))
    ).all()
    other = aliased(ArgumentTag)
    co_occurring = session.exec(
        select(Tag, func.count(distinct(other.argument_id)))
        .join(other, col(other.tag_id) == Tag.id)
        .join(ArgumentTag, col(ArgumentTag.argument_id) == other.argument_id)
        .where(ArgumentTag.tag_id == tag_id, Tag.id != tag_id)
        .group_by(col(Tag.id))
        .order_by(func.count(distinct(other.argument_id)).desc(), col(Tag.slug))
    ).all()
    return TagDetail(
        **item.model_dump(),
        experts=[
            ExpertCount(expert=ExpertRef.model_validate(expert), argument_count=count)
            for expert, count in experts
        ],
        co_occurring=[
            TagCount(tag=TagRef.model_validate(other_tag), count=count)
            for other_tag, count in co_occurring
        ],
    )
