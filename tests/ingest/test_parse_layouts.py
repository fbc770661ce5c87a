"""The parser on the synthetic fixture set: every layout the series has used, each parsed to
its expected document."""

import json
from datetime import date
from pathlib import Path

import pytest

from app.ingest.parse import parse

FIXTURES = Path(__file__).parents[1] / "fixtures" / "roundups"
CALLER_DATE = date(2024, 1, 15)
FIXTURE_NAMES = [
    "affiliation-forms",
    "boilerplate-dek-twice",
    "date-forms",
    "date-with-byline",
    "glued-names",
    "judy-asks-two-blank-lines",
    "no-organization",
    "no-series-question-in-dek",
    "noise-lines",
    "one-line-names",
    "quoted-answers",
    "related-article-cards",
    "shaped-organizations",
    "single-newlines",
    "taking-the-pulse-minimal",
    "trailers",
    "verdicts",
]


def read_fixture(name: str) -> str:
    return (FIXTURES / f"{name}.txt").read_text(encoding="utf-8")


def test_fixture_set() -> None:
    assert sorted(path.stem for path in FIXTURES.glob("*.txt")) == FIXTURE_NAMES
    assert sorted(path.stem for path in (FIXTURES / "expected").glob("*.json")) == FIXTURE_NAMES
    for path in FIXTURES.rglob("*.txt"):
        first_line = path.read_text(encoding="utf-8").split("\n", 1)[0]
        assert first_line.startswith("# Synthetic "), path


@pytest.mark.parametrize("name", FIXTURE_NAMES)
def test_fixture_parses_to_the_expected_document(name: str) -> None:
    expected = json.loads((FIXTURES / "expected" / f"{name}.json").read_text(encoding="utf-8"))
    document = parse(read_fixture(name), published_on=CALLER_DATE)
    assert document.model_dump(mode="json") == expected


@pytest.mark.parametrize(
    ("name", "header"),
    [
        (
            "judy-asks-two-blank-lines",
            (
                "Judy Asks",
                "Is Europe Ready to Share Its Power Grid?",
                True,
                date(2024, 3, 5),
                "Example Photo Agency",
                "Carnegie",
            ),
        ),
        (
            "no-series-question-in-dek",
            (
                None,
                "Should the U.S. and the EU build a joint fertilizer reserve?",
                True,
                date(2023, 6, 12),
                None,
                None,
            ),
        ),
        (
            "taking-the-pulse-minimal",
            (
                "Taking the Pulse",
                "Can Small States Shape EU Trade Policy?",
                False,
                CALLER_DATE,
                None,
                None,
            ),
        ),
        (
            "single-newlines",
            (
                "Taking the Pulse",
                "Should Europe Fund Its Own Satellites?",
                True,
                date(2025, 1, 9),
                "Example Photo Agency",
                None,
            ),
        ),
    ],
)
def test_fixture_headers(
    name: str, header: tuple[str | None, str, bool, date, str | None, str | None]
) -> None:
    document = parse(read_fixture(name), published_on=CALLER_DATE)
    assert (
        document.series,
        document.question,
        document.dek is not None,
        document.published_on,
        document.image_credit,
        document.publisher,
    ) == header


def test_caller_date_does_not_override_a_printed_one() -> None:
    document = parse(read_fixture("judy-asks-two-blank-lines"), published_on=CALLER_DATE)
    assert document.published_on == date(2024, 3, 5)


def test_noise_lines_are_dropped() -> None:
    document = parse(read_fixture("noise-lines"))
    assert [response.paragraphs for response in document.responses] == [
        (
            "Yes. Night trains and cross-border lines are popular again.",
            "Building them takes a decade, so planning should start now.",
        ),
        (
            "No. The money is better spent on existing lines.",
            "Repairs would help more travellers sooner than new links would.",
        ),
    ]
    assert document.disclaimer is not None


def test_single_newline_paragraphs() -> None:
    document = parse(read_fixture("single-newlines"))
    assert [response.paragraphs for response in document.responses] == [
        (
            "Yes. A shared constellation would serve weather services, farmers, and emergency"
            " crews.",
            "The budget question can be solved with a joint fund.",
            "Members already pool money for research, so the model exists.",
        ),
        (
            "The cost estimates vary widely, and the first launches would not happen before 2030.",
            "A pilot with two satellites would show whether the numbers hold.",
        ),
    ]
