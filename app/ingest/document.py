"""Typed documents that flow from the parser to the annotator and the loader."""

from datetime import date

from pydantic import BaseModel, ConfigDict, computed_field

from app.models import AnnotationSource, ArgumentKind, Stance


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class ParsedAffiliation(_Frozen):
    role: str
    organization: str | None = None
    short_name: str | None = None
    parent: str | None = None
    city: str | None = None


class ParsedResponse(_Frozen):
    expert_name: str
    affiliation_line: str
    affiliations: tuple[ParsedAffiliation, ...]
    paragraphs: tuple[str, ...]
    line: int

    @computed_field  # type: ignore[prop-decorator]
    @property
    def body(self) -> str:
        return "\n\n".join(self.paragraphs)


class RoundupDocument(_Frozen):
    slug: str
    series: str | None
    title: str
    question: str
    dek: str | None
    published_on: date
    image_credit: str | None
    disclaimer: str | None
    publisher: str | None
    responses: tuple[ParsedResponse, ...]


class AnnotatedArgument(_Frozen):
    text: str
    start: int
    end: int
    kind: ArgumentKind
    tags: tuple[str, ...]
    annotation_source: AnnotationSource


class AnnotatedResponse(_Frozen):
    parsed: ParsedResponse
    stance: Stance
    stance_phrase: str | None
    stance_source: AnnotationSource
    arguments: tuple[AnnotatedArgument, ...]


class AnnotatedDocument(_Frozen):
    document: RoundupDocument
    annotator: AnnotationSource
    publisher: str
    source_url: str | None
    source_sha256: str
    responses: tuple[AnnotatedResponse, ...]
