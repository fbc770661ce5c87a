"""Pure parser: roundup source text -> RoundupDocument, or ParseError(line, reason).

The layout it reads (blank lines are optional everywhere; one line is one paragraph):

    # <comment>                             optional, only at the top of the file
    {"authors": [...], ...}                 optional: a page's metadata block, skipped
    Source: <image credit>                  optional
    <Series>: <Title>                       series prefix optional; repeats of it skipped
    <dek>                                   optional, one or more lines
    <date line>                             optional when the caller supplies the date:
                                            "Published on April 3, 2025", "Thursday,
                                            September 15, 2022", "· June 27, 2024", a byline
                                            glued to a date, "24/11/2022", ... (dates.py)
    <the dek again>                         skipped (2016-era pages print it twice)
    <Expert name>                           } once per expert: name and affiliation on two
    <Role, Organization>                    } lines, or glued on one ("Jane DoeSenior Fellow,
    <answer paragraph>...                   } ..."), then the answer's paragraphs
    <Publisher> does not take institutional positions...   optional, may be glued on

Page furniture inside answers is dropped (furniture.py): pull quotes, "Read more" lines,
trailers, related-article cards, the quotation marks that wrap a whole answer.
"""

import re
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date

from app.ingest.affiliations import ROLE_WORDS, split_affiliation
from app.ingest.dates import find_date, read_date
from app.ingest.document import ParsedResponse, RoundupDocument
from app.ingest.errors import ParseError
from app.ingest.furniture import (
    Line,
    is_noise,
    unwrapped,
    without_cards,
    without_glued_name,
    without_noise,
)
from app.ingest.limits import check_document, check_line
from app.ingest.sentences import sentences
from app.ingest.text import slugify

SERIES = ("Taking the Pulse", "Judy Asks")
_SOURCE = re.compile(r"Source:\s*(?P<credit>\S.*)")
_PUBLISHED = re.compile(r"Published on\s+(?P<date>.*\S)")
_DISCLAIMER_TAIL = "does not take institutional positions"
# The series' boilerplate dek, in its three wordings.
_BOILERPLATE = re.compile(
    r"(?:A selection of|Every week,?(?: a selection of)?)(?: leading)? experts answers?\b.*"
)
_BYLINE_PREFIX = re.compile(r"(?:by|By|BY)\s+")
# Between a name and an affiliation printed on one line.
_SEPARATOR = re.compile(r"\s+[–—|]\s+|\s+,\s*|,{2,}\s*|\s{3,}")
# An affiliation line never ends like a sentence.
_SENTENCE_ENDS = (".", "?", "!", ":", "”", '"')
_PARTICLES = frozenset("de van von der den da di du le la del bin al ter zu dos das".split())
_NAME_CHARS = frozenset("’'.-")
_QUESTION_END = re.compile(r"\?[”\"’']*$")
# The dek's question is found among the sentences just before its last question mark: a
# bounded window, so the sentence splitter's cost does not grow with the dek.
_QUESTION_WINDOW = 1000


@dataclass(frozen=True)
class _Header:
    """An expert block's first line(s): the name and the affiliation as printed."""

    name: Line
    affiliation: Line
    size: int


