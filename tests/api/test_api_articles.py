"""GET /v1/articles/{slug}: the whole roundup in one response."""

from pathlib import Path

from fastapi.testclient import TestClient

from app.ingest.importer import Transaction
from tests.support.imports import import_files
from tests.support.seed_facts import SEED_SLUG


def test_article_detail(client: TestClient) -> None:
    response = client.get(f"/v1/articles/{SEED_SLUG}")
    assert response.status_code == 200
    body = response.json()
    loaded_at = body.pop("loaded_at")
    assert loaded_at.endswith("Z") or loaded_at.endswith("+00:00")
    responses = body.pop("responses")
    assert body == {
        "slug": SEED_SLUG,
        "series": "Taking the Pulse",
        "title": "Taking the Pulse: Should Europe Negotiate with Russia?",
        "question": "Should Europe Negotiate with Russia?",
        "dek": (
            "By negotiating directly with the Kremlin, the Trump administration has broken the"
            " taboo on diplomatic contacts with Russia. With Ukrainian and European security at"
            " stake, is it time for Brussels to open its own communication channel to Moscow?"
        ),
        "published_on": "2025-12-04",
        "publisher": "Carnegie Europe",
        "image_credit": "Getty",
        "source_url": None,
        "disclaimer": (
            "Carnegie does not take institutional positions on public policy issues; the views"
            " represented herein are those of the author(s) and do not necessarily reflect the"
            " views of Carnegie, its staff, or its trustees."
        ),
        "source_sha256": "513f7bfb1b039eb5f472906bb1bc064938d903d8d0b96e415f05c6a9aad33e78",
    }
    assert [
        (r["position"], r["expert"]["slug"], r["stance"], len(r["arguments"])) for r in responses
    ] == [
        (1, "veronica-anghel", "yes", 6),
        (2, "samuel-greene", "not_yet", 6),
        (3, "jana-kobzova", "yes_conditional", 6),
        (4, "alexander-gabuev", "yes", 5),
        (5, "gwendolyn-sasse", "yes_conditional", 6),
        (6, "stefan-meister", "yes_conditional", 6),
        (7, "eugene-rumer", "yes", 6),
    ]
    for item in responses:
        for argument in item["arguments"]:
            assert item["body"][argument["start"] : argument["end"]] == argument["text"]


def test_article_detail_response_shape(client: TestClient) -> None:
    gabuev = client.get(f"/v1/articles/{SEED_SLUG}").json()["responses"][3]
    body = gabuev.pop("body")
    assert body.startswith("It is long overdue that European policymakers relearn")
    assert body.endswith("driven by Washington, Kyiv, and Moscow.")
    first_argument = gabuev.pop("arguments")[0]
    assert gabuev == {
        "position": 4,
        "expert": {"slug": "alexander-gabuev", "name": "Alexander Gabuev"},
        "affiliation_line": "Director, Carnegie Russia Eurasia Center",
        "affiliations": [
            {
                "role": "Director",
                "organization": {
                    "slug": "carnegie-russia-eurasia-center",
                    "name": "Carnegie Russia Eurasia Center",
                    "short_name": None,
                    "kind": "think_tank",
                    "parent": {
                        "slug": "carnegie-endowment-for-international-peace",
                        "name": "Carnegie Endowment for International Peace",
                        "short_name": "CEIP",
                        "kind": "think_tank",
                    },
                },
            }
        ],
        "stance": "yes",
        "stance_phrase": "it is high time to establish lines of communication between Brussels"
        " and Moscow",
        "stance_source": "curated",
        "word_count": 190,
    }
    assert first_argument["annotation_source"] == "curated"
    assert body[first_argument["start"] : first_argument["end"]] == first_argument["text"]


def test_unknown_article_is_a_problem(client: TestClient) -> None:
    response = client.get("/v1/articles/no-such-roundup")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json() == {
        "type": "about:blank",
        "title": "Not Found",
        "status": 404,
        "detail": "No article with slug 'no-such-roundup'.",
        "instance": "/v1/articles/no-such-roundup",
    }


def test_unknown_route_is_a_problem(client: TestClient) -> None:
    response = client.get("/v2/nothing")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json() == {
        "type": "about:blank",
        "title": "Not Found",
        "status": 404,
        "detail": "Not Found",
        "instance": "/v2/nothing",
    }


def test_healthz(client: TestClient) -> None:
    response = client.get("/healthz")
    assert (response.status_code, response.json()) == (200, {"status": "ok"})


JUDY = Path(__file__).parents[1] / "fixtures" / "roundups" / "judy-asks-two-blank-lines.txt"


