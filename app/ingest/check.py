"""Check curated-annotation files against their roundups' texts, with no database.

Every problem is a SourceError naming the annotation file and the YAML line: a schema error
(a stance or kind outside the enum, a missing key), an article with no source text, an expert
not in the text or annotated twice, an answer left without annotations, a quote or stance
phrase that is not verbatim or not unique in its answer, and a tag outside the taxonomy.
"""

from collections.abc import Mapping
from pathlib import Path

from app.ingest.annotate import locate
from app.ingest.document import RoundupDocument
from app.ingest.errors import SourceError
from app.ingest.specs import AnnotationSpec, read_yaml, validate


def check_annotation_file(
    path: Path, documents: Mapping[str, RoundupDocument], tag_slugs: set[str]
) -> list[SourceError]:
    """Every problem in the annotation file at `path`; `documents` are the sources by slug."""
    try:
        spec = validate(AnnotationSpec, read_yaml(path), path)
    except SourceError as error:
        return [error]
    where = str(path)
    document = documents.get(spec.article)
    if document is None:
        return [
            SourceError(
                where,
                spec.line_of("article"),
                f"no source text for article {spec.article!r}; pass its .txt file or folder",
            )
        ]
    problems = []
    if path.stem != spec.article:
        problems.append(
            SourceError(
                where,
                spec.line_of("article"),
                f"name the file {spec.article}.yaml so that `roundup import` finds it",
            )
        )
    bodies = {response.expert_name: response.body for response in document.responses}
    first_lines: dict[str, int] = {}
    for response in spec.responses:
        line = response.line_of("expert")
        if response.expert in first_lines:
            problems.append(
                SourceError(
                    where,
                    line,
                    f"{response.expert!r} is annotated twice (first at line"
                    f" {first_lines[response.expert]})",
                )
            )
            continue
        first_lines[response.expert] = line
        if response.expert not in bodies:
            problems.append(
                SourceError(where, line, f"no expert named {response.expert!r} in the text")
            )
            continue
        body = bodies[response.expert]
        quotes = [(response.stance_phrase, response.line_of("stance_phrase"))] + [
            (argument.text, argument.line_of("text")) for argument in response.arguments
        ]
        for quote, quote_line in quotes:
            if quote is not None:
                problems.extend(_located(body, quote, where, quote_line, response.expert))
        for argument in response.arguments:
            unknown = sorted(set(argument.tags) - tag_slugs)
            if unknown:
                problems.append(
                    SourceError(
                        where, argument.line_of("tags"), f"unknown tag(s): {', '.join(unknown)}"
                    )
                )
    problems.extend(
        SourceError(where, spec.line_of("responses"), f"no annotations for {name!r}")
        for name in bodies
        if name not in first_lines
    )
    return sorted(problems, key=lambda problem: problem.line)


def _located(body: str, quote: str, where: str, line: int, expert: str) -> list[SourceError]:
    try:
        locate(body, quote, where, line, expert)
    except SourceError as error:
        return [error]
    return []
