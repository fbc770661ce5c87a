"""Affiliation lines split into role, organization, short name, parent and city; names glued
to their affiliation; the fixtures' experts as printed."""

import pytest

from app.ingest.affiliations import split_affiliation
from app.ingest.document import ParsedAffiliation
from app.ingest.parse import parse
from tests.ingest.test_parse import DATED
from tests.ingest.test_parse_layouts import CALLER_DATE, read_fixture


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
