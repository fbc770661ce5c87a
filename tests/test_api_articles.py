"""GET /v1/articles/{slug}: the whole roundup in one response."""

from fastapi.testclient import TestClient

from tests.conftest import SEED_SLUG


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
