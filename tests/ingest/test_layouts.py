"""The layouts of the series' older and reposted pages: every one parses and loads."""

import io
from datetime import date
from pathlib import Path

import pytest
from sqlmodel import Session, col, select

from app.ingest.errors import ParseError
from app.ingest.files import annotated_document, read_catalog
from app.ingest.importer import Transaction, expand, import_sources
from app.ingest.parse import parse
from app.models import Answer, Argument
from tests.support.seed_facts import SEED_DIR

FIXTURES = Path(__file__).parents[1] / "fixtures" / "roundups"
CATALOG = read_catalog(SEED_DIR)
HEADER = "Judy Asks: Is This a Test?\n\n"
EXPERTS = "Jane Doe\nSenior fellow at Carnegie Europe\nYes. An answer.\n"
BOILERPLATE = [
    "A selection of experts answer a new question from Judy Dempsey on the foreign and"
    " security policy challenges shaping Europe’s role in the world.",
    "Every week, a selection of leading experts answer a new question from Judy Dempsey on the"
    " foreign and security policy challenges shaping Europe’s role in the world.",
    "Every week leading experts answer a new question from Judy Dempsey on the foreign and"
    " security policy challenges shaping Europe’s role in the world.",
]


def test_import_of_the_fixture_folder_loads_every_file(transaction: Transaction) -> None:
    names = expand([str(FIXTURES)])
    assert len(names) == len(list(FIXTURES.glob("*.txt")))
    results = list(
        import_sources(
            names,
            catalog=CATALOG,
            annotations_dir=SEED_DIR / "annotations",
            transaction=transaction,
            stdin=io.BytesIO(),
            published_on=date(2024, 1, 15),
        )
    )
    assert [(Path(r.source).name, r.status) for r in results] == [
        (Path(name).name, "inserted") for name in names
    ]


def test_every_stored_span_is_exact(transaction: Transaction, session: Session) -> None:
    list(
        import_sources(
            [str(path) for path in sorted(FIXTURES.glob("*.txt"))],
            catalog=CATALOG,
            annotations_dir=SEED_DIR / "annotations",
            transaction=transaction,
            stdin=io.BytesIO(),
            published_on=date(2024, 1, 15),
        )
    )
    rows = session.exec(
        select(Answer.body, Argument.start, Argument.end, Argument.text).join(
            Argument, col(Argument.response_id) == Answer.id
        )
    ).all()
    assert len(rows) > 100
    assert [body[start:end] for body, start, end, _ in rows] == [text for *_, text in rows]
    bodies = session.exec(select(Answer.body)).all()
    # Only the answer that opens by quoting someone keeps a mark at its start.
    assert [body[:40] for body in bodies if body[:1] in '“"' or "Read the views" in body] == [
        "“Night trains are back,” a minister said"
    ]


@pytest.mark.parametrize("boilerplate", BOILERPLATE)
def test_the_boilerplate_dek_printed_twice_is_read_once(boilerplate: str) -> None:
    document = parse(
        f"{HEADER}{boilerplate}\n\nPublished on February 11, 2016\n\n{boilerplate}\n\n{EXPERTS}"
    )
    assert (document.dek, document.published_on, [r.expert_name for r in document.responses]) == (
        boilerplate,
        date(2016, 2, 11),
        ["Jane Doe"],
    )


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Published on April 3, 2025", date(2025, 4, 3)),
        ("Thursday, September 15, 2022", date(2022, 9, 15)),
        ("Apr 20, 2023", date(2023, 4, 20)),
        ("Sept. 5, 2021", date(2021, 9, 5)),
        ("November 17th, 2015", date(2015, 11, 17)),
        ("· June 27, 2024", date(2024, 6, 27)),
        ("Judy DempseyThursday, September 15, 2022", date(2022, 9, 15)),
        ("by Judy Dempsey · June 27, 2024", date(2024, 6, 27)),
        ("JUDY DEMPSEY June 27, 2024", date(2024, 6, 27)),
        ("24/11/2022", date(2022, 11, 24)),
    ],
)
def test_date_forms(line: str, expected: date) -> None:
    assert parse(f"{HEADER}{line}\n\n{EXPERTS}").published_on == expected


