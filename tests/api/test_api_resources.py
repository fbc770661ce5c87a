"""Experts, organizations, tags, meta and readiness."""

from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlmodel import Session

from app.db import build_engine, get_session
from app.main import create_app
from tests.support.databases import migrate, scratch_database
from tests.support.seed_facts import SEED_DATE, SEED_SLUG

HEAD = "0005"  # the newest migration: bump when adding one
CEIP = {
    "slug": "carnegie-endowment-for-international-peace",
    "name": "Carnegie Endowment for International Peace",
    "short_name": "CEIP",
    "kind": "think_tank",
}


def test_experts_list(client: TestClient) -> None:
    body = client.get("/v1/experts").json()
    assert body == {
        "items": [
            {"slug": slug, "name": name, "response_count": 1}
            for slug, name in [
                ("alexander-gabuev", "Alexander Gabuev"),
                ("eugene-rumer", "Eugene Rumer"),
                ("gwendolyn-sasse", "Gwendolyn Sasse"),
                ("jana-kobzova", "Jana Kobzova"),
                ("samuel-greene", "Samuel Greene"),
                ("stefan-meister", "Stefan Meister"),
                ("veronica-anghel", "Veronica Anghel"),
            ]
        ],
        "total": 7,
        "next_cursor": None,
        "facets": None,
    }
    carnegie = client.get(f"/v1/experts?organization={CEIP['slug']}").json()
    assert [e["slug"] for e in carnegie["items"]] == [
        "alexander-gabuev",
        "eugene-rumer",
        "gwendolyn-sasse",
    ]


def test_expert_detail(client: TestClient) -> None:
    ceip = {**CEIP, "parent": None}
    printed = {
        "first_printed_on": SEED_DATE,
        "last_printed_on": SEED_DATE,
        "articles": [SEED_SLUG],
    }
    assert client.get("/v1/experts/eugene-rumer").json() == {
        "slug": "eugene-rumer",
        "name": "Eugene Rumer",
        "response_count": 1,
        "names": ["Eugene Rumer"],
        "affiliations": [
            {"role": "Senior Fellow", "organization": ceip, **printed},
            {"role": "Director of the Russia Eurasia Program", "organization": ceip, **printed},
        ],
        "responses": [
            {
                "article": {
                    "slug": SEED_SLUG,
                    "title": "Taking the Pulse: Should Europe Negotiate with Russia?",
                    "published_on": SEED_DATE,
                },
                "position": 7,
                "printed_name": "Eugene Rumer",
                "affiliation_line": "Senior Fellow and Director of the Russia Eurasia Program,"
                " Carnegie Endowment for International Peace",
                "stance": "yes",
                "stance_phrase": "Yes.",
                "word_count": 216,
            }
        ],
    }


def test_organization_detail_includes_units(client: TestClient) -> None:
    def ref(slug: str, name: str, kind: str = "think_tank") -> dict[str, Any]:
        return {"slug": slug, "name": name, "short_name": None, "kind": kind}

    body = client.get(f"/v1/organizations/{CEIP['slug']}").json()
    assert body == {
        **CEIP,
        "parent": None,
        "expert_count": 3,
        "children": [
            ref("carnegie-china", "Carnegie China"),
            ref("carnegie-europe", "Carnegie Europe"),
            ref("carnegie-india", "Carnegie India"),
            ref("carnegie-middle-east-center", "Carnegie Middle East Center"),
            ref("carnegie-moscow-center", "Carnegie Moscow Center"),
            ref("carnegie-russia-eurasia-center", "Carnegie Russia Eurasia Center"),
            ref(
                "carnegie-tsinghua-center-for-global-policy",
                "Carnegie-Tsinghua Center for Global Policy",
            ),
            ref("carnegie-russia-eurasia-program", "Russia Eurasia Program", "research_unit"),
        ],
        "experts": [
            {
                "expert": {"slug": "alexander-gabuev", "name": "Alexander Gabuev"},
                "role": "Director",
                "organization": ref(
                    "carnegie-russia-eurasia-center", "Carnegie Russia Eurasia Center"
                ),
                "last_printed_on": SEED_DATE,
            },
            {
                "expert": {"slug": "eugene-rumer", "name": "Eugene Rumer"},
                "role": "Director of the Russia Eurasia Program",
                "organization": CEIP,
                "last_printed_on": SEED_DATE,
            },
            {
                "expert": {"slug": "eugene-rumer", "name": "Eugene Rumer"},
                "role": "Senior Fellow",
                "organization": CEIP,
                "last_printed_on": SEED_DATE,
            },
            {
                "expert": {"slug": "gwendolyn-sasse", "name": "Gwendolyn Sasse"},
                "role": "Nonresident Senior Fellow",
                "organization": ref("carnegie-europe", "Carnegie Europe"),
                "last_printed_on": SEED_DATE,
            },
        ],
    }
    unit = client.get("/v1/organizations/carnegie-europe").json()
    assert (unit["parent"], unit["children"], unit["expert_count"]) == (CEIP, [], 1)


