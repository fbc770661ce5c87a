"""What a roundup source may hold: sizes bounded so that parsing stays fast, and every value
short enough for its column on both engines (PostgreSQL enforces VARCHAR lengths, SQLite does
not), with no character that is not text (PostgreSQL refuses NUL in text, SQLite keeps it)."""

import re

from app.ingest.document import ParsedAffiliation, RoundupDocument
from app.ingest.errors import ParseError
from app.ingest.text import slugify
from app.models import metadata

MAX_FILE_BYTES = 2 * 1024 * 1024
"""The largest source read (a real roundup is under 100 KB)."""
MAX_LINE_CHARS = 20_000
"""The longest line, that is paragraph (a real one is under 3,000 characters)."""
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def check_line(number: int, text: str) -> None:
    if len(text) > MAX_LINE_CHARS:
        raise ParseError(
            number, f"a line of {len(text):,} characters; the longest allowed is {MAX_LINE_CHARS:,}"
        )
    if control := _CONTROL.search(text):
        raise ParseError(
            number,
            f"control character U+{ord(control.group()):04X} at column {control.start() + 1};"
            " not text",
        )


def check_document(document: RoundupDocument, title_line: int) -> None:
    """Every value fits its column; the title and every name have a non-empty slug."""
    if not document.slug:
        raise ParseError(title_line, "the title has no letter or digit to name the roundup by")
    for column, value in (
        ("article.title", document.title),
        ("article.series", document.series),
        ("article.question", document.question),
        ("article.image_credit", document.image_credit),
        ("article.publisher", document.publisher),
    ):
        _fits(column, value, title_line, "the roundup's")
    _fits("article.slug", document.slug, title_line, "the title's")
    for response in document.responses:
        line = response.line
        where = f"{response.expert_name[:60]!r}'s"
        _fits("expert.name", response.expert_name, line, "the expert's")
        _fits("expert.slug", slugify(response.expert_name), line, "the expert's")
        _fits("response.affiliation_line", response.affiliation_line, line, where)
        for affiliation in response.affiliations:
            _check_affiliation(affiliation, line, where)


def _check_affiliation(affiliation: ParsedAffiliation, line: int, where: str) -> None:
    _fits("affiliation.role", affiliation.role, line, where)
    _fits("organization.short_name", affiliation.short_name, line, where)
    for name in (affiliation.organization, affiliation.parent):
        if name is None:
            continue
        if not slugify(name):
            raise ParseError(line, f"{where} organization {name!r} has no letter or digit")
        _fits("organization.name", name, line, where)
        _fits("organization.slug", slugify(name), line, where)


def _fits(column: str, value: str | None, line: int, whose: str) -> None:
    table, name = column.split(".")
    length = getattr(metadata.tables[table].c[name].type, "length", None)
    if value is not None and length is not None and len(value) > length:
        raise ParseError(
            line, f"{whose} {name.replace('_', ' ')} is {len(value):,} characters; at most {length}"
        )
