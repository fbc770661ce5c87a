"""/v1/exports/*: every list's matching rows as CSV or NDJSON, streamed, equal to the JSON
pages; the lists' own `format=csv|ndjson` (undocumented) answers the same bytes."""

import csv
import io
from typing import Any, get_args

import orjson
import pytest
from fastapi.testclient import TestClient

from app.exports import formats
from app.exports.formats import negotiate
from tests.support.seed_facts import SEED_SLUG


def _all_pages(client: TestClient, path: str, **params: Any) -> list[dict[str, Any]]:
    """Every item of a JSON list, following next_cursor with small pages."""
    items: list[dict[str, Any]] = []
    query: dict[str, Any] = {"limit": 4, **params}
    while True:
        body = client.get(path, params=query).json()
        items.extend(body["items"])
        if body["next_cursor"] is None:
            return items
        query["cursor"] = body["next_cursor"]


def _export(path: str) -> str:
    """The export operation of the list at `path`: /v1/tags -> /v1/exports/tags."""
    return path.replace("/v1/", "/v1/exports/", 1)


def _csv(client: TestClient, path: str, **params: Any) -> list[dict[str, str]]:
    response = client.get(_export(path), params={"format": "csv", **params})
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8; header=present"
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8"), newline="")))


@pytest.fixture
def small_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    """Exports read in batches of 5, so that every export here spans several batches."""
    monkeypatch.setattr(formats, "BATCH", 5)


def _joined(values: list[str]) -> str:
    return ";".join(values)


@pytest.mark.usefixtures("small_batches")
def test_arguments_csv_is_the_json_list_flattened(client: TestClient) -> None:
    expected = [
        {
            "article_slug": a["article"]["slug"],
            "published_on": a["article"]["published_on"],
            "response_position": str(a["response_position"]),
            "expert_slug": a["expert"]["slug"],
            "expert_name": a["expert"]["name"],
            "stance": a["stance"],
            "position": str(a["position"]),
            "kind": a["kind"],
            "start": str(a["start"]),
            "end": str(a["end"]),
            "text": a["text"],
            "tags": _joined([t["slug"] for t in a["tags"]]),
            "annotation_source": a["annotation_source"],
        }
        for a in _all_pages(client, "/v1/arguments", sort="expert,position")
    ]
    assert len(expected) == 41
    assert _csv(client, "/v1/arguments", sort="expert,position") == expected


@pytest.mark.usefixtures("small_batches")
def test_responses_csv_is_the_json_list_flattened(client: TestClient) -> None:
    expected = [
        {
            "article_slug": r["article"]["slug"],
            "published_on": r["article"]["published_on"],
            "position": str(r["position"]),
            "expert_slug": r["expert"]["slug"],
            "expert_name": r["expert"]["name"],
            "affiliation_line": r["affiliation_line"],
            "organizations": _joined([a["organization"]["slug"] for a in r["affiliations"]]),
            "stance": r["stance"],
            "stance_phrase": r["stance_phrase"] or "",
            "stance_source": r["stance_source"],
            "word_count": str(r["word_count"]),
            "argument_count": str(r["argument_count"]),
            "tags": _joined(r["tags"]),
            "body": r["body"],
        }
        for r in _all_pages(client, "/v1/responses")
    ]
    rows = _csv(client, "/v1/responses")
    assert rows == expected
    assert [(r["position"], r["expert_slug"], r["stance"]) for r in rows] == [
        ("1", "veronica-anghel", "yes"),
        ("2", "samuel-greene", "not_yet"),
        ("3", "jana-kobzova", "yes_conditional"),
        ("4", "alexander-gabuev", "yes"),
        ("5", "gwendolyn-sasse", "yes_conditional"),
        ("6", "stefan-meister", "yes_conditional"),
        ("7", "eugene-rumer", "yes"),
    ]
    assert rows[6]["organizations"] == (
        "carnegie-endowment-for-international-peace;carnegie-endowment-for-international-peace"
    )


def test_csv_is_rfc_4180(client: TestClient) -> None:
    response = client.get("/v1/arguments", params={"format": "csv", "expert": "jana-kobzova"})
    lines = response.content.decode("utf-8").split("\r\n")
    assert lines[0] == (
        "article_slug,published_on,response_position,expert_slug,expert_name,stance,position,"
        "kind,start,end,text,tags,annotation_source"
    )
    assert lines[1] == (
        f"{SEED_SLUG},2025-12-04,3,jana-kobzova,Jana Kobzova,yes_conditional,1,claim,137,342,"
        '"The Kremlin wants to discuss restoring economic and energy ties, which, of course,'
        " the Europeans (with the exception of Hungary and Slovakia) don’t want to do as long as"
        ' Putin continues his war in Ukraine.",energy-and-trade;european-unity,curated'
    )
    assert (len(lines), lines[-1]) == (8, "")
    assert response.headers["content-disposition"] == 'attachment; filename="arguments.csv"'
    assert response.headers["x-total-count"] == "6"


