"""The rules' stance reading, measured on the stance test set (tests/fixtures/stances.yaml)."""

from pathlib import Path

import pytest

from app.ingest.evaluate import evaluate_stances, stance_set_lines
from app.ingest.specs import StanceCaseSpec, read_yaml, validate_list
from app.ingest.stance import opening_stance
from app.models import Stance

STANCE_SET = Path(__file__).parents[1] / "fixtures" / "stances.yaml"
CASES = validate_list(StanceCaseSpec, read_yaml(STANCE_SET), STANCE_SET)


def test_the_set_covers_every_stance_and_every_class_of_opening() -> None:
    assert len(CASES) >= 60
    assert {case.stance for case in CASES} == set(Stance)
    assert {case.kind for case in CASES} == {
        "bare verdict",
        "verdict and dash",
        "verdict after a preamble",
        "embedded verdict",
        "the answer is",
        "conditional",
        "not yet",
        "mixed",
        "hedge",
        "counter-question",
        "rejects the premise",
        "no verdict",
        "held out",
        "probe",
    }
    assert len({case.opening for case in CASES}) == len(CASES)


def test_floor_on_the_stance_set() -> None:
    """Every verdict the rules give is right; `unclear` is the only way to miss."""
    evaluation = evaluate_stances(CASES)
    assert evaluation.precision == 1.0
    assert evaluation.accuracy >= 0.95
    assert [(c.line, c.expected, c.rules) for c in evaluation.cases if not c.correct] == [
        (325, Stance.MIXED, Stance.UNCLEAR),
        (331, Stance.MIXED, Stance.UNCLEAR),
        (369, Stance.NOT_YET, Stance.UNCLEAR),
        (387, Stance.MIXED, Stance.UNCLEAR),
        (390, Stance.NO, Stance.UNCLEAR),
    ]


def test_report_lines() -> None:
    cases = [
        StanceCaseSpec.model_validate(
            {"__line__": line, "opening": opening, "stance": stance, "class": kind}
        )
        for line, opening, stance, kind in (
            (1, "No - as ever.", "no", "dash"),
            (4, "Well, yes and no.", "mixed", "mixed"),
            (7, "Perhaps.", "unclear", "hedge"),
        )
    ]
    assert stance_set_lines("set.yaml", evaluate_stances(cases)) == [
        "evaluate: stance set set.yaml: rules annotator against 3 openings",
        "stance set: 2 of 3 right (0.67); verdicts: 1 of 1 right (precision 1.00); 2 read as"
        " unclear",
        "  by class: dash 1/1, mixed 0/1, hedge 1/1",
        "  set.yaml:4: reader mixed, rules unclear: 'Well, yes and no.'",
    ]


@pytest.mark.parametrize(
    ("body", "stance", "phrase"),
    [
        # The phrase is cut at a dash, a spaced hyphen or a double hyphen, not inside a word.
        ("No - as ever, the details matter.", Stance.NO, "No"),
        ("No -- the vetoes stay.", Stance.NO, "No"),
        ("No—as the record shows.", Stance.NO, "No"),
        ("Yes-men will not fix this.", Stance.UNCLEAR, None),
        # A bare verdict keeps the qualifier after its dash.
        ("Yes—but only if Ankara acts.", Stance.YES_CONDITIONAL, "Yes—but only if Ankara acts."),
        ("Yes—but the cost is high.", Stance.UNCLEAR, "Yes—but the cost is high."),
        # A verdict that closes the opening or sits between commas.
        (
            "In the eyes of most citizens, clearly not.",
            Stance.NO,
            "In the eyes of most citizens, clearly not.",
        ),
        (
            "Despite everything, no, it is clearly not doing enough.",
            Stance.NO,
            "Despite everything, no, it is clearly not doing enough.",
        ),
        ("Despite everything, no, but it is trying.", Stance.UNCLEAR, None),
        ("Sadly, yes, it is not enough.", Stance.UNCLEAR, None),
        ("If Washington leaves, no, Europe cannot cope.", Stance.UNCLEAR, None),
        # The answer given as an answer.
        (
            "For Europe, the answer is “it should.”",
            Stance.YES,
            "For Europe, the answer is “it should.”",
        ),
        ("The answer is simple: no.", Stance.NO, "The answer is simple: no."),
        ("The answer is not simple.", Stance.UNCLEAR, None),
        ("Whether the answer is yes, nobody knows.", Stance.UNCLEAR, None),
        # A question first: the verdict, if any, follows it (up to two questions).
        ("First, the more important question: should they?", Stance.UNCLEAR, None),
        ("Should they? No. The costs are too high.", Stance.NO, "No."),
        ("Why? Why not? Why now? Yes.", Stance.UNCLEAR, None),
        # "No, no" is not "no and yes"; "Of course, ..." is a turn of phrase, not a verdict.
        ("No, no, and no.", Stance.NO, "No, no, and no."),
        ("Of course, much depends on Berlin.", Stance.UNCLEAR, None),
        ("Yes, though not as proposed.", Stance.UNCLEAR, "Yes, though not as proposed."),
        # Found by probing: each was a wrong verdict before.
        ("Yes, no, maybe: the debate is stuck.", Stance.UNCLEAR, "Yes, no, maybe"),
        ("In many ways, no—but that is not the point.", Stance.UNCLEAR, None),
        ("The short answer is yes; the long answer is no.", Stance.UNCLEAR, None),
        (
            "Yes, definitely, but only if Berlin pays.",
            Stance.YES_CONDITIONAL,
            "Yes, definitely, but only if Berlin pays.",
        ),
    ],
)
def test_opening_stance(body: str, stance: Stance, phrase: str | None) -> None:
    assert opening_stance(body) == (stance, phrase)
