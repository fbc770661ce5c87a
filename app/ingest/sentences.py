"""Sentence boundaries (pysbd's rules: abbreviations, decimals, quotes), as spans into the text."""

import re

import pysbd

_PARAGRAPH = re.compile(r"[^\n]+")


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence in `text`, whitespace trimmed; never across a newline."""
    spans: list[tuple[int, int]] = []
    for paragraph in _PARAGRAPH.finditer(text):
        offset = paragraph.start()
        spans.extend((offset + s, offset + e) for s, e in _spans_in_line(paragraph.group()))
    return [(start, end) for start, end in spans if end > start]


def sentences(text: str) -> list[str]:
    return [text[start:end] for start, end in sentence_spans(text)]


def _spans_in_line(line: str) -> list[tuple[int, int]]:
    # A Segmenter keeps the text it is working on, so each call gets its own (cheap to build).
    segments: list[str] = pysbd.Segmenter(language="en", clean=False).segment(line)
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
