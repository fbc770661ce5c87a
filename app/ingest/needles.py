"""Needles: texts one of which every match of a regular expression contains.

The rules annotator tries some 40 tags' patterns on every sentence; most sentences contain
none of the words a tag needs, and a substring test (`needle in sentence.lower()`) rules
them out without running the expression. The needles are read from the expression's parse
tree: a run of literal characters, or for an alternation one needle per branch. A pattern
whose matches need no literal gets None, and is always searched.
"""

import importlib
import re
from typing import Any

# The standard library's own parser, as `re.compile` uses it, and its opcodes (untyped).
sre_parse: Any = importlib.import_module("re._parser")
sre: Any = importlib.import_module("re._constants")

Needles = frozenset[str]
# A needle that is only one of these words is in almost every sentence: worth nothing.
_COMMON = frozenset({"a", "an", "and", "in", "of", "on", "or", "the", "to"})
_ZERO_WIDTH = (sre.AT, sre.ASSERT, sre.ASSERT_NOT)


def needles(pattern: re.Pattern[str]) -> Needles | None:
    """Lower-cased texts, one of which is in (the lower-cased text of) every match of
    `pattern`; None when there is no such set worth testing."""
    try:
        tree = sre_parse.parse(pattern.pattern, pattern.flags)
    except Exception:
        return None
    found = _sequence(list(tree))
    if found is None or _score(found) < 2 or not all(needle.isascii() for needle in found):
        return None  # (a non-ASCII letter may match an ASCII one: 'ſ' is an 's')
    return found


def _sequence(items: list[tuple[Any, Any]]) -> Needles | None:
    r"""The best needles of a sequence: its longest literal run, or a group's needles, or a
    run followed by each branch's first letters (the parser writes `uk|u\.k` as `u(?:k|\.k)`)."""
    candidates: list[Needles] = []
    run: list[str] = []
    for op, value in items:
        if op is sre.LITERAL:
            run.append(chr(value).lower())
            continue
        if run:
            candidates.append(frozenset({"".join(run)}))
            if op is sre.BRANCH:
                candidates.append(frozenset("".join(run) + _lead(b) for b in value[1]))
            run = []
        if op in _ZERO_WIDTH:
            continue
        inner = _item(op, value)
        if inner is not None:
            candidates.append(inner)
    if run:
        candidates.append(frozenset({"".join(run)}))
    return max(candidates, key=_score, default=None)


def _lead(branch: Any) -> str:
    """The literal text every match of `branch` starts with (may be empty)."""
    text = []
    for op, value in branch:
        if op is not sre.LITERAL:
            break
        text.append(chr(value).lower())
    return "".join(text)


def _item(op: Any, value: Any) -> Needles | None:
    if op is sre.SUBPATTERN:
        return _sequence(list(value[-1]))
    if op is sre.BRANCH:
        branches = [_sequence(list(branch)) for branch in value[1]]
        if any(branch is None for branch in branches):
            return None
        return frozenset().union(*(branch for branch in branches if branch is not None))
    if op in (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT) and value[0] >= 1:
        return _sequence(list(value[2]))
    if op is sre.ATOMIC_GROUP:
        return _sequence(list(value))
    return None  # a class, any character, a back reference: no literal text


def _score(found: Needles) -> int:
    """How selective a set is: the length of its weakest needle (spaces aside)."""
    return min(0 if n.strip() in _COMMON else len(n.strip()) for n in found) if found else 0
