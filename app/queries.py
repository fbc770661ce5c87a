"""Read queries: (session, typed filters) -> public models. No HTTP here, no commits."""

from collections import defaultdict

from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from app.models import (
    Affiliation,
    Argument,
    ArgumentTag,
    Article,
    Expert,
    Organization,
    Response,
    ResponseAffiliation,
    Tag,
    row_id,
)
from app.schemas import (
    ArgumentInResponse,
    ArticleDetail,
    ExpertRef,
    OrganizationRef,
    OrganizationWithParent,
    PrintedAffiliation,
    ResponseInArticle,
    TagRef,
)


def article_by_slug(session: Session, slug: str) -> Article | None:
    return session.exec(select(Article).where(Article.slug == slug)).first()


def article_detail(session: Session, article: Article) -> ArticleDetail:
    """The whole roundup in four queries, however many responses and arguments it has."""
    rows = session.exec(
        select(Response, Expert)
        .join(Expert, col(Expert.id) == Response.expert_id)
        .where(Response.article_id == article.id)
        .order_by(col(Response.position))
    ).all()
    response_ids = [response.id for response, _ in rows]
    affiliations = _printed_affiliations(session, response_ids)
    arguments = _arguments(session, response_ids)
    responses = [
        ResponseInArticle(
            position=response.position,
            expert=ExpertRef.model_validate(expert),
            affiliation_line=response.affiliation_line,
            affiliations=affiliations[response.id],
            stance=response.stance,
            stance_phrase=response.stance_phrase,
            stance_source=response.stance_source,
            word_count=response.word_count,
            body=response.body,
            arguments=arguments[response.id],
        )
        for response, expert in rows
    ]
    return ArticleDetail.model_validate({**article.model_dump(), "responses": responses})


def _printed_affiliations(
    session: Session, response_ids: list[int | None]
) -> dict[int | None, list[PrintedAffiliation]]:
    parent = aliased(Organization)
    rows = session.exec(
        select(ResponseAffiliation.response_id, Affiliation.role, Organization, parent)
        .join(Affiliation, col(Affiliation.id) == ResponseAffiliation.affiliation_id)
        .join(Organization, col(Organization.id) == Affiliation.organization_id)
        .outerjoin(parent, col(parent.id) == Organization.parent_id)
        .where(col(ResponseAffiliation.response_id).in_(response_ids))
        .order_by(col(ResponseAffiliation.response_id), col(ResponseAffiliation.position))
    ).all()
    found: dict[int | None, list[PrintedAffiliation]] = defaultdict(list)
    for response_id, role, organization, parent_org in rows:
        found[response_id].append(
            PrintedAffiliation(
                role=role,
                organization=OrganizationWithParent(
                    **OrganizationRef.model_validate(organization).model_dump(),
                    parent=OrganizationRef.model_validate(parent_org) if parent_org else None,
                ),
            )
        )
    return found


def _arguments(
    session: Session, response_ids: list[int | None]
) -> dict[int | None, list[ArgumentInResponse]]:
    arguments = session.exec(
        select(Argument)
        .where(col(Argument.response_id).in_(response_ids))
        .order_by(col(Argument.response_id), col(Argument.position))
    ).all()
    tags: dict[int, list[TagRef]] = defaultdict(list)
    for argument_id, tag in session.exec(
        select(ArgumentTag.argument_id, Tag)
        .join(Tag, col(Tag.id) == ArgumentTag.tag_id)
        .where(col(ArgumentTag.argument_id).in_([a.id for a in arguments]))
        .order_by(col(ArgumentTag.argument_id), col(Tag.slug))
    ).all():
        tags[argument_id].append(TagRef.model_validate(tag))
    found: dict[int | None, list[ArgumentInResponse]] = defaultdict(list)
    for argument in arguments:
        found[argument.response_id].append(
            ArgumentInResponse(
                position=argument.position,
                text=argument.text,
                start=argument.start,
                end=argument.end,
                kind=argument.kind,
                annotation_source=argument.annotation_source,
                tags=tags[row_id(argument)],
            )
        )
    return found
