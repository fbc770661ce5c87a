"""What is loaded: counts, versions, sources; and readiness."""

from datetime import datetime
from functools import cache
from typing import NamedTuple

from sqlalchemy import func, text
from sqlalchemy import select as select_columns
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, col, select

from app import __version__
from app.models import Answer, Argument, Article, DatasetState, Expert, Organization, Tag
from app.queries.common import plain_rows, table
from app.schemas import Meta, SourceInfo


class DataState(NamedTuple):
    version: str
    changed_at: datetime


_STATE = table(DatasetState)
_DATA_STATE = select_columns(_STATE.c.version, _STATE.c.changed_at).where(_STATE.c.id == 1)


def data_state(session: Session) -> DataState | None:
    """The dataset's version and when it changed (None before the first load): every /v1
    request reads it, so a plain row, not an ORM object."""
    found = plain_rows(session, _DATA_STATE)
    return DataState(*found[0]) if found else None


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
            ("responses", Answer),
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
