"""List endpoints: filters, facets, sorting, cursor pagination and their errors."""

from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.queries import responses as responses_queries
from tests.support.seed_facts import SEED_EXPERTS, SEED_SLUG

ALL_EXPERTS = list(SEED_EXPERTS)


def experts_of(body: dict[str, Any]) -> list[str]:
    return [item["expert"]["slug"] for item in body["items"]]


def get_ok(client: TestClient, url: str) -> dict[str, Any]:
    response = client.get(url)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    if "total" in body:
        assert response.headers["x-total-count"] == str(body["total"])
    return body


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ALL_EXPERTS),
        (
            "tag=frozen-assets",
            ["jana-kobzova", "gwendolyn-sasse", "stefan-meister", "eugene-rumer"],
        ),
        ("stance=not_yet", ["samuel-greene"]),
        ("stance=yes", ["veronica-anghel", "alexander-gabuev", "eugene-rumer"]),
        (
            "stance=not_yet,no&stance=yes",
            ["veronica-anghel", "samuel-greene", "alexander-gabuev", "eugene-rumer"],
        ),
        ("tag=sanctions&tag=frozen-assets&tag_match=all", ["jana-kobzova", "gwendolyn-sasse"]),
        ("tag=china,rearmament", ["veronica-anghel", "eugene-rumer"]),
        (
            "organization=carnegie-endowment-for-international-peace",
            ["alexander-gabuev", "gwendolyn-sasse", "eugene-rumer"],
        ),
        ("organization=european-university-institute", ["veronica-anghel"]),
        ("expert=samuel-greene,eugene-rumer", ["samuel-greene", "eugene-rumer"]),
        (f"article={SEED_SLUG}&published_from=2025-12-04&published_to=2025-12-04", ALL_EXPERTS),
        ("published_from=2025-12-05", []),
        ("article=no-such-article", []),
        ("stance=yes&tag=frozen-assets", ["eugene-rumer"]),
    ],
)
def test_response_filters(client: TestClient, query: str, expected: list[str]) -> None:
    body = get_ok(client, f"/v1/responses?{query}")
    assert experts_of(body) == expected
    assert body["total"] == len(expected)
    assert body["next_cursor"] is None
    assert body["facets"] is None


def test_response_item_shape(client: TestClient) -> None:
    body = get_ok(client, "/v1/responses?stance=not_yet")
    [item] = body["items"]
    text = item.pop("body")
    assert text.startswith("Yes, but not yet.\n\nThere will eventually be a negotiated end")
    assert item == {
        "article": {
            "slug": SEED_SLUG,
            "title": "Taking the Pulse: Should Europe Negotiate with Russia?",
            "published_on": "2025-12-04",
        },
        "position": 2,
        "expert": {"slug": "samuel-greene", "name": "Samuel Greene"},
        "affiliation_line": "Professor of Russian Politics, King’s College London",
        "affiliations": [
            {
                "role": "Professor of Russian Politics",
                "organization": {
                    "slug": "kings-college-london",
                    "name": "King’s College London",
                    "short_name": "KCL",
                    "kind": "university",
                    "parent": None,
                },
            }
        ],
        "stance": "not_yet",
        "stance_phrase": "Yes, but not yet.",
        "stance_source": "curated",
        "word_count": 184,
        "tags": [
            "deterrence",
            "european-unity",
            "peace-plan",
            "seat-at-the-table",
            "security-guarantees",
            "sequencing",
            "united-states",
        ],
        "argument_count": 6,
    }


def test_arguments_carry_their_context(client: TestClient) -> None:
    body = get_ok(client, "/v1/arguments?tag=frozen-assets")
    assert [(a["expert"]["slug"], a["stance"], a["tags"][0]["slug"]) for a in body["items"]] == [
        ("jana-kobzova", "yes_conditional", "frozen-assets"),
        ("gwendolyn-sasse", "yes_conditional", "energy-and-trade"),
        ("stefan-meister", "yes_conditional", "frozen-assets"),
        ("eugene-rumer", "yes", "frozen-assets"),
    ]
    rumer = body["items"][3]
    detail = get_ok(client, f"/v1/articles/{SEED_SLUG}")
    body_text = detail["responses"][6]["body"]
    assert body_text[rumer["start"] : rumer["end"]] == rumer["text"]
    assert rumer["article"]["slug"] == SEED_SLUG
    assert (rumer["response_position"], rumer["annotation_source"]) == (7, "curated")


def test_argument_kind_filter_matches_the_detail(client: TestClient) -> None:
    detail = get_ok(client, f"/v1/articles/{SEED_SLUG}")
    expected = [
        (r["expert"]["slug"], a["position"])
        for r in detail["responses"]
        for a in r["arguments"]
        if a["kind"] in {"condition", "prediction"}
    ]
    body = get_ok(client, "/v1/arguments?kind=condition,prediction&limit=500")
    assert [(a["expert"]["slug"], a["position"]) for a in body["items"]] == expected
    assert body["total"] == len(expected) > 0


