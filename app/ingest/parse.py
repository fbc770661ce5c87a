"""Pure parser: roundup source text -> RoundupDocument, or ParseError(line, reason).

The layout it reads (blank lines between blocks are optional):

    Source: <image credit>                  optional
    <Series>: <Title>                       series prefix optional
    <dek>                                   optional, one or more lines
    Published on <Month D, YYYY>            optional when the caller supplies the date
    <Expert name>                           } once per expert:
    <Role, Organization>                    } name, affiliation, paragraphs
    <answer paragraph>...                   }
    <Publisher> does not take institutional positions...   optional, may be glued on
"""

import re
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime

from app.ingest.affiliations import split_affiliation
from app.ingest.document import ParsedResponse, RoundupDocument
from app.ingest.errors import ParseError
from app.ingest.text import slugify

SERIES = ("Taking the Pulse", "Judy Asks")
_SOURCE = re.compile(r"Source:\s*(?P<credit>\S.*)")
_DATE = re.compile(r"Published on\s+(?P<date>.*\S)")
_DISCLAIMER_TAIL = "does not take institutional positions"
_NAME_PART = r"(?:[A-Z][\w’'.-]*|de|van|von|der|den|da|di|du|le|la|del|bin|al|ter|zu)"
_NAME = re.compile(rf"{_NAME_PART}(?: {_NAME_PART}){{1,4}}")
_SENTENCE_END = re.compile(r"(?<=[.?!])")


@dataclass(frozen=True)
class _Line:
    number: int
    text: str


def parse(
    text: str,
    *,
    published_on: date | None = None,
    organizations: Collection[str] = (),
) -> RoundupDocument:
    """Parse one roundup. `published_on` fills in a missing date line; `organizations` are
    known organization names that help split affiliation lines."""
    lines = _content_lines(text)
    if not lines:
        raise ParseError(1, "empty file: no title, no experts")
    cursor = 0
    image_credit = None
    if source := _SOURCE.fullmatch(lines[0].text):
        image_credit = source["credit"]
        cursor = 1
    if cursor == len(lines):
        raise ParseError(lines[-1].number, "no title after the source credit")
    title_line = lines[cursor]
    series, title_rest = _split_series(title_line.text)
    cursor += 1

    dek_lines: list[str] = []
    found_date: date | None = None
    while cursor < len(lines) and not _starts_block(lines, cursor):
        line = lines[cursor]
        cursor += 1
        if match := _DATE.fullmatch(line.text):
            found_date = _read_date(match["date"], line.number)
            break
        dek_lines.append(line.text)
    dek = "\n\n".join(dek_lines) or None

    if cursor == len(lines):
        raise ParseError(lines[-1].number, "no expert blocks found (expected a name line)")
    if found_date is None:
        if published_on is None:
            raise ParseError(
                lines[cursor].number,
                "missing 'Published on <Month D, YYYY>' line before the first expert",
            )
        found_date = published_on

    responses, disclaimer = _read_blocks(lines[cursor:], organizations)
    return RoundupDocument(
        slug=slugify(title_line.text),
        series=series,
        title=title_line.text,
        question=_question(title_rest, dek, title_line.number),
        dek=dek,
        published_on=found_date,
        image_credit=image_credit,
        disclaimer=disclaimer,
        publisher=_publisher(disclaimer),
        responses=tuple(responses),
    )


def _content_lines(text: str) -> list[_Line]:
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    return [
        _Line(number, line.strip())
        for number, line in enumerate(text.split("\n"), start=1)
        if line.strip()
    ]


def _split_series(title: str) -> tuple[str | None, str]:
    for series in SERIES:
        if title.startswith(series + ":"):
            return series, title[len(series) + 1 :].strip()
    return None, title


def _read_date(value: str, line: int) -> date:
    try:
        return datetime.strptime(value, "%B %d, %Y").date()
    except ValueError:
        raise ParseError(
            line, f"cannot read the date {value!r}; expected 'Month D, YYYY'"
        ) from None


