"""The rules annotator measured against the curated seed roundup, and the measure itself."""

from datetime import date

import pytest

from app.ingest.document import AnnotatedArgument, AnnotatedDocument, AnnotatedResponse
from app.ingest.evaluate import evaluate, report_lines
from app.ingest.files import read_catalog, read_document
from app.ingest.parse import parse
from app.ingest.rules import annotate_rules
from app.models import AnnotationSource, ArgumentKind, Stance
from tests.support.seed_facts import SEED_DIR, SEED_SOURCE


def test_rules_annotator_against_the_curated_seed() -> None:
    """The floor: explicit verdicts exactly right, no guesses elsewhere, tags found."""
    catalog = read_catalog(SEED_DIR)
    curated = read_document(SEED_SOURCE, catalog, SEED_DIR / "annotations")
    rules = annotate_rules(curated.document, catalog.tag_rules, source_sha256="")
    evaluation = evaluate(curated, rules)
    assert [(s.expert, s.curated, s.rules, s.rules_phrase) for s in evaluation.stances] == [
        (
            "Veronica Anghel",
            Stance.YES,
            Stance.YES,
            "Yes, of course Europe should be negotiating with Russia",
        ),
        ("Samuel Greene", Stance.NOT_YET, Stance.NOT_YET, "Yes, but not yet."),
        ("Jana Kobzova", Stance.YES_CONDITIONAL, Stance.UNCLEAR, None),
        ("Alexander Gabuev", Stance.YES, Stance.UNCLEAR, None),
        ("Gwendolyn Sasse", Stance.YES_CONDITIONAL, Stance.UNCLEAR, None),
        ("Stefan Meister", Stance.YES_CONDITIONAL, Stance.UNCLEAR, None),
        ("Eugene Rumer", Stance.YES, Stance.YES, "Yes."),
    ]
    assert [(s.expert, s.correct) for s in evaluation.explicit] == [
        ("Veronica Anghel", True),
        ("Samuel Greene", True),
        ("Eugene Rumer", True),
    ]
    assert evaluation.arguments == 41
    assert evaluation.tag_recall >= 0.6
    assert evaluation.tag_precision >= 0.6


def _argument(body: str, text: str, kind: ArgumentKind, *tags: str) -> AnnotatedArgument:
    start = body.index(text)
    return AnnotatedArgument(
        text=text,
        start=start,
        end=start + len(text),
        kind=kind,
        tags=tags,
        annotation_source=AnnotationSource.CURATED,
    )


def _annotated(
    stance: Stance, arguments: tuple[AnnotatedArgument, ...], text: str = ""
) -> AnnotatedDocument:
    document = parse(
        text
        or "Judy Asks: Is It?\n\nJane Doe\nFellow, Carnegie Europe\n"
        "Sanctions bite. Talks help, and the U.S. agrees. Trade is down.\n",
        published_on=date(2024, 1, 1),
    )
    return AnnotatedDocument(
        document=document,
        annotator=AnnotationSource.CURATED,
        publisher="Carnegie",
        source_url=None,
        source_sha256="",
        responses=(
            AnnotatedResponse(
                parsed=document.responses[0],
                stance=stance,
                stance_phrase=None,
                stance_source=AnnotationSource.CURATED,
                arguments=arguments,
            ),
        ),
    )


def test_tags_are_counted_on_curated_spans() -> None:
    body = "Sanctions bite. Talks help, and the U.S. agrees. Trade is down."
    curated = _annotated(
        Stance.YES,
        (
            _argument(body, "Sanctions bite.", ArgumentKind.CLAIM, "sanctions", "deterrence"),
            _argument(body, "Talks help", ArgumentKind.CLAIM, "negotiation-channel"),
        ),
    )
    guessed = _annotated(
        Stance.UNCLEAR,
        (
            _argument(body, "Sanctions bite.", ArgumentKind.CLAIM, "sanctions"),
            _argument(
                body,
                "Talks help, and the U.S. agrees.",
                ArgumentKind.PREDICTION,
                "negotiation-channel",
                "united-states",
            ),
            # No curated argument covers this sentence, so its tag is not counted at all.
            _argument(body, "Trade is down.", ArgumentKind.CLAIM, "energy-and-trade"),
        ),
    )
    evaluation = evaluate(curated, guessed)
    assert (
        evaluation.tag_true_positives,
        evaluation.tag_false_positives,
        evaluation.tag_false_negatives,
        evaluation.arguments,
        evaluation.kind_agreements,
    ) == (2, 1, 1, 2, 1)
    assert (evaluation.tag_precision, evaluation.tag_recall) == (2 / 3, 2 / 3)
    assert (evaluation.stance_correct, evaluation.explicit) == (0, ())
    assert report_lines("judy-asks-is-it", evaluation) == [
        "evaluate: judy-asks-is-it: rules annotator against the curated annotations",
        "stance: 0 of 1 right (0.00); explicit verdicts: 0 of 0 right; 1 without a verdict"
        " -> unclear",
        "  Jane Doe: curated yes, rules unclear",
        "tags: precision 0.67, recall 0.67 (2 right, 1 extra, 1 missed, over 2 curated arguments)",
        "kinds: 1 of 2 agree (0.50)",
    ]


def test_only_the_same_document_can_be_compared() -> None:
    one = _annotated(Stance.YES, ())
    other = _annotated(
        Stance.YES, (), "Judy Asks: Is It Not?\n\nJane Doe\nFellow, Carnegie Europe\nYes.\n"
    )
    with pytest.raises(ValueError, match="different documents"):
        evaluate(one, other)