def test_organizations_list(client: TestClient) -> None:
    body = client.get("/v1/organizations?kind=university").json()
    assert body["items"] == [
        {
            "slug": "european-university-institute",
            "name": "European University Institute",
            "short_name": "EUI",
            "kind": "university",
            "parent": None,
            "expert_count": 0,
        },
        {
            "slug": "kings-college-london",
            "name": "King’s College London",
            "short_name": "KCL",
            "kind": "university",
            "parent": None,
            "expert_count": 1,
        },
    ]


def test_tags_list_counts(client: TestClient) -> None:
    body = client.get("/v1/tags").json()
    assert body["total"] == len(body["items"]) == 38
    by_slug = {t["slug"]: t for t in body["items"]}
    assert by_slug["frozen-assets"] == {
        "slug": "frozen-assets",
        "label": "Frozen assets",
        "category": "instrument",
        "description": "Immobilised Russian state assets held in Europe and their possible use"
        " for Ukraine.",
        "argument_count": 4,
        "response_count": 4,
        "expert_count": 4,
    }
    assert (by_slug["china"]["argument_count"], by_slug["china"]["expert_count"]) == (2, 1)
    assert [t["slug"] for t in client.get("/v1/tags?category=actor").json()["items"]] == [
        "china",
        "turkey",
        "united-kingdom",
        "united-states",
    ]


def test_tags_page_like_every_list(client: TestClient) -> None:
    every = [t["slug"] for t in client.get("/v1/tags").json()["items"]]
    first = client.get("/v1/tags", params={"limit": 5})
    assert first.status_code == 200
    body = first.json()
    assert ([t["slug"] for t in body["items"]], body["total"]) == (every[:5], 38)
    assert first.headers["x-total-count"] == "38"
    assert first.headers["link"] == (f'</v1/tags?limit=5&cursor={body["next_cursor"]}>; rel="next"')
    seen = [t["slug"] for t in body["items"]]
    cursor = body["next_cursor"]
    while cursor is not None:
        page = client.get("/v1/tags", params={"limit": 5, "cursor": cursor}).json()
        seen += [t["slug"] for t in page["items"]]
        cursor = page["next_cursor"]
    assert seen == every
    foreign = client.get("/v1/tags", params={"category": "actor", "cursor": body["next_cursor"]})
    assert foreign.status_code == 400
    assert foreign.json()["invalid_params"] == [
        {"name": "cursor", "reason": "malformed, altered or foreign"}
    ]


def test_tag_detail(client: TestClient) -> None:
    body = client.get("/v1/tags/frozen-assets").json()
    assert body["experts"] == [
        {"expert": {"slug": slug, "name": name}, "argument_count": 1}
        for slug, name in [
            ("eugene-rumer", "Eugene Rumer"),
            ("gwendolyn-sasse", "Gwendolyn Sasse"),
            ("jana-kobzova", "Jana Kobzova"),
            ("stefan-meister", "Stefan Meister"),
        ]
    ]
    # Co-occurrence, cross-checked against the arguments themselves.
    arguments = client.get("/v1/arguments?tag=frozen-assets").json()["items"]
    expected: dict[str, int] = {}
    for argument in arguments:
        for tag in argument["tags"]:
            if tag["slug"] != "frozen-assets":
                expected[tag["slug"]] = expected.get(tag["slug"], 0) + 1
    assert {c["tag"]["slug"]: c["count"] for c in body["co_occurring"]} == expected
    assert client.get("/v1/tags/no-such-tag").status_code == 404


def test_meta(client: TestClient) -> None:
    body = client.get("/v1/meta").json()
    assert body["counts"] == {
        "articles": 1,
        "experts": 7,
        "organizations": 44,
        "responses": 7,
        "arguments": 41,
        "tags": 38,
    }
    assert body["schema_revision"] == HEAD
    assert len(body["data_version"]) == 32
    assert body["sources"] == [
        {
            "article": SEED_SLUG,
            "source_sha256": "513f7bfb1b039eb5f472906bb1bc064938d903d8d0b96e415f05c6a9aad33e78",
            "loaded_at": body["sources"][0]["loaded_at"],
        }
    ]


def test_readyz_when_seeded(client: TestClient) -> None:
    response = client.get("/readyz")
    assert (response.status_code, response.json()) == (
        200,
        {"status": "ready", "schema_revision": HEAD, "articles": 1},
    )


def _readyz_on(url: str) -> tuple[int, dict[str, Any]]:
    engine = build_engine(url)
    app = create_app()

    def session_on_scratch() -> Any:
        with Session(engine) as session:
            yield session

    app.api.dependency_overrides[get_session] = session_on_scratch
    try:
        with TestClient(app) as client:
            response = client.get("/readyz")
            assert response.headers["content-type"].startswith("application/")
            return response.status_code, response.json()
    finally:
        engine.dispose()


def test_readyz_is_503_until_migrated_and_seeded(tmp_path: Path) -> None:
    with scratch_database(tmp_path) as url:
        status, body = _readyz_on(url)
        assert (status, body["detail"]) == (503, f"The database schema is at None, not {HEAD!r}.")
        migrate(url)
        status, body = _readyz_on(url)
        assert (status, body["detail"]) == (503, "No roundup is loaded yet.")