def test_facets_count_the_filtered_set(client: TestClient) -> None:
    body = get_ok(client, "/v1/responses?facets=stance,expert,article,organization,tag")
    facets = body["facets"]
    assert facets["stance"] == [
        {"value": "yes", "label": "Yes", "count": 3},
        {"value": "yes_conditional", "label": "Yes, with conditions", "count": 3},
        {"value": "not_yet", "label": "Not yet", "count": 1},
    ]
    for name in ("stance", "expert", "article", "organization"):
        assert sum(value["count"] for value in facets[name]) == body["total"] == 7
    assert facets["article"] == [
        {
            "value": SEED_SLUG,
            "label": "Taking the Pulse: Should Europe Negotiate with Russia?",
            "count": 7,
        }
    ]
    # Tags are many-to-many: cross-check each count against the answers' own tag lists.
    per_response = [set(item["tags"]) for item in body["items"]]
    assert {v["value"]: v["count"] for v in facets["tag"]} == {
        tag: sum(tag in tags for tags in per_response) for tag in set().union(*per_response)
    }
    assert {"value": "frozen-assets", "label": "Frozen assets", "count": 4} in facets["tag"]


def test_facets_follow_the_filters(client: TestClient) -> None:
    body = get_ok(client, "/v1/arguments?tag=frozen-assets&facets=stance,kind,expert")
    assert body["facets"]["stance"] == [
        {"value": "yes_conditional", "label": "Yes, with conditions", "count": 3},
        {"value": "yes", "label": "Yes", "count": 1},
    ]
    assert sum(v["count"] for v in body["facets"]["kind"]) == body["total"] == 4
    assert [v["value"] for v in body["facets"]["expert"]] == [
        "eugene-rumer",
        "gwendolyn-sasse",
        "jana-kobzova",
        "stefan-meister",
    ]


def collect(client: TestClient, url: str) -> list[dict[str, Any]]:
    """Every item of a list, following the Link: rel="next" headers page by page."""
    items: list[dict[str, Any]] = []
    next_url: str | None = url
    while next_url is not None:
        response = client.get(next_url)
        assert response.status_code == 200, response.text
        body = response.json()
        items.extend(body["items"])
        link = response.headers.get("link")
        assert (link is None) == (body["next_cursor"] is None)
        next_url = link.split(">")[0].removeprefix("<") if link else None
        assert len(items) < 1000
    return items


@pytest.mark.parametrize(
    "url",
    [
        "/v1/responses?limit=2",
        "/v1/responses?limit=3&sort=-word_count",
        "/v1/responses?limit=1&sort=stance,-expert",
        "/v1/arguments?limit=7",
        "/v1/arguments?limit=5&sort=kind,-expert,position",
        "/v1/arguments?limit=4&tag=security-guarantees,united-states",
        "/v1/experts?limit=2",
        "/v1/experts?limit=3&sort=-slug",
        "/v1/organizations?limit=6&sort=kind,-name",
        "/v1/articles?limit=1",
    ],
)
def test_cursor_pages_concatenate_to_the_whole_list(client: TestClient, url: str) -> None:
    path, query = url.split("?")
    whole_query = "&".join(p for p in query.split("&") if not p.startswith("limit="))
    whole = get_ok(client, f"{path}?{whole_query}&limit=500")
    paged = collect(client, url)
    assert paged == whole["items"]
    assert len(paged) == whole["total"]


def test_sort_orders_by_the_keys(client: TestClient) -> None:
    counts = [i["word_count"] for i in get_ok(client, "/v1/responses?sort=-word_count")["items"]]
    assert counts == sorted(counts, reverse=True)
    names = [i["name"] for i in get_ok(client, "/v1/experts?sort=-name")["items"]]
    assert names == sorted(names, reverse=True)


def test_link_header_points_to_the_next_page(client: TestClient) -> None:
    response = client.get("/v1/experts?limit=3")
    body = response.json()
    assert response.headers["link"] == (
        f'</v1/experts?limit=3&cursor={body["next_cursor"]}>; rel="next"'
    )
    last = client.get("/v1/experts?limit=500")
    assert "link" not in last.headers


def problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert (body["status"], body["type"]) == (status, "about:blank")
    return body


def test_unknown_parameter_is_named(client: TestClient) -> None:
    body = problem(client.get("/v1/responses?stnace=yes"), 400)
    assert body == {
        "type": "about:blank",
        "title": "Bad Request",
        "status": 400,
        "detail": "Unknown query parameter(s): stnace.",
        "instance": "/v1/responses",
        "invalid_params": [
            {
                "name": "stnace",
                "reason": "not accepted here; accepted: article, cursor, expert, facets, format,"
                " limit, organization, published_from, published_to, q, sort, stance, tag,"
                " tag_match",
            }
        ],
    }


