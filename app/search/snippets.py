"""Highlighted snippets, built in Python from the stored text so both engines agree.

The snippet is a window of WINDOW words placed to hold the most matches (the earliest such
window on ties), starting up to LEAD words before its first match; a text of at most WINDOW
words is shown whole. Matched words and
phrases are wrapped in <mark>...</mark>; everything else is HTML-escaped, whitespace runs
become one space, and "…" marks text cut at either end.
"""

import html
import re
from collections.abc import Iterable, Sequence

from app.search.nodes import Match
from app.search.text import Token, tokens

WINDOW = 30
LEAD = 8
ELLIPSIS = "…"
_SPACE = re.compile(r"\s+")


def snippet(text: str, matches: Sequence[Match]) -> str:
    words = tokens(text)
    marks = _merge(span for match in matches for span in _find(words, match))
    if not words:
        return _plain(text)
    first, last = _window(len(words), marks)
    start = 0 if first == 0 else words[first].start
    end = len(text) if last == len(words) else words[last - 1].end
    pieces: list[str] = []
    cursor = start
    for mark_first, mark_last in marks:
        if mark_first < first or mark_last > last:
            continue
        mark_start, mark_end = words[mark_first].start, words[mark_last - 1].end
        pieces.append(_plain(text[cursor:mark_start]))
        pieces.append(f"<mark>{_plain(text[mark_start:mark_end])}</mark>")
        cursor = mark_end
    pieces.append(_plain(text[cursor:end]))
    body = "".join(pieces).strip()
    return (ELLIPSIS if first > 0 else "") + body + (ELLIPSIS if last < len(words) else "")


def _find(words: Sequence[Token], match: Match) -> list[tuple[int, int]]:
    """Token ranges [first, last) where `match` occurs."""
    size = len(match.words)
    found = []
    for first in range(len(words) - size + 1):
        head = all(words[first + k].term == match.words[k] for k in range(size - 1))
        tail = words[first + size - 1].term
        if head and (tail.startswith(match.words[-1]) if match.prefix else tail == match.words[-1]):
            found.append((first, first + size))
    return found


def _merge(spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for first, last in sorted(spans):
        if merged and first < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], last))
        else:
            merged.append((first, last))
    return merged


def _window(count: int, marks: Sequence[tuple[int, int]]) -> tuple[int, int]:
    """Token range [first, last) to show: the window holding the most whole marks."""
    best, best_count = 0, -1
    for mark_first, _ in marks or [(0, 0)]:
        first = max(0, mark_first - LEAD)
        inside = sum(1 for a, b in marks if a >= first and b <= first + WINDOW)
        if inside > best_count:
            best, best_count = first, inside
    best = max(0, min(best, count - WINDOW))  # a short text is shown whole
    last = min(count, best + WINDOW)
    for mark_first, mark_last in marks:
        if mark_first < last < mark_last:
            last = mark_last
    return best, last


def _plain(text: str) -> str:
    return html.escape(_SPACE.sub(" ", text))
