"""A roundup's rows before ids: what the row-by-row writer (load.py) and the many-at-a-time
writer (bulk.py) both write, so that the two cannot drift apart."""

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from app.ingest.document import AnnotatedDocument, AnnotatedResponse, ParsedAffiliation
from app.ingest.text import slugify, word_count
from app.models import AnnotationSource, SearchKind
from app.search.index import article_text_of
from app.search.text import terms

if TYPE_CHECKING:
    from app.ingest.load import Catalog


@dataclass(frozen=True)
class ArgumentRows:
    values: dict[str, Any]
    """The argument's columns but `id` and `response_id` (its position included)."""
    tags: tuple[str, ...]
    """Its tag slugs, sorted, each once."""
    terms: str
    """Its search terms (`search.text.terms` of its text)."""


@dataclass(frozen=True)
class ResponseRows:
    expert_slug: str
    expert_name: str
    """The expert's name to keep: the curated canonical one (seed/experts.yaml), else the
    name as printed."""
    curated: bool
    """Whether the curated aliases know the printed name."""
    values: dict[str, Any]
    """The response's columns but `id`, `article_id` and `expert_id` (the name as printed,
    `printed_name`, included)."""
    affiliations: tuple[ParsedAffiliation, ...]
    """As printed, in order: the `response_affiliation` rows, by position."""
    arguments: tuple[ArgumentRows, ...]
    body_terms: str

    def renames(self, current: str) -> bool:
        """Whether the expert row now named `current` (same slug) takes `expert_name`: the
        curated name always, else the fuller spelling (`better_name`)."""
        if self.curated:
            return current != self.expert_name
        return better_name(self.expert_name, current)


@dataclass(frozen=True)
class DocumentRows:
    slug: str
    article: dict[str, Any]
    """The article's columns but `id` and `loaded_at` (its slug included)."""
    annotator: AnnotationSource
    search_text: str
    search_terms: str
    responses: tuple[ResponseRows, ...]


def document_rows(doc: AnnotatedDocument, catalog: "Catalog") -> DocumentRows:
    """The rows of `doc`, search terms included (the costly part, done where it is parsed)."""
    parsed = doc.document
    search_text = article_text_of(parsed.title, parsed.dek)
    return DocumentRows(
        slug=parsed.slug,
        article={
            "slug": parsed.slug,
            "series": parsed.series,
            "title": parsed.title,
            "question": parsed.question,
            "dek": parsed.dek,
            "published_on": parsed.published_on,
            "publisher": doc.publisher,
            "image_credit": parsed.image_credit,
            "disclaimer": parsed.disclaimer,
            "source_url": doc.source_url,
            "source_sha256": doc.source_sha256,
        },
        annotator=doc.annotator,
        search_text=search_text,
        search_terms=terms(search_text),
        responses=tuple(
            _response_rows(position, response, catalog)
            for position, response in enumerate(doc.responses, start=1)
        ),
    )


def rows_of(doc: "AnnotatedDocument | DocumentRows", catalog: "Catalog") -> DocumentRows:
    """`doc`'s rows: built here, or already (by the worker process that parsed it)."""
    return doc if isinstance(doc, DocumentRows) else document_rows(doc, catalog)


def _response_rows(position: int, annotated: AnnotatedResponse, catalog: "Catalog") -> ResponseRows:
    parsed = annotated.parsed
    slug, canonical = catalog.expert(parsed.expert_name)
    return ResponseRows(
        expert_slug=slug,
        expert_name=parsed.expert_name if canonical is None else canonical,
        curated=canonical is not None,
        values={
            "printed_name": parsed.expert_name,
            "position": position,
            "affiliation_line": parsed.affiliation_line,
            "body": parsed.body,
            "stance": annotated.stance,
            "stance_phrase": annotated.stance_phrase,
            "stance_source": annotated.stance_source,
            "word_count": word_count(parsed.body),
        },
        affiliations=parsed.affiliations,
        arguments=tuple(
            ArgumentRows(
                values={
                    "position": number,
                    "text": argument.text,
                    "start": argument.start,
                    "end": argument.end,
                    "kind": argument.kind,
                    "annotation_source": argument.annotation_source,
                },
                tags=tuple(sorted(set(argument.tags))),
                terms=terms(argument.text),
            )
            for number, argument in enumerate(annotated.arguments, start=1)
        ),
        body_terms=terms(parsed.body),
    )


def expert_slug(name: str) -> str:
    """The expert's natural key: names that differ only in accents, case, apostrophes or
    spacing are one person (see `text.slugify` for names in other scripts)."""
    return slugify(name)


def better_name(name: str, current: str) -> bool:
    """Whether `name` replaces `current` (same slug): the spelling with more accented letters
    (the fuller spelling) wins, else the first seen, so re-loading any roundup changes nothing."""
    return _accents(name) > _accents(current)


def _accents(name: str) -> int:
    return sum(not char.isascii() for char in name)


def unknown_organization(
    slug: str, name: str, short_name: str | None, parent_id: int | None
) -> dict[str, Any]:
    """An organization outside the gazetteer, named as first printed."""
    return {
        "slug": slug,
        "name": name,
        "short_name": short_name,
        "kind": "unknown",
        "parent_id": parent_id,
    }


def search_row(
    kind: SearchKind,
    item_id: int,
    text: str,
    text_terms: str,
    article_id: int,
    response_id: int | None = None,
    argument_id: int | None = None,
) -> dict[str, Any]:
    return {
        "kind": kind,
        "item_id": item_id,
        "article_id": article_id,
        "response_id": response_id,
        "argument_id": argument_id,
        "text": text,
        "terms": text_terms,
    }