def parse(
    text: str,
    *,
    published_on: date | None = None,
    title: str | None = None,
    organizations: Collection[str] = (),
) -> RoundupDocument:
    """Parse one roundup. `published_on` fills in a missing date line, `title` a missing title
    line (old pages that start at the series boilerplate); `organizations` are known
    organization names that help split affiliation lines."""
    lines = _content_lines(text)
    if not lines:
        raise ParseError(1, "empty file: no title, no experts")
    cursor = _metadata_end(lines)
    if cursor == len(lines):
        raise ParseError(lines[-1].number, "empty file: no title, no experts")
    image_credit = None
    while cursor < len(lines) and (source := _SOURCE.fullmatch(lines[cursor].text)):
        image_credit = image_credit or source["credit"]  # captions may be printed 2-3 times
        cursor += 1
    if cursor == len(lines):
        raise ParseError(lines[-1].number, "no title after the source credit")
    if title is not None and lines[cursor].text != title:
        title_line = Line(lines[cursor].number, title)  # the caller's: the text has none
    elif _BOILERPLATE.fullmatch(lines[cursor].text):
        raise ParseError(
            lines[cursor].number,
            "no title: the text starts with the series boilerplate; put the title on a line"
            " before it",
        )
    else:
        title_line = lines[cursor]
        cursor += 1
    series, title_rest = _split_series(title_line.text)

    dek_lines: list[Line] = []
    found_date: date | None = None
    while cursor < len(lines) and _header(lines, cursor) is None:
        line = lines[cursor]
        cursor += 1
        if (printed := _date_of(line)) is not None:
            found_date = printed
            break
        if line.text != title_line.text and not _is_byline(line.text):
            dek_lines.append(line)
    kept_dek = without_noise(dek_lines)
    dek = "\n\n".join(line.text for line in kept_dek) or None
    # After the date, a repeat of the dek (or of the title) is page furniture, and so is a
    # second date (a repost's own).
    repeated = {line.text for line in kept_dek} | {title_line.text}
    while cursor < len(lines) and (
        lines[cursor].text in repeated
        or _BOILERPLATE.fullmatch(lines[cursor].text)
        or (found_date is not None and _is_date_line(lines[cursor].text))
    ):
        cursor += 1

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
    document = RoundupDocument(
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
    check_document(document, title_line.number)
    return document


def _content_lines(text: str) -> list[Line]:
    """Non-blank lines, stripped, with their 1-based numbers; leading '#' comments skipped."""
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    lines = []
    for number, line in enumerate(text.split("\n"), start=1):
        check_line(number, line)
        if line.strip():
            lines.append(Line(number, line.strip()))
    while lines and lines[0].text.startswith("#"):
        lines.pop(0)
    return lines


def _split_series(title: str) -> tuple[str | None, str]:
    for series in SERIES:
        if title.startswith(series + ":"):
            return series, title[len(series) + 1 :].strip()
    return None, title


def _metadata_end(lines: list[Line]) -> int:
    """Past a JSON metadata block printed before the page ({"authors": [...], ...})."""
    if not lines[0].text.startswith("{"):
        return 0
    for index, line in enumerate(lines):
        if line.text.endswith("}"):
            return index + 1
    return 0


def _date_of(line: Line) -> date | None:
    """The publication date, if `line` is a date line: a date alone or after "Published on",
    "·" or a byline ("Judy DempseyThursday, September 15, 2022")."""
    if match := _PUBLISHED.fullmatch(line.text):
        found = find_date(match["date"])
        value = read_date(found[1]) if found is not None and not found[0] else None
        if value is None:
            raise ParseError(
                line.number, f"cannot read the date {match['date']!r}; expected 'Month D, YYYY'"
            )
        return value
    found = find_date(line.text)
    if found is None or not _is_date_prefix(found[0]):
        return None
    value = read_date(found[1])
    if value is None:
        raise ParseError(line.number, f"cannot read the date {found[1]!r}")
    return value


def _is_date_line(text: str) -> bool:
    found = find_date(text)
    return found is not None and _is_date_prefix(found[0]) and read_date(found[1]) is not None


def _is_date_prefix(prefix: str) -> bool:
    prefix = prefix.strip(" ·|,")
    return not prefix or _is_byline(prefix) or _looks_like_name(prefix)


def _is_byline(text: str) -> bool:
    """An editor's byline line: "by Judy Dempsey", "JUDY DEMPSEY"."""
    name = _BYLINE_PREFIX.sub("", text, count=1)
    if name != text:
        return _looks_like_name(name)
    return text.isupper() and _looks_like_name(text)


def _question(title_rest: str, dek: str | None, line: int) -> str:
    """The title if it asks a question, else the dek's last question sentence."""
    if title_rest.endswith("?"):
        return title_rest
    text = dek or ""
    last = text.rfind("?")
    if last != -1:
        end = last + 1
        while end < len(text) and text[end] in "”\"’'":
            end += 1
        window = text[max(0, end - _QUESTION_WINDOW) : end]
        questions = [s for s in sentences(window) if _QUESTION_END.search(s)]
        if questions:
            return questions[-1]
    raise ParseError(line, "no question: the title does not end with '?' and the dek asks none")


def _publisher(disclaimer: str | None) -> str | None:
    if disclaimer is None:
        return None
    return disclaimer.split(" does not take", 1)[0]


def _looks_like_name(text: str) -> bool:
    """2-5 capitalised words (particles such as 'van' or 'de' allowed), accents included."""
    if len(text) > 60:  # cheap tests first: this runs for every line and every seam
        return False
    words = text.split(" ")
    if not 2 <= len(words) <= 5:
        return False
    capitalised = [
        word
        for word in words
        if word[:1].isupper() and all(c.isalpha() or c in _NAME_CHARS for c in word)
    ]
    return (
        len(capitalised) >= 2
        and all(word in capitalised or word in _PARTICLES for word in words)
        and not is_noise(text)
    )


def _is_name_word(word: str) -> bool:
    return word in _PARTICLES or (
        word[:1].isupper() and all(c.isalpha() or c in _NAME_CHARS for c in word)
    )


def _looks_like_affiliation(text: str) -> bool:
    return (
        len(text) <= 300
        and not text.endswith(_SENTENCE_ENDS)
        and len(text.split()) <= 40
        and not _looks_like_name(text)
        and not is_noise(text)
        and find_date(text) is None
    )


def _header(lines: list[Line], index: int) -> _Header | None:
    """The expert block starting at `lines[index]`, if one does."""
    line = lines[index]
    if _looks_like_name(line.text):
        if index + 1 < len(lines) and _looks_like_affiliation(lines[index + 1].text):
            return _Header(name=line, affiliation=lines[index + 1], size=2)
        return None
    glued = _split_glued(line.text) or _split_separated(line.text)
    if glued is None:
        return None
    name, affiliation = glued
    return _Header(name=Line(line.number, name), affiliation=Line(line.number, affiliation), size=1)


def _split_separated(text: str) -> tuple[str, str] | None:
    """A name and an affiliation on one line with a separator: "Jane Doe – Senior fellow at X",
    "Jane Doe , Senior ...", "Jane Doe,,,,,Senior ...", "JANE DOE   SENIOR FELLOW, X", or a
    space ("Jane Doe Director of X"). The affiliation must start with a role word, since any
    short line would otherwise pass for one, and after a mere space it must name an
    organization too ("The EU Commission President said so" is not a header)."""
    if len(text) > 360 or text.endswith(_SENTENCE_ENDS):  # cheap: most lines are sentences
        return None
    candidates: list[tuple[str, str, bool]] = []
    if separator := _SEPARATOR.search(text[:80]):  # after a name: 60 characters at most
        candidates.append((text[: separator.start()], text[separator.end() :], False))
    words = text.split(" ")
    for index in range(2, min(6, len(words))):
        if words[index].rstrip(",:").title() in ROLE_WORDS:
            candidates.append((" ".join(words[:index]), " ".join(words[index:]), True))
            break
    for name, affiliation, needs_organization in candidates:
        if (
            _looks_like_name(name)
            and name.split(" ", 1)[0].title() not in ROLE_WORDS
            and affiliation.split(" ", 1)[0].rstrip(",:").title() in ROLE_WORDS
            and _looks_like_affiliation(affiliation)
            and not (
                needs_organization
                and all(a.organization is None for a in split_affiliation(affiliation, 0))
            )
        ):
            return name, affiliation
    return None


def _split_glued(text: str) -> tuple[str, str] | None:
    """ "Jane DoeSenior Fellow, X" -> ("Jane Doe", "Senior Fellow, X"): the only clue is a
    lower-case letter followed by a capital inside a word. Among the possible seams, one where
    the affiliation starts with a role word wins, then the longest name ("McFaul" stays whole).
    """
    if len(text) > 360:  # a name (60) glued to an affiliation (300) at most
        return None
    words = text.split(" ")
    candidates: list[tuple[bool, int, str, str]] = []
    for index in range(1, min(5, len(words))):
        if not _is_name_word(words[index - 1]):
            break  # every longer name would contain this word too
        word = words[index]
        before = len(" ".join(words[:index])) + 1
        for seam in range(1, min(len(word), 61 - before)):  # the name is 60 characters at most
            if not (word[seam - 1].islower() and word[seam].isupper()):
                continue
            name = " ".join([*words[:index], word[:seam]])
            affiliation = " ".join([word[seam:], *words[index + 1 :]])
            if _looks_like_name(name) and _looks_like_affiliation(affiliation):
                starts_with_role = affiliation.split(" ", 1)[0].title() in ROLE_WORDS
                candidates.append((starts_with_role, len(name), name, affiliation))
    if not candidates:
        return None
    _, _, name, affiliation = max(candidates)
    return name, affiliation


def _read_blocks(
    lines: list[Line], organizations: Collection[str]
) -> tuple[list[ParsedResponse], str | None]:
    lines = without_cards(lines)
    headers: list[tuple[int, _Header]] = []
    index = 0
    while index < len(lines):
        header = _header(lines, index)
        if header is None:
            index += 1
            continue
        headers.append((index, header))
        index += header.size
    if not headers or headers[0][0] != 0:
        raise ParseError(
            lines[0].number,
            "expected an expert name followed by an affiliation line,"
            f" found {lines[0].text[:60]!r}",
        )
    responses: list[ParsedResponse] = []
    seen: dict[str, int] = {}
    disclaimer = None
    for n, (start, header) in enumerate(headers):
        end = headers[n + 1][0] if n + 1 < len(headers) else len(lines)
        name, affiliation = header.name, header.affiliation
        key = slugify(name.text)
        if key in seen:
            raise ParseError(
                name.number, f"expert {name.text!r} appears twice (first on line {seen[key]})"
            )
        seen[key] = name.number
        paragraphs = without_noise(lines[start + header.size : end])
        if n + 1 == len(headers):
            paragraphs, disclaimer = _split_disclaimer(paragraphs)
        texts = unwrapped([line.text for line in paragraphs])
        if texts:
            texts[0] = without_glued_name(texts[0], name.text)
        texts = [text for text in texts if text]
        if not texts:
            raise ParseError(name.number, f"expert {name.text!r} has no answer paragraphs")
        responses.append(
            ParsedResponse(
                expert_name=name.text,
                affiliation_line=affiliation.text,
                affiliations=split_affiliation(affiliation.text, affiliation.number, organizations),
                paragraphs=tuple(texts),
                line=name.number,
            )
        )
    return responses, disclaimer


def _split_disclaimer(paragraphs: list[Line]) -> tuple[list[Line], str | None]:
    """Separate the publisher's closing disclaimer, even when glued onto the last paragraph."""
    for index, paragraph in enumerate(paragraphs):
        start = _disclaimer_start(paragraph.text)
        if start is None:
            continue
        before = paragraph.text[:start].rstrip()
        disclaimer = "\n\n".join(
            [paragraph.text[start:], *(p.text for p in paragraphs[index + 1 :])]
        )
        kept = paragraphs[:index]
        if before:
            kept.append(Line(paragraph.number, before))
        return kept, disclaimer
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
