"""The rules annotator: stance from the opening words, sentence units, kinds and tags."""

from pathlib import Path

import pytest

from app.ingest.document import AnnotatedArgument
from app.ingest.errors import SourceError
from app.ingest.files import read_catalog
from app.ingest.parse import parse
from app.ingest.rules import annotate_rules, argument_kind, arguments
from app.ingest.stance import opening_stance
from app.models import AnnotationSource, ArgumentKind, Stance
from tests.support.seed_facts import SEED_DIR

FIXTURES = Path(__file__).parents[1] / "fixtures" / "roundups"
RULES = read_catalog(SEED_DIR).tag_rules
CLAIM, CONDITION = ArgumentKind.CLAIM, ArgumentKind.CONDITION
PREDICTION, RECOMMENDATION = ArgumentKind.PREDICTION, ArgumentKind.RECOMMENDATION


@pytest.mark.parametrize(
    ("body", "stance", "phrase"),
    [
        ("Yes. Forests store carbon.", Stance.YES, "Yes."),
        ("No. Planting is the easy part.", Stance.NO, "No."),
        ("No—the land is needed for farming.", Stance.NO, "No"),
        ("Yes, but not yet.\n\nNurseries are empty.", Stance.NOT_YET, "Yes, but not yet."),
        ("Not yet. First the rules.", Stance.NOT_YET, "Not yet."),
        ("No and yes. Europe should not.", Stance.MIXED, "No and yes."),
        ("Yes and no.", Stance.MIXED, "Yes and no."),
        ("Clearly not. The money is better spent.", Stance.NO, "Clearly not."),
        ("Absolutely not.", Stance.NO, "Absolutely not."),
        ("Of course. Talking is cheap.", Stance.YES, "Of course."),
        (
            "Yes, of course Europe should be negotiating with Russia—but not at any price.",
            Stance.YES,
            "Yes, of course Europe should be negotiating with Russia",
        ),
        (
            "Yes, if farmers are paid for the land.",
            Stance.YES_CONDITIONAL,
            "Yes, if farmers are paid for the land.",
        ),
        (
            "Yes, but only if the rules change.",
            Stance.YES_CONDITIONAL,
            "Yes, but only if the rules change.",
        ),
        # Hedged verdicts are unclear, with the hedge as the phrase.
        ("Perhaps. It depends.", Stance.UNCLEAR, "Perhaps."),
        ("It depends on the region.", Stance.UNCLEAR, None),
        ("It depends. On the region.", Stance.UNCLEAR, "It depends."),
        ("Yes, but the price is high.", Stance.UNCLEAR, "Yes, but the price is high."),
        ("No, but talks may help.", Stance.UNCLEAR, "No, but talks may help."),
        # No verdict: unclear, no phrase, however the answer leans.
        ("Europe should be at the table.", Stance.UNCLEAR, None),
        ("No one expects a deal.", Stance.UNCLEAR, None),
        ("Absolutely nothing has changed.", Stance.UNCLEAR, None),
        ("Yesterday the talks failed.", Stance.UNCLEAR, None),
        ("", Stance.UNCLEAR, None),
    ],
)
def test_opening_stance(body: str, stance: Stance, phrase: str | None) -> None:
    assert opening_stance(body) == (stance, phrase)


@pytest.mark.parametrize(
    ("sentence", "kind"),
    [
        ("Europe should be at the table.", ArgumentKind.RECOMMENDATION),
        ("Brussels must commit to a program.", ArgumentKind.RECOMMENDATION),
        ("Europe ought to act.", ArgumentKind.RECOMMENDATION),
        ("This can change only if the Europeans act.", ArgumentKind.CONDITION),
        ("Unless Europe acts, nothing changes.", ArgumentKind.CONDITION),
        ("If talks fail, Europe should act.", ArgumentKind.CONDITION),
        ("Russia will oppose it.", ArgumentKind.PREDICTION),
        ("Empty dialogue won't fix anything.", ArgumentKind.PREDICTION),
        (
            "Brussels must commit to a program that will signal resolve.",
            ArgumentKind.RECOMMENDATION,
        ),
        ("Sanctions continue to dent the economy.", ArgumentKind.CLAIM),
        ("A coalition of the willing is forming.", ArgumentKind.CLAIM),
    ],
)
def test_argument_kind(sentence: str, kind: ArgumentKind) -> None:
    assert argument_kind(sentence) == kind