def test_a_reposts_second_date_is_skipped() -> None:
    document = parse(f"{HEADER}Published on April 3, 2025\n\n· Apr 20, 2025\n\n{EXPERTS}")
    assert (document.published_on, [r.expert_name for r in document.responses]) == (
        date(2025, 4, 3),
        ["Jane Doe"],
    )


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        (
            "Published on Smarch 40, 2025",
            "cannot read the date 'Smarch 40, 2025'; expected 'Month D, YYYY'",
        ),
        (
            "Published on April 31, 2025",
            "cannot read the date 'April 31, 2025'; expected 'Month D, YYYY'",
        ),
        ("April 31, 2025", "cannot read the date 'April 31, 2025'"),
        ("31/13/2022", "cannot read the date '31/13/2022'"),
    ],
)
def test_impossible_dates_are_errors(line: str, reason: str) -> None:
    with pytest.raises(ParseError) as raised:
        parse(f"{HEADER}{line}\n\n{EXPERTS}")
    assert (raised.value.line, raised.value.reason) == (3, reason)


@pytest.mark.parametrize(
    ("answer", "paragraphs"),
    [
        ("“Yes. One.\n\nTwo.”", ["Yes. One.", "Two."]),
        ('“Yes. One.\n\nTwo."', ["Yes. One.", "Two."]),
        ('"Yes. One."', ["Yes. One."]),
        ("“Yes,” she said. One.\n\nTwo “quoted.”", ["“Yes,” she said. One.", "Two “quoted.”"]),
        ("“Yes. One.\n\nAs they say, “two.”", ["“Yes. One.", "As they say, “two.”"]),
    ],
)
def test_answers_wrapped_in_quotation_marks(answer: str, paragraphs: list[str]) -> None:
    expert = "Jane Doe\nSenior fellow at Carnegie Europe\n"
    text = f"{HEADER}Published on May 1, 2024\n\n{expert}{answer}\n"
    assert list(parse(text).responses[0].paragraphs) == paragraphs


def test_quotation_marks_stay_out_of_the_stance_phrase() -> None:
    source = FIXTURES / "quoted-answers.txt"
    annotated = annotated_document(
        source.name, source.read_bytes(), CATALOG, SEED_DIR / "annotations", require_curated=False
    )
    assert [(r.stance, r.stance_phrase) for r in annotated.responses] == [
        ("yes", "Yes."),
        ("no", "No"),
        ("unclear", None),
    ]
    for response in annotated.responses:
        for argument in response.arguments:
            assert response.parsed.body[argument.start : argument.end] == argument.text


BOILERPLATE_FIRST = f"{BOILERPLATE[0]}\n\nPublished on March 3, 2016\n\n{EXPERTS}"


def test_a_page_that_starts_at_the_boilerplate_takes_the_title_from_the_caller() -> None:
    document = parse(BOILERPLATE_FIRST, title="Judy Asks: Is This a Test?")
    assert (document.slug, document.title, document.question, document.dek) == (
        "judy-asks-is-this-a-test",
        "Judy Asks: Is This a Test?",
        "Is This a Test?",
        BOILERPLATE[0],
    )
    with pytest.raises(ParseError) as raised:
        parse(BOILERPLATE_FIRST)
    assert (raised.value.line, raised.value.reason) == (
        1,
        "no title: the text starts with the series boilerplate; put the title on a line before it",
    )
    # A title given by the caller and printed too is read once.
    assert (
        parse(f"{HEADER}{BOILERPLATE_FIRST}", title="Judy Asks: Is This a Test?").dek
        == (BOILERPLATE[0])
    )
