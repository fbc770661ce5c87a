"""Malformed input, synthetic and from the fixture set: each is a ParseError with its line and
its reason."""

from pathlib import Path

import pytest

from app.ingest.errors import ParseError
from app.ingest.parse import parse
from tests.ingest.test_parse import DATED, EXPERT, HEADER

FIXTURES = Path(__file__).parents[1] / "fixtures" / "roundups"


@pytest.mark.parametrize(
    ("text", "line", "reason"),
    [
        ("", 1, "empty file: no title, no experts"),
        ("\n\n   \n", 1, "empty file: no title, no experts"),
        (
            HEADER + EXPERT,
            7,
            "missing 'Published on <Month D, YYYY>' line before the first expert",
        ),
        (
            HEADER + "Published on Smarch 40, 2025\n\n" + EXPERT,
            7,
            "cannot read the date 'Smarch 40, 2025'; expected 'Month D, YYYY'",
        ),
        (DATED, 7, "no expert blocks found (expected a name line)"),
        (
            DATED + "Just a paragraph of text.\n\nAnother one.\n",
            9,
            "expected an expert name followed by an affiliation line, found"
            " 'Just a paragraph of text.'",
        ),
        (
            DATED + "Jane Doe\nSenior Fellow, Carnegie Europe\n\nJohn Roe\nDirector, Carnegie"
            " Europe\nNo. An answer.\n",
            9,
            "expert 'Jane Doe' has no answer paragraphs",
        ),
        (
            "Source: Getty\n",
            1,
            "no title after the source credit",
        ),
        (
            "Taking the Pulse: A Statement\n\nA dek without a question.\n\n"
            "Published on December 4, 2025\n\n" + EXPERT,
            1,
            "no question: the title does not end with '?' and the dek asks none",
        ),
    ],
)
def test_malformed_input(text: str, line: int, reason: str) -> None:
    with pytest.raises(ParseError) as raised:
        parse(text)
    assert (raised.value.line, raised.value.reason) == (line, reason)
    assert str(raised.value) == f"line {line}: {reason}"


MALFORMED = [
    ("expert-without-answer", 6, "expert 'Jane Doe' has no answer paragraphs"),
    (
        "missing-date",
        6,
        "missing 'Published on <Month D, YYYY>' line before the first expert",
    ),
    ("no-experts", 4, "no expert blocks found (expected a name line)"),
    (
        "no-question",
        2,
        "no question: the title does not end with '?' and the dek asks none",
    ),
    ("only-a-comment", 1, "empty file: no title, no experts"),
    (
        "prose-instead-of-experts",
        6,
        "expected an expert name followed by an affiliation line, found"
        " 'Just a paragraph of text.'",
    ),
    ("same-expert-twice", 11, "expert 'Jana Kobzova' appears twice (first on line 6)"),
    ("source-only", 2, "no title after the source credit"),
    ("tweet-this-without-pull-quote", 9, "'Tweet This' with no pull quote above it"),
    ("unreadable-date", 4, "cannot read the date 'Smarch 40, 2025'; expected 'Month D, YYYY'"),
]


@pytest.mark.parametrize(("name", "line", "reason"), MALFORMED)
def test_malformed_fixture(name: str, line: int, reason: str) -> None:
    text = (FIXTURES / "malformed" / f"{name}.txt").read_text(encoding="utf-8")
    with pytest.raises(ParseError) as raised:
        parse(text)
    assert (raised.value.line, raised.value.reason) == (line, reason)


def test_every_malformed_fixture_is_tested() -> None:
    assert sorted(name for name, _, _ in MALFORMED) == sorted(
        path.stem for path in (FIXTURES / "malformed").glob("*.txt")
    )
