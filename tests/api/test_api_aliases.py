"""Curated expert aliases: one expert printed under several names."""

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.ingest.errors import SourceError
from app.ingest.files import read_experts
from app.ingest.importer import Transaction
from tests.support.imports import import_files

FIXTURES = Path(__file__).parents[1] / "fixtures" / "roundups" / "aliases"
EARLIER = {
    "slug": "judy-asks-should-europe-subsidise-its-shipyards",
    "title": "Judy Asks: Should Europe Subsidise Its Shipyards?",
    "published_on": "2016-05-12",
}
LATER = {
    "slug": "taking-the-pulse-should-europe-buy-its-ships-together",
    "title": "Taking the Pulse: Should Europe Buy Its Ships Together?",
    "published_on": "2024-10-03",
}
EXAMPLE_INSTITUTE = {
    "slug": "example-institute",
    "name": "Example Institute",
    "short_name": None,
    "kind": "unknown",
    "parent": None,
}


@pytest.fixture
def loaded(transaction: Transaction) -> None:
    results = import_files([FIXTURES / "earlier.txt", FIXTURES / "later.txt"], transaction)
    assert [result.status for result in results] == ["inserted", "inserted"]


@pytest.mark.usefixtures("loaded")
def test_expert_page_lists_every_printed_name(client: TestClient) -> None:
    assert client.get("/v1/experts/krzysztof-bledowski").json() == {
        "slug": "krzysztof-bledowski",
        "name": "Krzysztof Błędowski",
        "response_count": 2,
        "names": ["Kris Bledowski", "Krzysztof Błędowski"],
        "affiliations": [
            {
                "role": "Senior economist",
                "organization": EXAMPLE_INSTITUTE,
                "first_printed_on": EARLIER["published_on"],
                "last_printed_on": EARLIER["published_on"],
                "articles": [EARLIER["slug"]],
            },
            {
                "role": "Director of Economic Studies",
                "organization": EXAMPLE_INSTITUTE,
                "first_printed_on": LATER["published_on"],
                "last_printed_on": LATER["published_on"],
                "articles": [LATER["slug"]],
            },
        ],
        "responses": [
            {
                "article": EARLIER,
                "position": 1,
                "printed_name": "Kris Bledowski",
                "affiliation_line": "Senior economist, Example Institute",
                "stance": "no",
                "stance_phrase": "No.",
                "word_count": 8,
            },
            {
                "article": LATER,
                "position": 1,
                "printed_name": "Krzysztof Błędowski",
                "affiliation_line": "Director of Economic Studies, Example Institute",
                "stance": "yes_conditional",
                "stance_phrase": "Yes, if each country keeps its own yards busy.",
                "word_count": 9,
            },
        ],
    }
    missing = client.get("/v1/experts/kris-bledowski")
    assert (missing.status_code, missing.json()["status"]) == (404, 404)


@pytest.mark.usefixtures("loaded")
def test_articles_show_the_canonical_expert(client: TestClient) -> None:
    detail = client.get(f"/v1/articles/{EARLIER['slug']}").json()
    assert [response["expert"] for response in detail["responses"]] == [
        {"slug": "krzysztof-bledowski", "name": "Krzysztof Błędowski"},
        {"slug": "jane-doe", "name": "Jane Doe"},
    ]


@pytest.mark.usefixtures("loaded")
def test_reimport_changes_nothing(transaction: Transaction) -> None:
    # Parsed and written again: the curated name stays.
    results = import_files(
        [FIXTURES / "earlier.txt", FIXTURES / "later.txt"], transaction, skip_unchanged=False
    )
    assert [result.status for result in results] == ["unchanged", "unchanged"]


def test_a_name_claimed_twice_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "experts.yaml"
    path.write_text(
        '- slug: "jane-doe"\n  name: "Jane Doe"\n  variants: ["J. Doe"]\n'
        '- slug: "john-doe"\n  name: "John Doe"\n  variants: ["J Doe"]\n',
        encoding="utf-8",
    )
    with pytest.raises(SourceError) as raised:
        read_experts(path)
    assert str(raised.value) == f"{path}:4: 'J Doe' is already a name of 'jane-doe'"
