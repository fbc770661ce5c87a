"""Attach curated annotations to a parsed roundup, locating every quote in its answer."""

from pathlib import Path

from app.ingest.document import (
    AnnotatedArgument,
    AnnotatedDocument,
    AnnotatedResponse,
    ParsedResponse,
    RoundupDocument,
)
from app.ingest.errors import SourceError
from app.ingest.specs import AnnotationSpec, ResponseSpec
from app.models import AnnotationSource


def apply_curated(
    document: RoundupDocument,
    spec: AnnotationSpec,
    *,
    spec_path: Path,
    tag_slugs: set[str],
    source_sha256: str,
) -> AnnotatedDocument:
    """Join `spec` to `document` by expert name; every quote must occur exactly once."""
    where = str(spec_path)
    if spec.article != document.slug:
        raise SourceError(where, spec.line, f"article {spec.article!r} is not {document.slug!r}")
    by_name = {response.expert: response for response in spec.responses}
    names = {response.expert_name for response in document.responses}
    for response_spec in spec.responses:
        if response_spec.expert not in names:
            raise SourceError(
                where,
                response_spec.line_of("expert"),
                f"no expert named {response_spec.expert!r} in the text",
            )
    responses = []
    for parsed in document.responses:
        if parsed.expert_name not in by_name:
            raise SourceError(where, spec.line, f"no annotations for {parsed.expert_name!r}")
        responses.append(_annotate(parsed, by_name[parsed.expert_name], where, tag_slugs))
    return AnnotatedDocument(
        document=document,
        annotator=AnnotationSource.CURATED,
        publisher=spec.publisher or document.publisher or "unknown",
        source_url=spec.source_url,
        source_sha256=source_sha256,
        responses=tuple(responses),
    )


def _annotate(
    parsed: ParsedResponse, spec: ResponseSpec, where: str, tag_slugs: set[str]
) -> AnnotatedResponse:
    body = parsed.body
    if spec.stance_phrase is not None:
        locate(body, spec.stance_phrase, where, spec.line_of("stance_phrase"), parsed.expert_name)
    arguments = []
    for argument in spec.arguments:
        start = locate(body, argument.text, where, argument.line_of("text"), parsed.expert_name)
        unknown = sorted(set(argument.tags) - tag_slugs)
        if unknown:
            raise SourceError(
                where, argument.line_of("tags"), f"unknown tag(s): {', '.join(unknown)}"
            )
        arguments.append(
            AnnotatedArgument(
                text=argument.text,
                start=start,
                end=start + len(argument.text),
                kind=argument.kind,
                tags=argument.tags,
                annotation_source=AnnotationSource.CURATED,
            )
        )
    return AnnotatedResponse(
        parsed=parsed,
        stance=spec.stance,
        stance_phrase=spec.stance_phrase,
        stance_source=AnnotationSource.CURATED,
        arguments=tuple(arguments),
    )


def locate(body: str, quote: str, where: str, line: int, expert: str) -> int:
    """Start offset of `quote` in `body`; it must occur there verbatim, exactly once."""
    count = body.count(quote)
    if count == 0:
        raise SourceError(where, line, f"not found verbatim in {expert}'s answer: {quote!r}")
    if count > 1:
        raise SourceError(
            where, line, f"occurs {count} times in {expert}'s answer; quote more: {quote!r}"
        )
    return body.index(quote)