def test_other_lists_export_too(client: TestClient) -> None:
    articles = _csv(client, "/v1/articles")
    assert [
        {k: v for k, v in row.items() if k.startswith(("slug", "response", "stance"))}
        for row in articles
    ] == [
        {
            "slug": SEED_SLUG,
            "response_count": "7",
            "stance_yes": "3",
            "stance_yes_conditional": "3",
            "stance_not_yet": "1",
            "stance_no": "0",
            "stance_mixed": "0",
            "stance_unclear": "0",
        }
    ]
    experts = _csv(client, "/v1/experts", organization="carnegie-endowment-for-international-peace")
    assert experts == [
        {"slug": "alexander-gabuev", "name": "Alexander Gabuev", "response_count": "1"},
        {"slug": "eugene-rumer", "name": "Eugene Rumer", "response_count": "1"},
        {"slug": "gwendolyn-sasse", "name": "Gwendolyn Sasse", "response_count": "1"},
    ]
    units = _csv(client, "/v1/organizations", kind="research_unit", sort="slug")
    assert [(o["slug"], o["parent_slug"], o["expert_count"]) for o in units] == [
        ("carnegie-russia-eurasia-program", "carnegie-endowment-for-international-peace", "0"),
        (
            "center-for-order-and-governance-in-eastern-europe-russia-and-central-asia",
            "german-council-on-foreign-relations",
            "0",
        ),
        ("estonian-foreign-policy-institute", "international-centre-for-defence-and-security", "0"),
        ("robert-schuman-centre-for-advanced-studies", "european-university-institute", "1"),
        ("school-of-transnational-governance", "european-university-institute", "0"),
        ("scowcroft-center-for-strategy-and-security", "atlantic-council", "0"),
    ]
    tags = _csv(client, "/v1/tags", category="instrument")
    assert [(t["slug"], t["argument_count"], t["expert_count"]) for t in tags] == [
        ("defence-industry", "0", "0"),
        ("defence-spending", "0", "0"),
        ("frozen-assets", "4", "4"),
        ("military-aid", "4", "3"),
        ("rearmament", "1", "1"),
        ("sanctions", "4", "3"),
        ("ukraine-funding", "1", "1"),
    ]
    hits = _csv(client, "/v1/search", q='"frozen assets"', type="argument")
    assert sorted((h["expert_slug"], h["argument_position"], h["stance"]) for h in hits) == [
        ("eugene-rumer", "4", "yes"),
        ("jana-kobzova", "4", "yes_conditional"),
        ("stefan-meister", "4", "yes_conditional"),
    ]


@pytest.mark.usefixtures("small_batches")
@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/v1/arguments", {"tag": "united-states"}),
        ("/v1/responses", {"sort": "-word_count"}),
        ("/v1/experts", {}),
        ("/v1/organizations", {"sort": "kind,name"}),
        ("/v1/articles", {}),
        ("/v1/tags", {}),
    ],
)
def test_ndjson_is_the_json_list_one_object_a_line(
    client: TestClient, path: str, params: dict[str, str]
) -> None:
    expected = (
        client.get(path, params=params).json()["items"]
        if path == "/v1/tags"
        else _all_pages(client, path, **params)
    )
    response = client.get(_export(path), params={**params, "format": "ndjson"})
    assert response.headers["content-type"] == "application/x-ndjson"
    name = path.rsplit("/", 1)[1]
    assert response.headers["content-disposition"] == f'attachment; filename="{name}.ndjson"'
    lines = response.content.split(b"\n")
    assert lines[-1] == b""
    assert [orjson.loads(line) for line in lines[:-1]] == expected
    assert response.headers["x-total-count"] == str(len(expected))


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/v1/arguments", {"tag": "united-states"}),
        ("/v1/responses", {"stance": "yes"}),
        ("/v1/experts", {}),
        ("/v1/organizations", {"kind": "research_unit"}),
        ("/v1/articles", {}),
        ("/v1/tags", {"category": "instrument"}),
        ("/v1/search", {"q": "sanctions"}),
    ],
)
@pytest.mark.parametrize("export", ["csv", "ndjson"])
def test_the_lists_format_parameter_answers_the_export(
    client: TestClient, path: str, params: dict[str, str], export: str
) -> None:
    legacy = client.get(path, params={**params, "format": export})
    typed = client.get(_export(path), params={**params, "format": export})
    assert (legacy.status_code, typed.status_code) == (200, 200)
    assert legacy.content == typed.content
    assert legacy.headers["content-disposition"] == typed.headers["content-disposition"]