def test_arguments_are_sentences_with_spans_kinds_and_tags() -> None:
    body = (
        "Yes. Europe should tighten sanctions on Russia’s\u00a0oil exports.\n\n"
        "If the U.S. walks away, Beijing will gain. Talks are not enough."
    )
    found = arguments(body, RULES)
    assert found == (
        AnnotatedArgument(
            text="Europe should tighten sanctions on Russia’s\u00a0oil exports.",
            start=5,
            end=61,
            kind=ArgumentKind.RECOMMENDATION,
            tags=("sanctions", "energy-and-trade"),
            annotation_source=AnnotationSource.RULES,
        ),
        AnnotatedArgument(
            text="If the U.S. walks away, Beijing will gain.",
            start=63,
            end=105,
            kind=ArgumentKind.CONDITION,
            tags=("united-states", "china"),
            annotation_source=AnnotationSource.RULES,
        ),
        AnnotatedArgument(
            text="Talks are not enough.",
            start=106,
            end=127,
            kind=ArgumentKind.CLAIM,
            tags=(),
            annotation_source=AnnotationSource.RULES,
        ),
    )
    for argument in found:
        assert body[argument.start : argument.end] == argument.text


def test_verdicts_fixture() -> None:
    document = parse((FIXTURES / "verdicts.txt").read_text(encoding="utf-8"))
    annotated = annotate_rules(document, RULES, source_sha256="0" * 64)
    assert (annotated.annotator, annotated.publisher) == (AnnotationSource.RULES, "unknown")
    assert [
        (r.parsed.expert_name, r.stance, r.stance_phrase, r.stance_source)
        for r in annotated.responses
    ] == [
        ("Anna Berg", Stance.YES, "Yes.", AnnotationSource.RULES),
        ("Bruno Costa", Stance.NO, "No.", AnnotationSource.RULES),
        ("Clara Diaz", Stance.NO, "No", AnnotationSource.RULES),
        ("Daniel Eriksen", Stance.NOT_YET, "Yes, but not yet.", AnnotationSource.RULES),
        ("Eva Fischer", Stance.MIXED, "No and yes.", AnnotationSource.RULES),
        ("Filip Grabowski", Stance.NO, "Clearly not.", AnnotationSource.RULES),
        ("Greta Hansen", Stance.UNCLEAR, None, AnnotationSource.RULES),
        (
            "Hugo Ibsen",
            Stance.YES_CONDITIONAL,
            "Yes, if farmers are paid for the land they give up.",
            AnnotationSource.RULES,
        ),
        ("Ines Jensen", Stance.UNCLEAR, "Perhaps.", AnnotationSource.RULES),
    ]
    # An opening sentence that is only a verdict is not an argument; one that goes on is.
    assert [[(a.text, a.kind) for a in r.arguments] for r in annotated.responses] == [
        [("Forests store carbon and should be planted where soil allows.", RECOMMENDATION)],
        [("Planting is the easy part; the hard part is keeping forests healthy.", CLAIM)],
        [
            ("No—the land is needed for farming.", CLAIM),
            ("Governments will have to choose.", PREDICTION),
        ],
        [("Nurseries cannot supply enough seedlings before 2027.", CLAIM)],
        [("Europe should not plant monocultures, but mixed forests are welcome.", RECOMMENDATION)],
        [("The money is better spent protecting old forests.", CLAIM)],
        [
            ("Forests cover more than a third of the EU already.", CLAIM),
            ("Planting more is only useful if the trees survive.", CONDITION),
        ],
        [("Yes, if farmers are paid for the land they give up.", CONDITION)],
        [("It depends on the region and on the water supply.", CLAIM)],
    ]


def test_a_new_tag_is_a_data_change(seed_copy: Path) -> None:
    tags = seed_copy / "tags.yaml"
    tags.write_text(
        tags.read_text(encoding="utf-8")
        + '- slug: "forests"\n  label: "Forests"\n  category: "environment"\n'
        '  description: "Forests and tree planting."\n'
        "  patterns: ['\\bforest', '\\btrees?\\b']\n",
        encoding="utf-8",
    )
    rules = read_catalog(seed_copy).tag_rules
    document = parse((FIXTURES / "verdicts.txt").read_text(encoding="utf-8"))
    tagged = [
        argument.text
        for response in annotate_rules(document, rules, source_sha256="0" * 64).responses
        for argument in response.arguments
        if "forests" in argument.tags
    ]
    assert tagged == [
        "Forests store carbon and should be planted where soil allows.",
        "Planting is the easy part; the hard part is keeping forests healthy.",
        "Europe should not plant monocultures, but mixed forests are welcome.",
        "The money is better spent protecting old forests.",
        "Forests cover more than a third of the EU already.",
        "Planting more is only useful if the trees survive.",
    ]


def test_a_bad_pattern_names_its_line(seed_copy: Path) -> None:
    tags = seed_copy / "tags.yaml"
    text = tags.read_text(encoding="utf-8")
    assert "    - '\\bembargo'\n" in text
    tags.write_text(text.replace("    - '\\bembargo'\n", "    - '\\bembargo('\n"), encoding="utf-8")
    with pytest.raises(SourceError) as raised:
        read_catalog(seed_copy)
    assert (raised.value.path, raised.value.line) == (str(tags), 16)
    assert raised.value.reason == (
        "patterns: Value error, invalid regular expression '\\\\bembargo(':"
        " missing ), unterminated subpattern at position 9"
    )
