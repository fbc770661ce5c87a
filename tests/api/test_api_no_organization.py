"""An expert printed with a role and no organization, through every view of the API."""

import csv
import io
import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.ingest.importer import Transaction
from tests.support.imports import import_files

SOURCE = Path(__file__).parents[1] / "fixtures" / "roundups" / "no-organization.txt"
SLUG = "taking-the-pulse-should-europe-fund-a-shared-archive"
ARTICLE = {"slug": SLUG, "title": "Taking the Pulse: Should Europe Fund a Shared Archive?"}
PUBLISHED = "2025-03-12"


@pytest.fixture
def loaded(transaction: Transaction) -> None:
    [result] = import_files([SOURCE], transaction)
    assert result.status == "inserted", result


@pytest.mark.usefixtures("loaded")
def test_expert_detail_shows_the_role_without_an_organization(client: TestClient) -> None:
    assert client.get("/v1/experts/max-sample").json() == {
        "slug": "max-sample",
        "name": "Max Sample",
        "response_count": 1,
        "names": ["Max Sample"],
        "affiliations": [
            {
                "role": "Journalist and author",
                "organization": None,
                "first_printed_on": PUBLISHED,
                "last_printed_on": PUBLISHED,
                "articles": [SLUG],
            }
        ],
        "responses": [
            {
                "article": {**ARTICLE, "published_on": PUBLISHED},
                "position": 4,
                "printed_name": "Max Sample",
                "affiliation_line": "Journalist and author",
                "stance": "unclear",
                "stance_phrase": "Perhaps.",
                "word_count": 8,
            }
        ],
    }


@pytest.mark.usefixtures("loaded")
def test_response_list_shows_the_role_without_an_organization(client: TestClient) -> None:
    body = client.get("/v1/responses", params={"expert": "jane-doe"}).json()
    assert body == {
        "items": [
            {
                "article": {"slug": SLUG, "title": ARTICLE["title"], "published_on": PUBLISHED},
                "position": 1,
                "expert": {"slug": "jane-doe", "name": "Jane Doe"},
                "affiliation_line": "Independent foreign and security policy analyst",
                "affiliations": [
                    {
                        "role": "Independent foreign and security policy analyst",
                        "organization": None,
                    }
                ],
                "stance": "yes",
                "stance_phrase": "Yes.",
                "stance_source": "rules",
                "word_count": 10,
                "body": "Yes. A shared archive keeps the record in one place.",
                "tags": [],
                "argument_count": 1,
            }
        ],
        "total": 1,
        "next_cursor": None,
        "facets": None,
    }


@pytest.mark.usefixtures("loaded")
def test_organization_facet_leaves_out_answers_without_one(client: TestClient) -> None:
    body = client.get(
        "/v1/responses", params={"article": SLUG, "facets": "organization", "limit": 1}
    ).json()
    assert body["total"] == 5
    assert body["facets"] == {
        "organization": [
            {
                "value": "baltic-institute-for-strategic-dialogue",
                "label": "Baltic Institute for Strategic Dialogue",
                "count": 1,
            }
        ]
    }
    filtered = client.get(
        "/v1/responses", params={"organization": "baltic-institute-for-strategic-dialogue"}
    ).json()
    assert [item["expert"]["slug"] for item in filtered["items"]] == ["eva-placeholder"]


@pytest.mark.usefixtures("loaded")
def test_exports_leave_the_organization_empty(client: TestClient) -> None:
    response = client.get("/v1/responses", params={"article": SLUG, "format": "csv"})
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8"), newline="")))
    assert [(row["expert_slug"], row["organizations"]) for row in rows] == [
        ("jane-doe", ""),
        ("john-roe", ""),
        ("anna-example", ""),
        ("max-sample", ""),
        ("eva-placeholder", "baltic-institute-for-strategic-dialogue"),
    ]


@pytest.mark.usefixtures("loaded")
def test_ndjson_gives_a_null_organization(client: TestClient) -> None:
    # A download gives its connection back between batches, which in a test ends the
    # transaction holding the loaded roundup: one download per test.
    lines = client.get(
        "/v1/responses", params={"expert": "john-roe", "format": "ndjson"}
    ).text.splitlines()
    assert [json.loads(line)["affiliations"] for line in lines] == [
        [{"role": "Former ambassador to NATO", "organization": None}]
    ]


@pytest.mark.usefixtures("loaded")
def test_json_ld_gives_the_role_and_no_organization(client: TestClient) -> None:
    document = client.get(f"/v1/articles/{SLUG}/jsonld").json()
    authors = [answer["author"] for answer in document["mainEntity"]["suggestedAnswer"]]
    assert [(a["name"], a["jobTitle"], a["affiliation"]) for a in authors] == [
        ("Jane Doe", ["Independent foreign and security policy analyst"], []),
        ("John Roe", ["Former ambassador to NATO"], []),
        ("Anna Example", ["Member of the European Parliament (Greens/EFA, Germany)"], []),
        ("Max Sample", ["Journalist and author"], []),
        (
            "Eva Placeholder",
            ["Director"],
            [
                {
                    "@type": "Organization",
                    "@id": "/v1/organizations/baltic-institute-for-strategic-dialogue",
                    "name": "Baltic Institute for Strategic Dialogue",
                }
            ],
        ),
    ]


@pytest.mark.usefixtures("loaded")
def test_stats_count_answers_without_an_organization_in_the_null_group(
    client: TestClient,
) -> None:
    groups = client.get("/v1/stats").json()["by_organization_kind"]
    assert [(g["group"], g["responses"]) for g in groups] == [
        ("think_tank", 5),
        (None, 4),
        ("university", 2),
        ("unknown", 1),
    ]


@pytest.mark.usefixtures("loaded")
def test_aif_and_summary_are_served(client: TestClient) -> None:
    assert [
        client.get(f"/v1/articles/{SLUG}/{suffix}").status_code for suffix in ("aif", "summary")
    ] == [200, 200]


@pytest.mark.usefixtures("loaded")
def test_reimport_changes_nothing(transaction: Transaction) -> None:
    # Parsed and written again: the roles alone are found, not added.
    [result] = import_files([SOURCE], transaction, skip_unchanged=False)
    assert (result.status, str(result.report)) == ("unchanged", "0 inserted, 0 updated, 0 deleted")
