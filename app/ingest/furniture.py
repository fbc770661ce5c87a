"""Page furniture around and inside answers: lines that are not the expert's words.

Dropped: a "Tweet This" line with the pull quote above it, "Read more" lines, trailers
("Read the views of the other experts here.", "To see the full article click here", ...),
related-article cards (a date, a title, "By <Name>", a blurb), and the quotation marks that
wrap a whole answer. A name glued to the answer's first word (a photo's alt text: "Jane
DoeArguably, ..."; an image file name: "doeNot at all.") is taken off too.
"""

import re
from dataclasses import dataclass

from app.ingest.dates import find_date
from app.ingest.errors import ParseError


@dataclass(frozen=True)
class Line:
    number: int
    text: str


_TWEET_THIS = re.compile(r"tweet this[.!]?", re.IGNORECASE)
_READ_MORE = re.compile(
    r"read more(?:\s*[:—–|-].*|\s+(?:about|from|on|at|in|here|of)\b.*)?", re.IGNORECASE
)
_TRAILER = re.compile(
    r"read the views of the other experts\b.*"
    r"|to see the full (?:article|text|answer)\b.*"
    r"|you can read the full .*\bhere\.?"
    r"|>\s*read the full (?:commentary|article|answer|text)\b.*"
    r"|no comments:?"
    r"|\[(?:\.\.\.|…)\]"
    r"|expertise:.*"
    r"|#\w[^#]*(?:#\w[^#]*)+",  # a line of two or more hashtags
    re.IGNORECASE,
)
_NAME = r"[A-Z][\w’'.-]*(?: (?!and )[\w’'.-]+){1,4}"
_BYLINE = re.compile(rf"By {_NAME}(?:(?:,| and) {_NAME})*")
_OPENING_MARKS = '“"„«'
_CLOSING_MARKS = '”"»'


def is_noise(text: str) -> bool:
    return any(pattern.fullmatch(text) for pattern in (_TWEET_THIS, _READ_MORE, _TRAILER))


def without_noise(lines: list[Line]) -> list[Line]:
    """Drop "Read more" lines and trailers, and each "Tweet This" line with the pull quote
    above it."""
    kept: list[Line] = []
    for line in lines:
        if _TWEET_THIS.fullmatch(line.text):
            if not kept:
                raise ParseError(line.number, "'Tweet This' with no pull quote above it")
            kept.pop()
        elif not is_noise(line.text):
            kept.append(line)
    return kept


def without_cards(lines: list[Line]) -> list[Line]:
    """Drop related-article cards: a line that is only a date, a title line, a "By <Name>"
    line and a one-line blurb."""
    kept: list[Line] = []
    index = 0
    while index < len(lines):
        if index + 3 < len(lines) and _is_card(lines[index : index + 4]):
            index += 4
            continue
        kept.append(lines[index])
        index += 1
    return kept


def _is_card(lines: list[Line]) -> bool:
    date_line, _title, byline, _blurb = (line.text for line in lines)
    found = find_date(date_line)
    return (
        found is not None
        and found[0].strip(" ·|") == ""
        and len(byline) <= 200
        and _BYLINE.fullmatch(byline) is not None
    )


def without_glued_name(paragraph: str, name: str) -> str:
    """ "Jane DoeArguably, ..." -> "Arguably, ..."; "doeNot at all." -> "Not at all."."""
    surname = name.split(" ")[-1].lower()
    for prefix in (name, surname):
        rest = paragraph[len(prefix) :]
        if paragraph.startswith(prefix) and rest[:1].isupper():
            return rest
    return paragraph


def unwrapped(paragraphs: list[str]) -> list[str]:
    """An answer printed inside quotation marks (the opening mark on its first paragraph, the
    closing one on its last, curly or straight) without them. An answer that opens by quoting
    someone ("“It should,” she said.") keeps its marks: its first paragraph closes the quote."""
    if not paragraphs:
        return paragraphs
    first, last = paragraphs[0], paragraphs[-1]
    if not (first[:1] in _OPENING_MARKS and last[-1:] in _CLOSING_MARKS):
        return paragraphs
    inner_first = first[1:-1] if len(paragraphs) == 1 else first[1:]
    if any(mark in inner_first for mark in '”"»'):
        return paragraphs
    inner_last = last[:-1]
    if len(paragraphs) > 1 and (
        inner_last.count("“") > inner_last.count("”") or inner_last.count('"') % 2
    ):
        return paragraphs  # the last mark closes a quotation inside the last paragraph
    if len(paragraphs) == 1:
        return [first[1:-1].strip()]
    return [first[1:].lstrip(), *paragraphs[1:-1], last[:-1].rstrip()]