@pytest.mark.parametrize(
    ("url", "status", "param", "reason"),
    [
        ("/v1/responses?limit=501", 422, "limit", "Input should be less than or equal to 500"),
        ("/v1/responses?limit=0", 422, "limit", "Input should be greater than or equal to 1"),
        (
            "/v1/responses?limit=ten",
            422,
            "limit",
            "Input should be a valid integer, unable to parse string as an integer",
        ),
        (
            "/v1/responses?stance=maybe",
            422,
            "stance",
            "'maybe' is not one of: yes, yes_conditional, not_yet, no, mixed, unclear",
        ),
        ("/v1/arguments?tag=frozen-asset", 422, "tag", "no tag with slug 'frozen-asset'"),
        (
            "/v1/arguments?kind=opinion",
            422,
            "kind",
            "'opinion' is not one of: claim, recommendation, condition, prediction",
        ),
        (
            "/v1/responses?sort=length",
            422,
            "sort",
            "'length' is not one of: article, expert, position, published_on, stance,"
            " word_count (prefix '-' for descending; each key once)",
        ),
        (
            "/v1/responses?facets=stance,mood",
            422,
            "facets",
            "'mood' is not one of: stance, tag, organization, expert, article",
        ),
        (
            "/v1/responses?published_from=yesterday",
            422,
            "published_from",
            "Input should be a valid date or datetime, input is too short",
        ),
        ("/v1/responses?cursor=abc", 400, "cursor", "malformed, altered or foreign"),
    ],
)
def test_invalid_parameters_are_problems(
    client: TestClient, url: str, status: int, param: str, reason: str
) -> None:
    body = problem(client.get(url), status)
    assert body["invalid_params"] == [{"name": param, "reason": reason}]
    assert body["instance"] == url.split("?")[0]


def test_altered_or_foreign_cursor_is_a_400(client: TestClient) -> None:
    cursor = get_ok(client, "/v1/responses?limit=2")["next_cursor"]
    payload, signature = cursor.split(".")
    flipped = payload[:-1] + ("A" if payload[-1] != "A" else "B")
    for bad in (f"{flipped}.{signature}", f"{payload}.{signature[::-1]}", payload):
        problem(client.get("/v1/responses", params={"limit": 2, "cursor": bad}), 400)
    # A cursor is bound to its query: the same cursor with another sort or filter is refused.
    problem(
        client.get("/v1/responses", params={"limit": 2, "sort": "expert", "cursor": cursor}), 400
    )
    problem(client.get("/v1/responses", params={"stance": "yes", "cursor": cursor}), 400)
    assert client.get("/v1/responses", params={"limit": 2, "cursor": cursor}).status_code == 200


@pytest.mark.parametrize(
    "url",
    [
        "/v1/responses?limit=2",
        "/v1/responses?limit=3&stance=yes,no",
        "/v1/arguments?limit=7",
        "/v1/arguments?limit=4&tag=security-guarantees,united-states",
        "/v1/arguments?limit=2&tag=sanctions&tag=frozen-assets&tag_match=all",
        "/v1/arguments?limit=5&sort=-published_on,-position",
        "/v1/responses?limit=2&organization=carnegie-endowment-for-international-peace",
        "/v1/responses?limit=1&tag=sanctions&tag=frozen-assets&tag_match=all",
    ],
)
def test_walking_the_articles_reads_the_same_pages(
    client: TestClient, monkeypatch: pytest.MonkeyPatch, url: str
) -> None:
    """Large sets sorted newest first are read by walking the articles (an ordered join):
    the pages are those the planner's own join order gives."""
    planned = collect(client, url)
    monkeypatch.setattr(responses_queries, "WALK_ARTICLES_ABOVE", -1)
    assert collect(client, url) == planned


@pytest.mark.parametrize(
    "tags",
    [
        "tag=frozen-assets",
        "tag=sanctions,frozen-assets",
        "tag=sanctions&tag=frozen-assets&tag_match=all",
        "tag=sanctions&tag=sanctions&tag_match=all",
        "tag=frozen-assets&tag=territory&tag_match=all",
    ],
)
def test_tag_only_totals_count_what_the_pages_hold(client: TestClient, tags: str) -> None:
    """Filtered by tags alone, /v1/arguments counts from argument_tag without the arguments;
    the total is the number of items over all pages, and what the general count gives (a
    date filter that keeps everything takes the general path)."""
    items = collect(client, f"/v1/arguments?limit=3&{tags}")
    body = get_ok(client, f"/v1/arguments?{tags}")
    general = get_ok(client, f"/v1/arguments?{tags}&published_from=1900-01-01")
    assert body["total"] == len(items) == general["total"]
    assert [item["text"] for item in body["items"]] == [item["text"] for item in items]
