"""Rules annotator, for roundups without curated annotations.

Stance comes from the opening words of the answer (an explicit verdict, or `unclear`);
arguments are the answer's sentences, their kind guessed from cue words and their tags from
the patterns kept next to each tag in tags.yaml. Everything is marked `rules`.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass

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

    def matches(self, sentence: str) -> bool:
        return any(pattern.search(sentence) for pattern in self.patterns) and (
            not self.requires or any(pattern.search(sentence) for pattern in self.requires)
        )


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
