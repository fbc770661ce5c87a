"""Every record in the database, keyed by slugs and positions rather than internal ids."""

from collections.abc import Iterator
from typing import Any

from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from app.models import Article, Expert, Organization, Tag
from app.queries.articles import article_detail


def records(session: Session) -> Iterator[dict[str, Any]]:
    """organization, tag and expert records (by slug), then per article (oldest first) the
    article, its responses and their arguments in printed order."""
    parent = aliased(Organization)
    for organization, parent_slug in session.exec(
        select(Organization, parent.slug)
        .outerjoin(parent, col(parent.id) == Organization.parent_id)
        .order_by(col(Organization.slug))
    ).all():
        yield {
            "type": "organization",
            "slug": organization.slug,
            "name": organization.name,
            "short_name": organization.short_name,
            "kind": organization.kind,
            "parent": parent_slug,
        }
    for tag in session.exec(select(Tag).order_by(col(Tag.slug))).all():
        yield {
            "type": "tag",
            "slug": tag.slug,
            "label": tag.label,
            "category": tag.category,
            "description": tag.description,
        }
    for expert in session.exec(select(Expert).order_by(col(Expert.slug))).all():
        yield {"type": "expert", "slug": expert.slug, "name": expert.name}
    for article in session.exec(
        select(Article).order_by(col(Article.published_on), col(Article.slug))
    ).all():
        detail = article_detail(session, article).model_dump(mode="json")
        responses = detail.pop("responses")
        yield {"type": "article", **detail}
        for response in responses:
            arguments = response.pop("arguments")
            expert = response.pop("expert")["slug"]
            yield {
                "type": "response",
                "article": article.slug,
                "expert": expert,
                **response,
                "affiliations": [
                    {
                        "role": a["role"],
                        "organization": a["organization"] and a["organization"]["slug"],
                    }
                    for a in response["affiliations"]
                ],
            }
            for argument in arguments:
                yield {
                    "type": "argument",
                    "article": article.slug,
                    "expert": expert,
                    "response_position": response["position"],
                    **argument,
                    "tags": [tag["slug"] for tag in argument["tags"]],
                }
