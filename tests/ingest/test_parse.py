"""The parser on the seed roundup, as printed and re-laid-out, and on short synthetic texts."""

from datetime import date

import pytest

from app.ingest.document import RoundupDocument
from app.ingest.parse import parse
from tests.support.seed_facts import SEED_SOURCE


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


HEADER = "Source: Getty\n\nTaking the Pulse: Is This a Test?\n\nA dek.\n\n"
DATED = HEADER + "Published on December 4, 2025\n\n"
EXPERT = "Jane Doe\n\nSenior Fellow, Carnegie Europe\n\nYes. An answer.\n"


def test_missing_date_supplied_by_caller() -> None:
    document = parse(HEADER + EXPERT, published_on=date(2024, 1, 31))
    assert document.published_on == date(2024, 1, 31)
    assert [r.expert_name for r in document.responses] == ["Jane Doe"]


def _without_lines(document: RoundupDocument) -> dict[str, object]:
    dumped = document.model_dump()
    for response in dumped["responses"]:
        del response["line"]
    return dumped


SEED_NAMES = [
    ("Veronica Anghel", "Assistant Professor"),
    ("Samuel Greene", "Professor of Russian Politics"),
    ("Jana Kobzova", "Senior Policy Fellow"),
    ("Alexander Gabuev", "Director, Carnegie"),
    ("Gwendolyn Sasse", "Nonresident Senior Fellow"),
    ("Stefan Meister", "Head of the Center"),
    ("Eugene Rumer", "Senior Fellow and Director"),
]


@pytest.mark.parametrize(
    "variant",
    ["single newlines", "two blank lines", "glued names", "noise lines", "no source line"],
)
def test_seed_layout_variants_parse_the_same(seed_text: str, variant: str) -> None:
    """The seed roundup, re-laid-out, gives the same document (line numbers aside)."""
    if variant == "single newlines":
        changed = seed_text.replace("\n\n\n", "\n").replace("\n\n", "\n")
    elif variant == "two blank lines":
        changed = seed_text.replace("\n\n", "\n\n\n")
    elif variant == "glued names":
        changed = seed_text
        for name, role in SEED_NAMES:
            changed = changed.replace(f"{name}\n\n{role}", f"{name}{role}")
    elif variant == "noise lines":
        changed = seed_text.replace(
            "In other words, first things first.",
            "In other words, first things first.\n\n“First things first.”\n\nTweet This\n\n"
            "Read more: Taking the Pulse archive",
        ).replace("an open question.", "an open question.\nRead More")
    else:
        changed = seed_text.removeprefix("Source: Getty\n\n")
    assert changed != seed_text
    expected = _without_lines(parse(seed_text))
    if variant == "no source line":
        expected["image_credit"] = None
    assert _without_lines(parse(changed)) == expected


def test_question_sentence_with_abbreviations_in_the_dek() -> None:
    document = parse(
        "Europe and Trade\n\nThe U.S. sets tariffs. Will the E.U. answer in kind? Nobody knows.\n\n"
        "Published on December 4, 2025\n\n" + EXPERT
    )
    assert document.question == "Will the E.U. answer in kind?"
