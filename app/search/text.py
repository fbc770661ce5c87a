"""Tokenization shared by the index, the query parser and the snippets.

A token is a run of letters and digits (Unicode-aware; combining marks stay with their
letter). Everything else, including straight and curly apostrophes, hyphens and dashes,
separates tokens, so "Moscow’s" and "Moscow's" are both `moscow s`. Each token is folded:
NFKD, combining marks removed, case-folded. The index stores the folded tokens joined by
single spaces, so FTS5 (unicode61) and PostgreSQL (the 'simple' configuration) see the same
plain words and agree on every token and position.
"""

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

_TOKEN = re.compile(
    r"(?:[^\W_]|[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f])+"
)
# The same tokens in ASCII text (no combining marks there), about three times faster.
_ASCII_TOKEN = re.compile(r"[A-Za-z0-9]+")


@dataclass(frozen=True)
class Token:
    start: int
    end: int
    term: str


def fold(word: str) -> str:
    """`Kobzová` -> `kobzova`; characters that are not letters or digits are dropped."""
    if word.isascii() and word.isalnum():
        return word.lower()  # the common case, and what the general path gives for it
    if len(word) <= CACHED_WORD_CHARS:
        return _fold_cached(word)
    return _fold_unicode(word)


def _fold_unicode(word: str) -> str:
    decomposed = unicodedata.normalize("NFKD", word)
    stripped = "".join(c for c in decomposed if not unicodedata.category(c).startswith("M"))
    return "".join(c for c in stripped.casefold() if c.isalnum())


# Real words are short and repeat; the cache holds only short ones, so what a client can make
# it hold is bounded in bytes (about 3 MiB full of 32-letter Cyrillic words), not only in count.
CACHED_WORD_CHARS = 32
FOLD_CACHE_WORDS = 8192
_fold_cached = lru_cache(maxsize=FOLD_CACHE_WORDS)(_fold_unicode)


def tokens(text: str) -> list[Token]:
    """The tokens of `text` with their character spans in it."""
    found = []
    for match in _TOKEN.finditer(text):
        term = fold(match.group())
        if term:
            found.append(Token(match.start(), match.end(), term))
    return found


def terms(text: str) -> str:
    """What the index stores for `text`: its folded tokens, space-separated."""
    words = (_ASCII_TOKEN if text.isascii() else _TOKEN).findall(text)
    joined = " ".join(words)
    if joined.isascii():
        return joined.lower()  # every word is ASCII letters and digits: fold is lower()
    folded = (fold(word) for word in words)
    return " ".join(term for term in folded if term)