def test_rules_annotated_article(client: TestClient, transaction: Transaction) -> None:
    """An article without curated annotations: stance and arguments are marked `rules`."""
    [result] = import_files([JUDY], transaction)
    assert result.status == "inserted"
    response = client.get(f"/v1/articles/{result.slug}")
    assert response.status_code == 200
    body = response.json()
    body.pop("loaded_at")
    assert body == EXPECTED_RULES_ARTICLE


EXPECTED_RULES_ARTICLE = {
    "slug": "judy-asks-is-europe-ready-to-share-its-power-grid",
    "series": "Judy Asks",
    "title": "Judy Asks: Is Europe Ready to Share Its Power Grid?",
    "question": "Is Europe Ready to Share Its Power Grid?",
    "dek": "Grid operators across the continent are talking about pooling reserves. Would a "
    "shared grid make Europe more resilient?",
    "published_on": "2024-03-05",
    "publisher": "Carnegie",
    "image_credit": "Example Photo Agency",
    "source_url": None,
    "disclaimer": "Carnegie does not take institutional positions on public policy issues; the "
    "views represented herein are those of the author(s) and do not necessarily "
    "reflect the views of Carnegie, its staff, or its trustees.",
    "source_sha256": "85f581d32bf26faa84ba40c0785eba75aa4e6f82e3fb8897fd34aa9a06f59a1b",
    "responses": [
        {
            "position": 1,
            "expert": {"slug": "marta-novak", "name": "Marta Novak"},
            "affiliation_line": "Senior Fellow, Carnegie Europe",
            "affiliations": [
                {
                    "role": "Senior Fellow",
                    "organization": {
                        "slug": "carnegie-europe",
                        "name": "Carnegie Europe",
                        "short_name": None,
                        "kind": "think_tank",
                        "parent": {
                            "slug": "carnegie-endowment-for-international-peace",
                            "name": "Carnegie Endowment for International Peace",
                            "short_name": "CEIP",
                            "kind": "think_tank",
                        },
                    },
                }
            ],
            "stance": "no",
            "stance_phrase": "No.",
            "stance_source": "rules",
            "word_count": 37,
            "body": "No. Pooled reserves are a useful tool, but the grids will not be "
            "ready before the end of the decade.\n"
            "\n"
            "Operators still use different balancing rules, and regulators have "
            "not agreed on who pays for new cables.",
            "arguments": [
                {
                    "position": 1,
                    "text": "Pooled reserves are a useful tool, but the grids will "
                    "not be ready before the end of the decade.",
                    "start": 4,
                    "end": 100,
                    "kind": "prediction",
                    "annotation_source": "rules",
                    "tags": [],
                },
                {
                    "position": 2,
                    "text": "Operators still use different balancing rules, and "
                    "regulators have not agreed on who pays for new "
                    "cables.",
                    "start": 102,
                    "end": 207,
                    "kind": "claim",
                    "annotation_source": "rules",
                    "tags": [],
                },
            ],
        },
        {
            "position": 2,
            "expert": {"slug": "luca-bianchi", "name": "Luca Bianchi"},
            "affiliation_line": "Director of Carnegie Europe",
            "affiliations": [
                {
                    "role": "Director",
                    "organization": {
                        "slug": "carnegie-europe",
                        "name": "Carnegie Europe",
                        "short_name": None,
                        "kind": "think_tank",
                        "parent": {
                            "slug": "carnegie-endowment-for-international-peace",
                            "name": "Carnegie Endowment for International Peace",
                            "short_name": "CEIP",
                            "kind": "think_tank",
                        },
                    },
                }
            ],
            "stance": "no",
            "stance_phrase": "No",
            "stance_source": "rules",
            "word_count": 30,
            "body": "No—the question comes too early. Cables are being laid, yet the "
            "market rules lag behind.\n"
            "\n"
            "If ministers agree on common rules, a shared reserve could follow "
            "within a few years.",
            "arguments": [
                {
                    "position": 1,
                    "text": "No—the question comes too early.",
                    "start": 0,
                    "end": 32,
                    "kind": "claim",
                    "annotation_source": "rules",
                    "tags": [
                        {"slug": "sequencing", "label": "Sequencing", "category": "diplomacy"}
                    ],
                },
                {
                    "position": 2,
                    "text": "Cables are being laid, yet the market rules lag behind.",
                    "start": 33,
                    "end": 88,
                    "kind": "claim",
                    "annotation_source": "rules",
                    "tags": [],
                },
                {
                    "position": 3,
                    "text": "If ministers agree on common rules, a shared reserve "
                    "could follow within a few years.",
                    "start": 90,
                    "end": 175,
                    "kind": "condition",
                    "annotation_source": "rules",
                    "tags": [],
                },
            ],
        },
    ],
}
