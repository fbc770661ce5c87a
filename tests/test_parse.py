"""The parser on the seed roundup, on affiliation lines, and on malformed input."""

from datetime import date

import pytest

from app.ingest.affiliations import split_affiliation
from app.ingest.document import ParsedAffiliation
from app.ingest.errors import ParseError
from app.ingest.parse import parse
from tests.conftest import SEED_SOURCE


@pytest.fixture(scope="module")
def seed_text() -> str:
    return SEED_SOURCE.read_text(encoding="utf-8")


def test_seed_header(seed_text: str) -> None:
    document = parse(seed_text)
    assert document.model_dump(exclude={"responses"}) == {
        "slug": "taking-the-pulse-should-europe-negotiate-with-russia",
        "series": "Taking the Pulse",
        "title": "Taking the Pulse: Should Europe Negotiate with Russia?",
        "question": "Should Europe Negotiate with Russia?",
        "dek": (
            "By negotiating directly with the Kremlin, the Trump administration has broken the"
            " taboo on diplomatic contacts with Russia. With Ukrainian and European security at"
            " stake, is it time for Brussels to open its own communication channel to Moscow?"
        ),
        "published_on": date(2025, 12, 4),
        "image_credit": "Getty",
        "disclaimer": (
            "Carnegie does not take institutional positions on public policy issues; the views"
            " represented herein are those of the author(s) and do not necessarily reflect the"
            " views of Carnegie, its staff, or its trustees."
        ),
        "publisher": "Carnegie",
    }


def test_seed_experts_as_printed(seed_text: str) -> None:
    document = parse(seed_text)
    assert [
        (r.expert_name, r.line, [(a.role, a.organization, a.parent) for a in r.affiliations])
        for r in document.responses
    ] == [
        (
            "Veronica Anghel",
            9,
            [
                (
                    "Assistant Professor",
                    "Robert Schuman Centre for Advanced Studies",
                    "European University Institute",
                )
            ],
        ),
        ("Samuel Greene", 22, [("Professor of Russian Politics", "King’s College London", None)]),
        (
            "Jana Kobzova",
            35,
            [("Senior Policy Fellow", "European Council on Foreign Relations", None)],
        ),
        ("Alexander Gabuev", 46, [("Director", "Carnegie Russia Eurasia Center", None)]),
        ("Gwendolyn Sasse", 55, [("Nonresident Senior Fellow", "Carnegie Europe", None)]),
        (
            "Stefan Meister",
            66,
            [
                (
                    "Head of the Center for Order and Governance in Eastern Europe, Russia and"
                    " Central Asia",
                    "German Council on Foreign Relations",
                    None,
                )
            ],
        ),
        (
            "Eugene Rumer",
            77,
            [
                ("Senior Fellow", "Carnegie Endowment for International Peace", None),
                (
                    "Director of the Russia Eurasia Program",
                    "Carnegie Endowment for International Peace",
                    None,
                ),
            ],
        ),
    ]


def test_seed_paragraphs_are_verbatim(seed_text: str) -> None:
    document = parse(seed_text)
    assert [len(r.paragraphs) for r in document.responses] == [4, 4, 3, 2, 3, 3, 2]
    for response in document.responses:
        for paragraph in response.paragraphs:
            assert paragraph in seed_text
    greene = document.responses[1]
    assert greene.paragraphs[0] == "Yes, but not yet."
    assert "King’s College London" in greene.affiliation_line
    rumer = document.responses[-1]
    assert rumer.paragraphs[-1].endswith("then Europe should speak both.")
    assert "Carnegie does not" not in rumer.body
    assert "make Russia\u00a0want\u00a0to negotiate" in rumer.body


@pytest.mark.parametrize("separator", ["", " ", "\n"])
def test_disclaimer_glued_to_the_last_paragraph(seed_text: str, separator: str) -> None:
    glued = seed_text.replace(
        "speak both.\n\nCarnegie does", f"speak both.{separator}Carnegie does"
    )
    assert glued != seed_text
    document = parse(glued)
    assert document.responses[-1].paragraphs[-1].endswith("then Europe should speak both.")
    assert document.disclaimer is not None
    assert document.disclaimer.startswith("Carnegie does not take institutional positions")


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            "Professor of Russian Politics, King’s College London",
            [("Professor of Russian Politics", "King’s College London", None, None, None)],
        ),
        (
            "Assistant Professor, Robert Schuman Centre for Advanced Studies, European University"
            " Institute",
            [
                (
                    "Assistant Professor",
                    "Robert Schuman Centre for Advanced Studies",
                    None,
                    "European University Institute",
                    None,
                )
            ],
        ),
        (
            "Head of the Center for Order and Governance in Eastern Europe, Russia and Central"
            " Asia, German Council on Foreign Relations (DGAP)",
            [
                (
                    "Head of the Center for Order and Governance in Eastern Europe, Russia and"
                    " Central Asia",
                    "German Council on Foreign Relations",
                    "DGAP",
                    None,
                    None,
                )
            ],
        ),
        (
            "Senior Fellow and Director of the Russia Eurasia Program, Carnegie Endowment for"
            " International Peace",
            [
                ("Senior Fellow", "Carnegie Endowment for International Peace", None, None, None),
                (
                    "Director of the Russia Eurasia Program",
                    "Carnegie Endowment for International Peace",
                    None,
                    None,
                    None,
                ),
            ],
        ),
        (
            "Senior Fellow at Carnegie Europe",
            [("Senior Fellow", "Carnegie Europe", None, None, None)],
        ),
        (
            "Director of Carnegie Europe",
            [("Director", "Carnegie Europe", None, None, None)],
        ),
        (
            "Research Fellow at the Center for Strategic Studies at Example University",
            [("Research Fellow", "Center for Strategic Studies", None, "Example University", None)],
        ),
        (
            "Senior Research Fellow, International Centre for Defence and Security, Tallinn",
            [
                (
                    "Senior Research Fellow",
                    "International Centre for Defence and Security",
                    None,
                    None,
                    "Tallinn",
                )
            ],
        ),
    ],
)
def test_split_affiliation(
    line: str, expected: list[tuple[str, str, str | None, str | None, str | None]]
) -> None:
    assert split_affiliation(line, 1) == tuple(
        ParsedAffiliation(role=r, organization=o, short_name=s, parent=p, city=c)
        for r, o, s, p, c in expected
    )


HEADER = "Source: Getty\n\nTaking the Pulse: Is This a Test?\n\nA dek.\n\n"
DATED = HEADER + "Published on December 4, 2025\n\n"
EXPERT = "Jane Doe\n\nSenior Fellow, Carnegie Europe\n\nYes. An answer.\n"


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
        (
            DATED + "Jane Doe\nIndependent consultant\nYes. An answer.\n",
            10,
            "cannot find an organization in the affiliation 'Independent consultant'",
        ),
    ],
)
def test_malformed_input(text: str, line: int, reason: str) -> None:
    with pytest.raises(ParseError) as raised:
        parse(text)
    assert (raised.value.line, raised.value.reason) == (line, reason)
    assert str(raised.value) == f"line {line}: {reason}"


def test_missing_date_supplied_by_caller() -> None:
    document = parse(HEADER + EXPERT, published_on=date(2024, 1, 31))
    assert document.published_on == date(2024, 1, 31)
    assert [r.expert_name for r in document.responses] == ["Jane Doe"]
