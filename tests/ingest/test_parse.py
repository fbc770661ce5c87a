"""The parser on the seed roundup, on the synthetic fixture set (every layout the series has
used), on affiliation lines, and on malformed input."""

import json
from datetime import date
from pathlib import Path

import pytest

from app.ingest.affiliations import split_affiliation
from app.ingest.document import ParsedAffiliation, RoundupDocument
from app.ingest.errors import ParseError
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
        (
            "Senior Fellow at the Finnish Institute of International Affairs, Helsinki",
            [
                (
                    "Senior Fellow",
                    "Finnish Institute of International Affairs",
                    None,
                    None,
                    "Helsinki",
                )
            ],
        ),
        (
            "Director of Carnegie Europe, Brussels",
            [("Director", "Carnegie Europe", None, None, "Brussels")],
        ),
        (
            "Director of Studies, Notre Europe",
            [("Director of Studies", "Notre Europe", None, None, None)],
        ),
        (
            "Senior Research Fellow, International Centre for Defence and Security (ICDS), Tallinn",
            [
                (
                    "Senior Research Fellow",
                    "International Centre for Defence and Security",
                    "ICDS",
                    None,
                    "Tallinn",
                )
            ],
        ),
        (
            "Director of the Baltic Institute for Strategic Dialogue",
            [("Director", "Baltic Institute for Strategic Dialogue", None, None, None)],
        ),
        (
            "Senior Researcher of the Nordic Energy Forum (NEF), Oslo",
            [("Senior Researcher", "Nordic Energy Forum", "NEF", None, "Oslo")],
        ),
        (
            "Director of the Example Arctic Centre at Example University",
            [("Director", "Example Arctic Centre", None, "Example University", None)],
        ),
        (
            "Professor of Economics at Example University",
            [("Professor of Economics", "Example University", None, None, None)],
        ),
        (
            "Professor of the History of Ideas",
            [("Professor of the History of Ideas", None, None, None, None)],
        ),
        *(
            (line, [(line, None, None, None, None)])
            for line in (
                "Independent foreign and security policy analyst",
                "Former ambassador to NATO",
                "Member of the European Parliament (Greens/EFA, Germany)",
                "Journalist and author",
            )
        ),
    ],
)
def test_split_affiliation(
    line: str, expected: list[tuple[str, str | None, str | None, str | None, str | None]]
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


@pytest.mark.parametrize(
    ("name", "experts"),
    [
        (
            "affiliation-forms",
            [
                ("Anna Berg", [("Senior Fellow", "Carnegie Europe", None, None, None)]),
                (
                    "Bruno Costa",
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
                ("Clara Diaz", [("Senior Fellow", "Carnegie Europe", None, None, None)]),
                (
                    "Daniel Eriksen",
                    [
                        (
                            "Research Fellow",
                            "Center for Strategic Studies",
                            None,
                            "Example University",
                            None,
                        )
                    ],
                ),
                ("Eva Fischer", [("Director", "Carnegie Europe", None, None, None)]),
                (
                    "Filip Grabowski",
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
                (
                    "Greta Hansen",
                    [
                        (
                            "Head of the Center for Order and Governance in Eastern Europe,"
                            " Russia and Central Asia",
                            "German Council on Foreign Relations",
                            "DGAP",
                            None,
                            None,
                        )
                    ],
                ),
                (
                    "Hugo Ibsen",
                    [
                        (
                            "Senior Fellow",
                            "Carnegie Endowment for International Peace",
                            None,
                            None,
                            None,
                        ),
                        (
                            "Director of the Europe Program",
                            "Carnegie Endowment for International Peace",
                            None,
                            None,
                            None,
                        ),
                    ],
                ),
            ],
        ),
        (
            "glued-names",
            [
                ("Jane Doe", [("Senior fellow", "Carnegie Europe", None, None, None)]),
                ("Ian McAllister", [("Director", "Example Institute", None, None, None)]),
                (
                    "Élodie Martin",
                    [("Professor of Economics", "Example University", None, None, None)],
                ),
                (
                    "Jana Kobzová",
                    [
                        (
                            "Senior Policy Fellow",
                            "European Council on Foreign Relations",
                            None,
                            None,
                            None,
                        )
                    ],
                ),
            ],
        ),
        (
            "no-series-question-in-dek",
            [
                (
                    "Pieter van der Berg",
                    [
                        (
                            "Research Fellow",
                            "Center for Strategic Studies",
                            None,
                            "Example University",
                            None,
                        )
                    ],
                ),
                ("Ana Sousa", [("Senior Analyst", "European Policy Centre", "EPC", None, None)]),
                (
                    "Tomasz Wróbel",
                    [
                        (
                            "Nonresident Scholar",
                            "Polish Institute of International Affairs",
                            None,
                            None,
                            "Warsaw",
                        )
                    ],
                ),
            ],
        ),
        (
            "single-newlines",
            [
                (
                    "Karin Holm",
                    [
                        (
                            "Head of the Program on Space, Energy and Climate",
                            "Example Institute for Policy Research",
                            None,
                            None,
                            "Tallinn",
                        )
                    ],
                ),
                (
                    "David Okafor",
                    [
                        (
                            "Senior Fellow",
                            "International Institute for Strategic Studies",
                            None,
                            None,
                            None,
                        )
                    ],
                ),
            ],
        ),
    ],
)
def test_fixture_experts_and_affiliations(
    name: str,
    experts: list[tuple[str, list[tuple[str, str, str | None, str | None, str | None]]]],
) -> None:
    document = parse(read_fixture(name), published_on=CALLER_DATE)
    assert [
        (
            response.expert_name,
            [
                (a.role, a.organization, a.short_name, a.parent, a.city)
                for a in response.affiliations
            ],
        )
        for response in document.responses
    ] == experts


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


@pytest.mark.parametrize(
    ("line", "name", "affiliation"),
    [
        (
            "Jane DoeSenior fellow at Carnegie Europe",
            "Jane Doe",
            "Senior fellow at Carnegie Europe",
        ),
        (
            "Michael McFaulSenior Fellow, Example Institution",
            "Michael McFaul",
            "Senior Fellow, Example Institution",
        ),
        (
            "Ian McAllister DoeDirector of Carnegie Europe",
            "Ian McAllister Doe",
            "Director of Carnegie Europe",
        ),
        (
            "Anne-Marie DupontCEO, Example Foundation",
            "Anne-Marie Dupont",
            "CEO, Example Foundation",
        ),
        (
            "Ulrich von der BergProfessor, Example University",
            "Ulrich von der Berg",
            "Professor, Example University",
        ),
    ],
)
def test_glued_name_and_affiliation(line: str, name: str, affiliation: str) -> None:
    document = parse(DATED + f"{line}\n\nYes. An answer.\n")
    assert [(r.expert_name, r.affiliation_line, r.line) for r in document.responses] == [
        (name, affiliation, 9)
    ]


def test_question_sentence_with_abbreviations_in_the_dek() -> None:
    document = parse(
        "Europe and Trade\n\nThe U.S. sets tariffs. Will the E.U. answer in kind? Nobody knows.\n\n"
        "Published on December 4, 2025\n\n" + EXPERT
    )
    assert document.question == "Will the E.U. answer in kind?"


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
