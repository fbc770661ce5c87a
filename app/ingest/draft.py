"""A curated-annotations draft from the rules annotator's reading, for a person to correct.

The draft has the format of seed/annotations/<slug>.yaml. Every quote is verbatim and occurs
once in its answer; a comment above each response says how sure the rules are of its stance,
and sentences the rules found no tag for are listed as comments (the curated format needs at
least one tag per argument), so the curator can tag them or leave them out.
"""

import json

from app.ingest.document import AnnotatedDocument, AnnotatedResponse
from app.ingest.sentences import sentence_spans
from app.models import Stance


def draft_yaml(annotated: AnnotatedDocument) -> str:
    document = annotated.document
    lines = [
        f"# Draft for {document.slug}, written by `roundup annotate` from the rules annotator.",
        "# Correct the stances, phrases, kinds and tags, then run `roundup check` on this file.",
        f"article: {_quoted(document.slug)}",
        'annotator: "curated"',
        f"publisher: {_quoted(annotated.publisher)}",
        "source_url: null",
        "responses:",
    ]
    for index, response in enumerate(annotated.responses):
        if index:
            lines.append("")
        lines.extend(_response_lines(response))
    return "\n".join(lines) + "\n"


def stance_note(response: AnnotatedResponse) -> str:
    """Why the rules gave this stance: the reader's cue for how much to trust it."""
    tagged = sum(bool(argument.tags) for argument in response.arguments)
    counts = f"{len(response.arguments)} sentences, {tagged} tagged"
    if response.stance is not Stance.UNCLEAR:
        return (
            f"rules: {response.stance.value} from the explicit verdict"
            f" {response.stance_phrase!r} (confident); {counts}"
        )
    if response.stance_phrase is not None:
        return (
            f"rules: unclear, the opening {response.stance_phrase!r} hedges; check the stance;"
            f" {counts}"
        )
    return (
        f"rules: unclear, no verdict in the opening; read the answer and set the stance; {counts}"
    )


def _response_lines(response: AnnotatedResponse) -> list[str]:
    body = response.parsed.body
    phrase = _unique_phrase(body, response.stance_phrase)
    lines = [
        f"  # {stance_note(response)}",
        f"  - expert: {_quoted(response.parsed.expert_name)}",
        f"    stance: {_quoted(response.stance.value)}",
        f"    stance_phrase: {_quoted(phrase) if phrase is not None else 'null'}",
    ]
    tagged = [a for a in response.arguments if a.tags and body.count(a.text) == 1]
    untagged = [a for a in response.arguments if a not in tagged]
    lines.append("    arguments:" if tagged else "    arguments: []")
    for argument in tagged:
        lines.extend(
            [
                f"      - text: {_quoted(argument.text)}",
                f"        kind: {_quoted(argument.kind.value)}",
                f"        tags: [{', '.join(_quoted(tag) for tag in argument.tags)}]",
            ]
        )
    for argument in untagged:
        reason = "no tag found" if not argument.tags else "occurs more than once; quote more"
        lines.append(f"      # {reason}: {_quoted(argument.text)}")
    return lines


def _unique_phrase(body: str, phrase: str | None) -> str | None:
    """`phrase`, or the whole sentence it opens when the phrase alone occurs more than once
    in the answer ("No" in "No—as ... Nobody ..."); None if even that is not unique."""
    if phrase is None or body.count(phrase) == 1:
        return phrase
    start = body.find(phrase)
    for sentence_start, sentence_end in sentence_spans(body):
        if sentence_start <= start < sentence_end:
            sentence = body[sentence_start:sentence_end]
            return sentence if body.count(sentence) == 1 else None
    return None


def _quoted(text: str) -> str:
    """A YAML double-quoted scalar (JSON's string syntax is a subset of it)."""
    return json.dumps(text, ensure_ascii=False)
