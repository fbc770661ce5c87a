"""Request dependencies: the database session and fetch-or-404 lookups."""

from typing import Annotated

from fastapi import Depends, Path
from sqlmodel import Session

from app import queries
from app.db import get_session
from app.models import Article
from app.problems import ProblemError

SessionDep = Annotated[Session, Depends(get_session)]
Slug = Annotated[str, Path(max_length=200, description="The resource's slug.")]


def get_article_or_404(session: SessionDep, slug: Slug) -> Article:
    article = queries.article_by_slug(session, slug)
    if article is None:
        raise ProblemError(404, f"No article with slug {slug!r}.")
    return article


ArticleDep = Annotated[Article, Depends(get_article_or_404)]
