"""Sentence boundaries (pysbd's rules: abbreviations, decimals, quotes), as spans into the text.

Two things keep this fast and its cost linear in the text:

- A plain line (words of ASCII letters, commas and semicolons; sentences ending in `.`, `?` or
  `!` before a space and a capital; no word before a full stop that pysbd knows as an
  abbreviation, nor a single letter) has no sentence pysbd would read otherwise: it is split
  where its sentences end, about 50 times faster. A property test checks the two agree.
- pysbd's cost grows with the square of what it is given, so a long line goes to it in chunks
  of at most CHUNK characters, each ending after a sentence-like stop where there is one.
"""

import re
from functools import lru_cache

import pysbd
from pysbd.lang.english import English
from pysbd.utils import TextSpan

CHUNK = 1000
"""The most characters pysbd is given at once."""

_PARAGRAPH = re.compile(r"[^\n]+")
_WORD = r"[A-Za-z]+(?:['’-][A-Za-z]+)*"
_CAPITALIZED = r"[A-Z][A-Za-z]*(?:['’-][A-Za-z]+)*"
_MORE_WORDS = rf"(?:,? {_WORD}|; {_WORD})*"
_PLAIN = re.compile(rf"{_WORD}{_MORE_WORDS}(?:[.?!] {_CAPITALIZED}{_MORE_WORDS})*[.?!]?")
_SENTENCE_END = re.compile(r"(?<=[.?!]) (?=[A-Z])")
_BEFORE_STOP = re.compile(r"([A-Za-z]+)\.(?: |$)")
_ABBREVIATIONS = frozenset(
    abbreviation.strip().lower() for abbreviation in English.Abbreviation.ABBREVIATIONS
)
_CHUNK_END = re.compile(r"[.?!][”\"’')]* ")


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence in `text`, whitespace trimmed; never across a newline."""
    spans: list[tuple[int, int]] = []
    for paragraph in _PARAGRAPH.finditer(text):
        offset = paragraph.start()
        spans.extend((offset + s, offset + e) for s, e in _line_spans(paragraph.group()))
    return spans


def sentences(text: str) -> list[str]:
    return [text[start:end] for start, end in sentence_spans(text)]


def is_plain(line: str) -> bool:
    """Whether `line` is plain prose whose sentences pysbd ends at every `.`, `?` or `!`
    followed by a space and a capital letter."""
    if _PLAIN.fullmatch(line) is None:
        return False
    return all(
        len(word) > 1 and word.lower() not in _ABBREVIATIONS for word in _BEFORE_STOP.findall(line)
    )


@lru_cache(maxsize=4096)
def _line_spans(line: str) -> tuple[tuple[int, int], ...]:
    # Cached: the rules annotator asks for an answer's sentences twice (stance and arguments).
    stripped = line.strip()
    start = line.find(stripped) if stripped else 0
    if stripped and is_plain(stripped):
        return tuple(
            (start + match_start, start + match_end)
            for match_start, match_end in _plain_spans(stripped)
        )
    spans: list[tuple[int, int]] = []
    for chunk_start, chunk in _chunks(line):
        spans.extend((chunk_start + s, chunk_start + e) for s, e in _pysbd_spans(chunk))
    return tuple((s, e) for s, e in spans if e > s)


def _plain_spans(line: str) -> list[tuple[int, int]]:
    spans = []
    start = 0
    for boundary in _SENTENCE_END.finditer(line):
        spans.append((start, boundary.start()))
        start = boundary.end()
    spans.append((start, len(line)))
    return spans


def _chunks(line: str) -> list[tuple[int, str]]:
    """`line` cut into pieces of at most CHUNK characters: after the last sentence-like stop
    in the piece, else after its last space, else at CHUNK."""
    pieces = []
    start = 0
    while len(line) - start > CHUNK:
        window = line[start : start + CHUNK]
        stops = [match.end() for match in _CHUNK_END.finditer(window)]
        cut = stops[-1] if stops else window.rfind(" ") + 1 or CHUNK
        pieces.append((start, line[start : start + cut]))
        start += cut
    pieces.append((start, line[start:]))
    return pieces


class Segmenter(pysbd.Segmenter):  # type: ignore[misc]
    """pysbd's segmenter, finding its sentences in the text with `str.find`: pysbd compiles a
    pattern for each sentence, which also pushes its own patterns out of `re`'s cache (a
    tenth of the time a roundup took to annotate). Same spans (a test compares the two)."""

    def sentences_with_char_spans(self, sentences: list[str]) -> list[TextSpan]:
        if not all(sentences):
            return super().sentences_with_char_spans(sentences)  # type: ignore[no-any-return]
        text: str = self.original_text
        spans = []
        prior_end = 0
        for sentence in sentences:
            position = 0
            while (start := text.find(sentence, position)) >= 0:
                end = start + len(sentence)
                while end < len(text) and text[end].isspace():  # pysbd's `\s*`
                    end += 1
                if end > prior_end:
                    spans.append(TextSpan(text[start:end], start, end))
                    prior_end = end
                    break
                position = end
        return spans


def _pysbd_spans(line: str) -> list[tuple[int, int]]:
    # A Segmenter keeps the text it is working on, so each call gets its own (cheap to build).
    segments: list[str] = Segmenter(language="en", clean=False).segment(line)
    spans: list[tuple[int, int]] = []
    cursor = 0
    for segment in segments:
        piece = segment.strip()
        if not piece:
            continue
        start = line.find(piece, cursor)
        if start < 0 or line[cursor:start].strip():
            # pysbd changed or skipped some text: keep the rest of the line as one sentence.
            break
        spans.append((start, start + len(piece)))
        cursor = start + len(piece)
    rest = line[cursor:]
    if rest.strip():
        start = cursor + len(rest) - len(rest.lstrip())
        spans.append((start, cursor + len(rest.rstrip())))
    return spans
