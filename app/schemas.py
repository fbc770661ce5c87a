"""Public response models: what the API returns (table models never leave the app)."""

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict

from app.models import AnnotationSource, ArgumentKind, Stance


class PublicModel(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class ExpertRef(PublicModel):
    slug: str
    name: str


class OrganizationRef(PublicModel):
    slug: str
    name: str
    short_name: str | None
    kind: str


class OrganizationWithParent(OrganizationRef):
    parent: OrganizationRef | None


class PrintedAffiliation(PublicModel):
    role: str
    organization: OrganizationWithParent


class TagRef(PublicModel):
    slug: str
    label: str
    category: str


class ArgumentInResponse(PublicModel):
    position: int
    text: str
    start: int
    end: int
    kind: ArgumentKind
    annotation_source: AnnotationSource
    tags: list[TagRef]


class ResponseInArticle(PublicModel):
    position: int
    expert: ExpertRef
    affiliation_line: str
    affiliations: list[PrintedAffiliation]
    stance: Stance
    stance_phrase: str | None
    stance_source: AnnotationSource
    word_count: int
    body: str
    arguments: list[ArgumentInResponse]


class ArticleSummary(PublicModel):
    slug: str
    series: str | None
    title: str
    question: str
    dek: str | None
    published_on: date
    publisher: str
    image_credit: str | None
    source_url: str | None


class ArticleDetail(ArticleSummary):
    disclaimer: str | None
    source_sha256: str
    loaded_at: datetime
    responses: list[ResponseInArticle]
