"""What is loaded: counts, versions, sources; and readiness."""

from functools import cache

from sqlalchemy import func, text
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, col, select

from app import __version__
from app.models import Argument, Article, DatasetState, Expert, Organization, Response, Tag
from app.schemas import Meta, SourceInfo


def data_state(session: Session) -> DatasetState | None:
    return session.get(DatasetState, 1)


def ping(session: Session) -> None:
    """Raises SQLAlchemyError when the database does not answer."""
    session.execute(text("SELECT 1"))


def schema_revision(session: Session) -> str | None:
    try:
        return session.execute(text("SELECT version_num FROM alembic_version")).scalar_one_or_none()
    except SQLAlchemyError:
        return None


def meta(session: Session) -> Meta:
    counts = {
        name: session.exec(select(func.count()).select_from(model)).one()
        for name, model in (
            ("articles", Article),
            ("experts", Expert),
            ("organizations", Organization),
            ("responses", Response),
            ("arguments", Argument),
            ("tags", Tag),
        )
    }
    state = data_state(session)
    return Meta(
        api_version=__version__,
        schema_revision=schema_revision(session),
        data_version=state.version if state else None,
        last_loaded_at=state.changed_at if state else None,
        counts=counts,
        sources=[
            SourceInfo(article=slug, source_sha256=sha, loaded_at=loaded)
            for slug, sha, loaded in session.exec(
                select(Article.slug, Article.source_sha256, Article.loaded_at).order_by(
                    col(Article.slug)
                )
            ).all()
        ],
    )


@cache
def head_revision() -> str | None:
    """The newest migration this code ships."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from app.config import PROJECT_DIR

    config = Config(str(PROJECT_DIR / "alembic.ini"))
    return ScriptDirectory.from_config(config).get_current_head()
