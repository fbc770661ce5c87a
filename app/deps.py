"""Request dependencies: the app's settings, the database session, fetch-or-404 lookups and
the filters' lookups."""

from typing import Annotated, TypeVar

from fastapi import Depends, Path, Request
from sqlmodel import Session

from app.config import Settings
from app.db import get_session
from app.filters import ResponseFilters
from app.http.problems import ProblemError
from app.models import Article, Expert, Organization, Tag
from app.params import FilterParams, response_filter_params
from app.queries import articles, people, tags
from app.queries.common import organization_units, require_tags
from app.queries.paging import CURSOR_SECRET


async def get_app_settings(request: Request) -> Settings:
    """The settings of the app serving the request (create_app keeps them on app.state)."""
    settings: Settings = request.app.state.settings
    return settings


SettingsDep = Annotated[Settings, Depends(get_app_settings)]


async def get_request_session(
    session: Annotated[Session, Depends(get_session)], settings: SettingsDep
) -> Session:
    """The request's session, carrying what the queries read of the app's settings (the
    cursor secret), whoever opened it (tests override get_session)."""
    session.info[CURSOR_SECRET] = settings.cursor_secret
    return session


SessionDep = Annotated[Session, Depends(get_request_session)]
Slug = Annotated[str, Path(max_length=200, description="The resource's slug.")]


T = TypeVar("T")


def found_or_404(value: T | None, kind: str, slug: str) -> T:
    if value is None:
        raise ProblemError(404, f"No {kind} with slug {slug!r}.")
    return value


def get_article_or_404(session: SessionDep, slug: Slug) -> Article:
    return found_or_404(articles.article_by_slug(session, slug), "article", slug)


def get_expert_or_404(session: SessionDep, slug: Slug) -> Expert:
    return found_or_404(people.expert_by_slug(session, slug), "expert", slug)


def get_organization_or_404(session: SessionDep, slug: Slug) -> Organization:
    return found_or_404(people.organization_by_slug(session, slug), "organization", slug)


def get_tag_or_404(session: SessionDep, slug: Slug) -> Tag:
    return found_or_404(tags.tag_by_slug(session, slug), "tag", slug)


ArticleDep = Annotated[Article, Depends(get_article_or_404)]
ExpertDep = Annotated[Expert, Depends(get_expert_or_404)]
OrganizationDep = Annotated[Organization, Depends(get_organization_or_404)]
TagDep = Annotated[Tag, Depends(get_tag_or_404)]


def response_filters(
    session: SessionDep, given: Annotated[FilterParams, Depends(response_filter_params)]
) -> ResponseFilters:
    """The filters, with an unknown tag a 422 (app.errors.UnknownTagError) and each
    organization standing for itself and its units."""
    require_tags(session, given.tag)
    return given.filters(organization_units(session, given.organization))


FiltersDep = Annotated[ResponseFilters, Depends(response_filters)]
