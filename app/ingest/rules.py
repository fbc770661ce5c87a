"""Rules annotator, for roundups without curated annotations.

Stance comes from the opening words of the answer (an explicit verdict, or `unclear`);
arguments are the answer's sentences, their kind guessed from cue words and their tags from
the patterns kept next to each tag in tags.yaml. Everything is marked `rules`.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from app.ingest.document import (
    AnnotatedArgument,
    AnnotatedDocument,
    AnnotatedResponse,
    ParsedResponse,
    RoundupDocument,
)
from app.ingest.sentences import sentence_spans
from app.ingest.specs import TagSpec
from app.ingest.stance import is_bare_verdict, opening_stance
from app.models import AnnotationSource, ArgumentKind

# Tried in order against each sentence; no cue makes a claim.
KIND_CUES: tuple[tuple[ArgumentKind, re.Pattern[str]], ...] = tuple(
    (kind, re.compile(pattern, re.IGNORECASE))
    for kind, pattern in (
        (ArgumentKind.CONDITION, r"\b(?:if|unless)\b"),
        (ArgumentKind.RECOMMENDATION, r"\b(?:should|must|ought\s+to)\b"),
        (ArgumentKind.PREDICTION, r"\b(?:will|won't)\b|'ll\b"),
    )
)


@dataclass(frozen=True)
class TagRule:
    slug: str
    patterns: tuple[re.Pattern[str], ...]
    requires: tuple[re.Pattern[str], ...] = ()
    _any: re.Pattern[str] | None = field(init=False, compare=False, repr=False)
    _needles: tuple[str, ...] | None = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_any", _joined(self.patterns))
        object.__setattr__(self, "_needles", _needles(self.patterns))

    def matches(self, sentence: str) -> bool:
        return self._matches_patterns(sentence) and (
            not self.requires or any(pattern.search(sentence) for pattern in self.requires)
        )

    def _matches_patterns(self, sentence: str) -> bool:
        # Most sentences contain none of the words a tag's patterns need: a substring test
        # rules them out without a search (in ASCII text, where case folding is lower()).
        if self._needles is not None and sentence.isascii():
            lowered = sentence.lower()
            if not any(needle in lowered for needle in self._needles):
                return False
        if self._any is not None:
            return self._any.search(sentence) is not None
        return any(pattern.search(sentence) for pattern in self.patterns)


def _joined(patterns: tuple[re.Pattern[str], ...]) -> re.Pattern[str] | None:
    """The patterns' alternation: one search instead of one per pattern (several times
    faster); None for patterns that do not join (none, inline flags, named groups)."""
    if not patterns:
        return None
    try:
        joined = re.compile("|".join(f"(?:{p.pattern})" for p in patterns), re.IGNORECASE)
    except re.error:
        return None
    return joined if all(p.flags == joined.flags for p in patterns) else None


def _needles(patterns: tuple[re.Pattern[str], ...]) -> tuple[str, ...] | None:
    """A text every match of some pattern contains, per pattern; None if a pattern has none."""
    found = [_required_literal(pattern.pattern) for pattern in patterns]
    if not found or any(needle is None for needle in found):
        return None
    return tuple(needle for needle in found if needle is not None)


_SPECIAL = frozenset(".^$*+?{}[]|()\\")


def _required_literal(pattern: str) -> str | None:
    """The longest run of plain characters (3 or more, ASCII, lower-cased) outside groups that
    every match of `pattern` contains; None when there is none or a top-level `|`."""
    runs: list[str] = []
    run = ""
    depth = 0
    index = 0
    while index < len(pattern):
        char = pattern[index]
        following = pattern[index + 1] if index + 1 < len(pattern) else ""
        if char == "\\":
            runs.append(run)
            run = ""
            index += 2
            continue
        if char in "[{":  # a character class, or a repetition count
            runs.append(run)
            run = ""
            index = pattern.index("]" if char == "[" else "}", index + 2) + 1
            continue
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "|" and depth == 0:
            return None
        # Inside a group, a special character, or a character made optional, ends the run.
        if depth > 0 or char in _SPECIAL or following in ("?", "*", "{"):
            runs.append(run)
            run = ""
        else:
            run += char
        index += 1
    runs.append(run)
    best = max(runs, key=len)
    return best.lower() if len(best) >= 3 and best.isascii() else None


def tag_rules(tags: Iterable[TagSpec]) -> tuple[TagRule, ...]:
    """Compile each tag's patterns (case-insensitive), keeping the taxonomy's order."""
    return tuple(
        TagRule(tag.slug, _compiled(tag.patterns), _compiled(tag.requires)) for tag in tags
    )


def _compiled(patterns: tuple[str, ...]) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(pattern, re.IGNORECASE) for pattern in patterns)


def annotate_rules(
    document: RoundupDocument, rules: tuple[TagRule, ...], *, source_sha256: str
) -> AnnotatedDocument:
    return AnnotatedDocument(
        document=document,
        annotator=AnnotationSource.RULES,
        publisher=document.publisher or "unknown",
        source_url=None,
        source_sha256=source_sha256,
        responses=tuple(annotate_response(response, rules) for response in document.responses),
    )


def annotate_response(parsed: ParsedResponse, rules: tuple[TagRule, ...]) -> AnnotatedResponse:
    stance, phrase = opening_stance(parsed.body)
    return AnnotatedResponse(
        parsed=parsed,
        stance=stance,
        stance_phrase=phrase,
        stance_source=AnnotationSource.RULES,
        arguments=arguments(parsed.body, rules),
    )


def arguments(body: str, rules: tuple[TagRule, ...]) -> tuple[AnnotatedArgument, ...]:
    """One argument per sentence of `body`, except an opening sentence that is nothing but a
    verdict ("Yes.", "Yes, but not yet."); "Yes, if farmers are paid." is kept."""
    found = []
    for index, (start, end) in enumerate(sentence_spans(body)):
        text = body[start:end]
        if index == 0 and is_bare_verdict(text):
            continue
        plain = normalize(text)
        found.append(
            AnnotatedArgument(
                text=text,
                start=start,
                end=end,
                kind=argument_kind(plain),
                tags=tuple(rule.slug for rule in rules if rule.matches(plain)),
                annotation_source=AnnotationSource.RULES,
            )
        )
    return tuple(found)


def argument_kind(sentence: str) -> ArgumentKind:
    for kind, cue in KIND_CUES:
        if cue.search(sentence):
            return kind
    return ArgumentKind.CLAIM


def normalize(sentence: str) -> str:
    """What patterns see: runs of whitespace (no-break spaces too) as one space, and curly
    apostrophes as straight ones."""
    return " ".join(sentence.split()).replace("’", "'")
