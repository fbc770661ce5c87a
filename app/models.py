"""Database tables. The schema itself is owned by the Alembic migrations in migrations/."""

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Column, Enum, Index, MetaData, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
metadata: MetaData = SQLModel.metadata


def row_id(row: Any) -> int:
    """The primary key of a flushed row (SQLModel types it as optional)."""
    if row.id is None:
        raise RuntimeError(f"{type(row).__name__} has no id: was it flushed?")
    return int(row.id)


class Stance(StrEnum):
    """How an expert answered the article's question."""

    YES = "yes"
    YES_CONDITIONAL = "yes_conditional"
    NOT_YET = "not_yet"
    NO = "no"
    MIXED = "mixed"
    UNCLEAR = "unclear"


class ArgumentKind(StrEnum):
    CLAIM = "claim"
    RECOMMENDATION = "recommendation"
    CONDITION = "condition"
    PREDICTION = "prediction"


class AnnotationSource(StrEnum):
    """Who made an annotation: a person reading the text, or the rules annotator."""

    CURATED = "curated"
    RULES = "rules"


def _enum(enum: type[StrEnum], name: str) -> Enum:
    return Enum(
        enum,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=32,
        values_callable=lambda members: [m.value for m in members],
    )


class Article(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(unique=True, max_length=200)
    series: str | None = Field(default=None, max_length=200)
    title: str = Field(max_length=500)
    question: str = Field(max_length=500)
    dek: str | None = Field(default=None, sa_type=Text)
    published_on: date = Field(index=True)
    publisher: str = Field(max_length=200)
    image_credit: str | None = Field(default=None, max_length=200)
    disclaimer: str | None = Field(default=None, sa_type=Text)
    source_url: str | None = Field(default=None, max_length=1000)
    source_sha256: str = Field(max_length=64)
    loaded_at: datetime


class Expert(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(unique=True, max_length=200)
    name: str = Field(max_length=200)


class Organization(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(unique=True, max_length=200)
    name: str = Field(max_length=300)
    short_name: str | None = Field(default=None, max_length=50)
    kind: str = Field(default="unknown", max_length=50)
    parent_id: int | None = Field(default=None, foreign_key="organization.id", index=True)


class Affiliation(SQLModel, table=True):
    """A role an expert held at an organization, as printed; history is kept, never overwritten.

    `organization_id` is null for a role printed with no organization ("Journalist and author");
    the loader finds such a row by (expert, role) itself, since NULLs are distinct to the
    unique constraint."""

    __table_args__ = (UniqueConstraint("expert_id", "organization_id", "role"),)

    id: int | None = Field(default=None, primary_key=True)
    expert_id: int = Field(foreign_key="expert.id", index=True)
    organization_id: int | None = Field(default=None, foreign_key="organization.id", index=True)
    role: str = Field(max_length=300)


class Answer(SQLModel, table=True):
    """An expert's answer in one roundup: the API's "response" (and its table's name). The class
    is not called Response so that it never meets the HTTP Response class in one module."""

    __tablename__ = "response"
    __table_args__ = (
        UniqueConstraint("article_id", "expert_id"),
        UniqueConstraint("article_id", "position"),
    )

    id: int | None = Field(default=None, primary_key=True)
    article_id: int = Field(foreign_key="article.id", index=True)
    expert_id: int = Field(foreign_key="expert.id", index=True)
    position: int
    # The expert's name as this roundup printed it (the expert row holds the canonical one).
    printed_name: str = Field(max_length=200, sa_column_kwargs={"server_default": ""})
    affiliation_line: str = Field(max_length=500)
    body: str = Field(sa_type=Text)
    stance: Stance = Field(sa_column=Column(_enum(Stance, "stance"), nullable=False, index=True))
    stance_phrase: str | None = Field(default=None, sa_type=Text)
    stance_source: AnnotationSource = Field(
        sa_column=Column(_enum(AnnotationSource, "stance_source"), nullable=False)
    )
    word_count: int


class ResponseAffiliation(SQLModel, table=True):
    """The affiliations a response was printed with, in printed order."""

    __tablename__ = "response_affiliation"

    response_id: int = Field(foreign_key="response.id", primary_key=True, ondelete="CASCADE")
    position: int = Field(primary_key=True)
    affiliation_id: int = Field(foreign_key="affiliation.id", index=True)


class Argument(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("response_id", "position"),)

    id: int | None = Field(default=None, primary_key=True)
    response_id: int = Field(foreign_key="response.id", index=True, ondelete="CASCADE")
    position: int
    text: str = Field(sa_type=Text)
    start: int
    end: int
    kind: ArgumentKind = Field(sa_column=Column(_enum(ArgumentKind, "kind"), nullable=False))
    annotation_source: AnnotationSource = Field(
        sa_column=Column(_enum(AnnotationSource, "annotation_source"), nullable=False)
    )


class Tag(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(unique=True, max_length=100)
    label: str = Field(max_length=200)
    category: str = Field(max_length=100)
    description: str = Field(sa_type=Text)


class ArgumentTag(SQLModel, table=True):
    __tablename__ = "argument_tag"

    # (tag_id, argument_id) indexed too: a tag's arguments come from the index alone.
    __table_args__ = (Index("ix_argument_tag_tag_id_argument_id", "tag_id", "argument_id"),)

    argument_id: int = Field(foreign_key="argument.id", primary_key=True, ondelete="CASCADE")
    tag_id: int = Field(foreign_key="tag.id", primary_key=True)


class DatasetState(SQLModel, table=True):
    """One row: a version that changes whenever a load changes data (ETags derive from it)."""

    __tablename__ = "dataset_state"

    id: int = Field(default=1, primary_key=True)
    version: str = Field(max_length=64)
    changed_at: datetime


class SearchKind(StrEnum):
    """What a search hit is: an article (its title and dek), an expert's answer, an argument."""

    ARTICLE = "article"
    RESPONSE = "response"
    ARGUMENT = "argument"


class SearchDocument(SQLModel, table=True):
    """One searchable text, derived from the rows above by the loader (app.search.index).

    `terms` is `text` tokenized and folded (app.search.text); the full-text indexes are built
    on it by migrations: an FTS5 table on SQLite (0002); on PostgreSQL a stored tsvector
    column `terms_vector` with a GIN index (0003), not part of the model.
    """

    __tablename__ = "search_document"
    __table_args__ = (UniqueConstraint("kind", "item_id"),)

    id: int | None = Field(default=None, primary_key=True)
    kind: SearchKind = Field(sa_column=Column(_enum(SearchKind, "search_kind"), nullable=False))
    item_id: int
    article_id: int = Field(foreign_key="article.id", index=True, ondelete="CASCADE")
    response_id: int | None = Field(
        default=None, foreign_key="response.id", index=True, ondelete="CASCADE"
    )
    argument_id: int | None = Field(
        default=None, foreign_key="argument.id", index=True, ondelete="CASCADE"
    )
    text: str = Field(sa_type=Text)
    terms: str = Field(sa_type=Text)


class DeploymentSecret(SQLModel, table=True):
    """Secrets every worker and replica of one deployment shares (migration 0004 generates
    the cursor key), unless the settings provide one."""

    __tablename__ = "deployment_secret"

    name: str = Field(primary_key=True, max_length=50)
    value: str = Field(max_length=200)
