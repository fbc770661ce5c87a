"""Rules annotator, for roundups without curated annotations.

Stance comes from the opening words of the answer (an explicit verdict, or `unclear`);
arguments are the answer's sentences, their kind guessed from cue words and their tags from
the patterns kept next to each tag in tags.yaml. Everything is marked `rules`.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import ahocorasick

from app.ingest.document import (
    AnnotatedArgument,
    AnnotatedDocument,
    AnnotatedResponse,
    ParsedResponse,
    RoundupDocument,
)
from app.ingest.needles import needles
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

    def __post_init__(self) -> None:
        object.__setattr__(self, "_any", _joined(self.patterns))

    def matches(self, sentence: str) -> bool:
        if self._any is not None:
            found = self._any.search(sentence) is not None
        else:
            found = any(pattern.search(sentence) for pattern in self.patterns)
        return found and (
            not self.requires or any(pattern.search(sentence) for pattern in self.requires)
        )

    @property
    def needles(self) -> frozenset[str] | None:
        """Texts one of which is in every match of some pattern; None if a pattern has none."""
        found = [needles(pattern) for pattern in self.patterns]
        if not found or any(needle is None for needle in found):
            return None
        return frozenset().union(*(needle for needle in found if needle is not None))


class TagRules:
    """The taxonomy's rules, and one Aho-Corasick automaton over all their needles: a
    sentence is scanned once for every needle, and only the rules whose needles it holds
    (and those without needles) are searched. Most sentences hold few tags' words, so this
    is several times faster than searching every rule, with the same tags (a test proves
    it on the corpus)."""

    def __init__(self, rules: tuple[TagRule, ...]) -> None:
        self.rules = rules
        needed = [rule.needles for rule in rules]
        self._always = frozenset(index for index, found in enumerate(needed) if found is None)
        owners: dict[str, set[int]] = {}
        for index, found in enumerate(needed):
            for needle in found or ():
                owners.setdefault(needle, set()).add(index)
        self._automaton: Any = None
        if owners:
            self._automaton = ahocorasick.Automaton()
            for needle, indexes in owners.items():
                self._automaton.add_word(needle, frozenset(indexes))
            self._automaton.make_automaton()

    def tags(self, sentence: str) -> tuple[str, ...]:
        """The slugs of the rules `sentence` matches, in the taxonomy's order."""
        # Case folding is lower() only for ASCII text: other sentences try every rule.
        if self._automaton is None or not sentence.isascii():
            candidates: Iterable[int] = range(len(self.rules))
        else:
            held = set(self._always)
            for _, indexes in self._automaton.iter(sentence.lower()):
                held |= indexes
            candidates = sorted(held)
        return tuple(
            self.rules[index].slug for index in candidates if self.rules[index].matches(sentence)
        )


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


def tag_rules(tags: Iterable[TagSpec]) -> TagRules:
    """Compile each tag's patterns (case-insensitive), keeping the taxonomy's order."""
    return TagRules(
        tuple(TagRule(tag.slug, _compiled(tag.patterns), _compiled(tag.requires)) for tag in tags)
    )


def _compiled(patterns: tuple[str, ...]) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(pattern, re.IGNORECASE) for pattern in patterns)


def annotate_rules(
    document: RoundupDocument, rules: TagRules, *, source_sha256: str
) -> AnnotatedDocument:
    return AnnotatedDocument(
        document=document,
        annotator=AnnotationSource.RULES,
        publisher=document.publisher or "unknown",
        source_url=None,
        source_sha256=source_sha256,
        responses=tuple(annotate_response(response, rules) for response in document.responses),
    )


def annotate_response(parsed: ParsedResponse, rules: TagRules) -> AnnotatedResponse:
    stance, phrase = opening_stance(parsed.body)
    return AnnotatedResponse(
        parsed=parsed,
        stance=stance,
        stance_phrase=phrase,
        stance_source=AnnotationSource.RULES,
        arguments=arguments(parsed.body, rules),
    )


def arguments(body: str, rules: TagRules) -> tuple[AnnotatedArgument, ...]:
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
                tags=rules.tags(plain),
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