def test_exports_negotiate_between_csv_and_ndjson(client: TestClient) -> None:
    default = client.get("/v1/exports/tags")
    assert default.headers["content-type"] == "text/csv; charset=utf-8; header=present"
    ndjson = client.get("/v1/exports/tags", headers={"Accept": "application/x-ndjson"})
    assert ndjson.headers["content-type"] == "application/x-ndjson"
    json = client.get("/v1/exports/tags", headers={"Accept": "application/json"})
    assert (json.status_code, json.headers["content-type"]) == (406, "application/problem+json")
    assert json.json()["detail"] == (
        "This resource is available as: text/csv, application/x-ndjson, application/problem+json."
    )


def test_text_wildcard_is_read_by_one_parser(client: TestClient) -> None:
    """`Accept: text/*` takes the first text type a route offers, and is a 406 where it offers
    none: the 406 check and the format choice read the header the same way."""
    listed = client.get("/v1/experts", headers={"Accept": "text/*"})
    assert listed.headers["content-type"] == "text/csv; charset=utf-8; header=present"
    detail = client.get("/v1/experts/samuel-greene", headers={"Accept": "text/*"})
    assert (detail.status_code, detail.headers["content-type"]) == (
        406,
        "application/problem+json",
    )


def test_the_accept_header_picks_the_format(client: TestClient) -> None:
    as_csv = client.get("/v1/experts", headers={"Accept": "text/csv"})
    assert as_csv.headers["content-type"] == "text/csv; charset=utf-8; header=present"
    as_ndjson = client.get("/v1/experts", headers={"Accept": "application/x-ndjson"})
    assert as_ndjson.headers["content-type"] == "application/x-ndjson"
    unknown = client.get("/v1/experts", headers={"Accept": "application/xml"})
    assert (unknown.status_code, unknown.headers["content-type"]) == (
        406,
        "application/problem+json",
    )
    # The query parameter wins over the header.
    both = client.get("/v1/experts", params={"format": "json"}, headers={"Accept": "text/csv"})
    assert both.headers["content-type"] == "application/json"


@pytest.mark.parametrize(
    ("accept", "chosen"),
    [
        ("", "json"),
        ("*/*", "json"),
        ("text/csv", "csv"),
        ("TEXT/CSV; charset=utf-8", "csv"),
        ("application/json, text/csv", "json"),
        ("application/json;q=0.5, text/csv", "csv"),
        ("text/csv;q=0.2, application/x-ndjson;q=0.9", "ndjson"),
        ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "json"),
        ("text/csv;q=0", "json"),
        ("text/csv;q=abc", "csv"),  # an unreadable q counts as 1, as for every route
        ("text/*", "csv"),
    ],
)
def test_negotiation(accept: str, chosen: str) -> None:
    assert negotiate(accept) == chosen


def test_the_format_types_name_the_registered_downloads() -> None:
    """The Literal types (the `format` enum, in order) cannot drift from DOWNLOADS."""
    names = tuple(download.name for download in formats.DOWNLOADS)
    assert get_args(formats.DownloadFormat) == names == ("csv", "ndjson")
    assert get_args(formats.ExportFormat) == ("json", *names)


def test_exports_keep_a_strong_etag(client: TestClient) -> None:
    first = client.get("/v1/arguments", params={"format": "csv"})
    json_list = client.get("/v1/arguments")
    assert first.headers["etag"] != json_list.headers["etag"]
    assert first.headers["vary"].startswith("Accept, Accept-Encoding")
    again = client.get(
        "/v1/arguments", params={"format": "csv"}, headers={"If-None-Match": first.headers["etag"]}
    )
    assert (again.status_code, again.content) == (304, b"")
    by_header = client.get("/v1/arguments", headers={"Accept": "text/csv"})
    assert by_header.headers["etag"] not in (first.headers["etag"], json_list.headers["etag"])


def test_bad_requests_are_problems_before_any_row(client: TestClient) -> None:
    bad_sort = client.get("/v1/arguments", params={"format": "csv", "sort": "nope"})
    assert (bad_sort.status_code, bad_sort.headers["content-type"]) == (
        422,
        "application/problem+json",
    )
    bad_format = client.get("/v1/arguments", params={"format": "xlsx"})
    assert bad_format.status_code == 422
    assert bad_format.json()["invalid_params"][0]["name"] == "format"