def _question(title_rest: str, dek: str | None, line: int) -> str:
    if title_rest.endswith("?"):
        return title_rest
    # Sentences split after their end mark: linear, where a regex scan would be quadratic.
    questions = [s for s in _SENTENCE_END.split(dek or "") if s.endswith("?")]
    if questions:
        return questions[-1].strip()
    raise ParseError(line, "no question: the title does not end with '?' and the dek asks none")


def _publisher(disclaimer: str | None) -> str | None:
    if disclaimer is None:
        return None
    return disclaimer.split(" does not take", 1)[0]


def _looks_like_name(text: str) -> bool:
    return len(text) <= 60 and _NAME.fullmatch(text) is not None


def _looks_like_affiliation(text: str) -> bool:
    return (
        len(text) <= 300
        and not text.endswith((".", "?", "!", ":", "”", '"'))
        and len(text.split()) <= 40
        and not _looks_like_name(text)
    )


def _starts_block(lines: list[_Line], index: int) -> bool:
    return (
        index + 1 < len(lines)
        and _looks_like_name(lines[index].text)
        and _looks_like_affiliation(lines[index + 1].text)
    )


def _read_blocks(
    lines: list[_Line], organizations: Collection[str]
) -> tuple[list[ParsedResponse], str | None]:
    if not _starts_block(lines, 0):
        raise ParseError(
            lines[0].number,
            "expected an expert name followed by an affiliation line,"
            f" found {lines[0].text[:60]!r}",
        )
    starts = [i for i in range(len(lines)) if _starts_block(lines, i)]
    responses: list[ParsedResponse] = []
    disclaimer = None
    for n, start in enumerate(starts):
        end = starts[n + 1] if n + 1 < len(starts) else len(lines)
        name, affiliation = lines[start], lines[start + 1]
        paragraphs = [line.text for line in lines[start + 2 : end]]
        if n + 1 == len(starts):
            paragraphs, disclaimer = _split_disclaimer(paragraphs)
        if not paragraphs:
            raise ParseError(name.number, f"expert {name.text!r} has no answer paragraphs")
        responses.append(
            ParsedResponse(
                expert_name=name.text,
                affiliation_line=affiliation.text,
                affiliations=split_affiliation(affiliation.text, affiliation.number, organizations),
                paragraphs=tuple(paragraphs),
                line=name.number,
            )
        )
    return responses, disclaimer


def _split_disclaimer(paragraphs: list[str]) -> tuple[list[str], str | None]:
    """Separate the publisher's closing disclaimer, even when glued onto the last paragraph."""
    for index, paragraph in enumerate(paragraphs):
        start = _disclaimer_start(paragraph)
        if start is None:
            continue
        before = paragraph[:start].rstrip()
        disclaimer = "\n\n".join([paragraph[start:], *paragraphs[index + 1 :]])
        return [*paragraphs[:index], *([before] if before else [])], disclaimer
    return paragraphs, None


def _disclaimer_start(paragraph: str) -> int | None:
    r"""Where "<Capitalized Words> does not take institutional positions" first starts.

    A scan back from each occurrence of the phrase, in linear time: the equivalent regex
    search, (?:[A-Z][\w’'&.-]*\s)+does not take..., is quadratic on long capitalized text."""
    at = paragraph.find(_DISCLAIMER_TAIL)
    while at != -1:
        start = _capitalized_words_before(paragraph, at)
        if start is not None:
            return start
        at = paragraph.find(_DISCLAIMER_TAIL, at + 1)
    return None


def _capitalized_words_before(text: str, end: int) -> int | None:
    r"""Start of the longest run of words ending at `end`, each [A-Z][\w’'&.-]* followed by
    exactly one whitespace character; None if there is none."""
    start = None
    position = end
    while position > 0 and text[position - 1].isspace():
        word_end = word_start = position - 1
        while word_start > 0 and _is_word_char(text[word_start - 1]):
            word_start -= 1
        capital = next((i for i in range(word_start, word_end) if "A" <= text[i] <= "Z"), None)
        if capital is None:
            break
        start = capital
        if capital != word_start:
            break
        position = word_start
    return start


def _is_word_char(char: str) -> bool:
    return char.isalnum() or char in "_’'&.-"
