"""Hostile requests through the whole app: each gets its documented problem, nothing leaks.

List routes and their query parameters are read from the app's own route definitions (the
way app/params.py reads them), so a new endpoint is covered without editing this file.
"""

from typing import Any
from urllib.parse import quote, unquote

import pytest
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.testclient import TestClient
from sqlmodel import Session, func, select

from app.db import get_session
from app.main import create_app
from app.models import Argument, Article, Tag
from app.params import _accepted
from tests.support.seed_facts import SEED_SLUG

PROBLEM = "application/problem+json"
SQL_INJECTIONS = [
    "' OR '1'='1",
    "x' OR 1=1 --",
    '" OR ""="',
    "1; DROP TABLE article; --",
    "') UNION SELECT version(), NULL, NULL --",
    "%' OR slug LIKE '%",
    "-published_on; DELETE FROM tag",
]
# What an injection string in each parameter gets: 200 (a text filter that matches nothing),
# 422 (a typed or whitelisted value) or 400 (the cursor). Keyed by (path, name) or name.
EXPECTED: dict[Any, int] = {
    "article": 200,
    "expert": 200,
    "organization": 200,
    "series": 200,
    "category": 200,
    ("/v1/organizations", "kind"): 200,
    ("/v1/exports/organizations", "kind"): 200,
    "kind": 422,
    "stance": 422,
    "tag": 422,
    "tag_match": 422,
    "published_from": 422,
    "published_to": 422,
    "sort": 422,
    "facets": 422,
    "limit": 422,
    "cursor": 400,
}
# Parameters a route requires, sent with every attack on its other parameters.
REQUIRED: dict[str, dict[str, str]] = {
    "/v1/search": {"q": "frozen"},
    "/v1/exports/search": {"q": "frozen", "format": "ndjson"},
    **{
        f"/v1/exports/{name}": {"format": "ndjson"}
        for name in ("articles", "experts", "organizations", "responses", "arguments", "tags")
    },
}
APP_ROUTES = [
    route
    for route in iter_route_contexts(create_app().api.routes)
    if isinstance(route.original_route, APIRoute) and route.path != "/docs"
]
LIST_PARAMS = [
    (route.path, name)
    for route in APP_ROUTES
    if "{" not in str(route.path)
    for name in sorted(_accepted(str(route.path), str(route.name), route.dependant))
]
DETAIL_PATHS = [str(route.path) for route in APP_ROUTES if str(route.path).endswith("/{slug}")]
ALL_PATHS = sorted(
    {str(route.path).replace("{slug}", SEED_SLUG) for route in APP_ROUTES}
    | {"/docs", "/openapi.json"}
)


def problem(status: int, title: str, detail: str, instance: str, **extra: Any) -> dict[str, Any]:
    return {
        "type": "about:blank",
        "title": title,
        "status": status,
        "detail": detail,
        "instance": instance,
        **extra,
    }


def table_counts(session: Session) -> tuple[int, int, int]:
    return (
        session.exec(select(func.count()).select_from(Article)).one(),
        session.exec(select(func.count()).select_from(Argument)).one(),
        session.exec(select(func.count()).select_from(Tag)).one(),
    )


def test_every_list_parameter_is_covered() -> None:
    assert ("/v1/responses", "stance") in LIST_PARAMS
    assert ("/v1/arguments", "kind") in LIST_PARAMS
    assert len(DETAIL_PATHS) == 4


@pytest.mark.parametrize(("path", "name"), LIST_PARAMS)
def test_sql_injection_in_every_query_parameter(
    client: TestClient, session: Session, path: str, name: str
) -> None:
    before = table_counts(session)
    for attack in SQL_INJECTIONS:
        response = client.get(path, params={**REQUIRED.get(path, {}), name: attack})
        expected = EXPECTED.get((path, name), EXPECTED.get(name))
        if expected is None:  # a parameter added after this table: no 5xx, a problem if 4xx
            assert response.status_code in (200, 400, 422), (name, attack)
        else:
            assert response.status_code == expected, (name, attack, response.text)
        if name == "q" and response.status_code == 200:
            continue  # the injection is searched for as words, and may well match some
        if response.status_code == 200 and path.startswith("/v1/exports/"):
            assert response.content == b"", (name, attack)  # NDJSON: no line
        elif response.status_code == 200:
            body = response.json()
            assert (body["total"], body["items"]) == (0, []), (name, attack)
        else:
            assert response.headers["content-type"] == PROBLEM
            body = response.json()
            assert body["status"] == response.status_code
            assert {p["name"] for p in body["invalid_params"]} == {name}
    assert table_counts(session) == before


@pytest.mark.parametrize("path", DETAIL_PATHS)
@pytest.mark.parametrize(
    "segment",
    [
        *(quote(attack, safe="") for attack in SQL_INJECTIONS),
        "%2E%2E%2F%2E%2E%2Fetc%2Fpasswd",
        "..%5C..%5Capp%5Cconfig.py",
        "%2E%2E",
        quote(SEED_SLUG.replace("a", "\u0430")),  # Cyrillic a
        quote(SEED_SLUG.replace("-", "\u2010")),  # Unicode hyphen
        quote("\uff54\uff41\uff4b\uff49\uff4e\uff47"),  # full-width "taking"
        quote(SEED_SLUG.upper()),
        quote("x" * 201),
    ],
)
def test_hostile_slugs_are_not_found(client: TestClient, path: str, segment: str) -> None:
    kind = path.split("/")[2].removesuffix("s")
    target = path.replace("{slug}", segment)
    slug = unquote(segment)
    response = client.get(target)
    assert response.headers["content-type"] == PROBLEM
    body = response.json()
    # The path as the server echoes it: percent-decoded or not, it is this request's.
    assert body.pop("instance") in (target, unquote(target))
    if "/" in slug:  # an encoded slash splits the slug: no route has that many segments
        assert (response.status_code, body["detail"]) == (404, "Not Found")
    elif len(slug) > 200:
        assert response.status_code == 422
        assert body["invalid_params"][0]["name"] == "slug"
    else:
        expected = problem(404, "Not Found", f"No {kind} with slug {slug!r}.", "")
        del expected["instance"]
        assert (response.status_code, body) == (404, expected)


@pytest.mark.parametrize("limit", ["-1", "0", str(10**9), "1e3", "ten", ""])
def test_out_of_range_limits(client: TestClient, limit: str) -> None:
    response = client.get(f"/v1/responses?limit={limit}")
    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM
    assert [p["name"] for p in response.json()["invalid_params"]] == ["limit"]


def test_largest_limit_is_accepted(client: TestClient) -> None:
    response = client.get("/v1/arguments?limit=500")
    assert (response.status_code, len(response.json()["items"])) == (200, 41)


def _cursor_problem(path: str) -> dict[str, Any]:
    return problem(
        400,
        "Bad Request",
        "The cursor is not valid for this query; start again without it.",
        path,
        invalid_params=[{"name": "cursor", "reason": "malformed, altered or foreign"}],
    )


def test_malformed_and_tampered_cursors(client: TestClient) -> None:
    cursor = client.get("/v1/arguments?limit=2").json()["next_cursor"]
    assert client.get("/v1/arguments", params={"limit": 2, "cursor": cursor}).status_code == 200
    body, signature = cursor.split(".")
    flipped = body[:-1] + ("A" if body[-1] != "A" else "B")
    for bad in [
        "",
        "x",
        ".",
        "..",
        "not-a-cursor",
        f"{flipped}.{signature}",  # payload altered, signature kept
        f"{body}.{signature[::-1]}",  # signature altered
        f"{body}.{signature}.{signature}",
        f"{body}",
        "e30.AAAAAAAAAAAAAAAA",  # {} with a made-up signature
        "\u00e9t\u00e9." + signature,
        "A" * 1000,
    ]:
        response = client.get("/v1/arguments", params={"limit": 2, "cursor": bad})
        assert (response.status_code, response.json()) == (
            400,
            _cursor_problem("/v1/arguments"),
        ), bad
    # A genuine cursor replayed with other filters or another sort is refused too.
    others: list[dict[str, str]] = [{"kind": "claim"}, {"sort": "position"}]
    for other in others:
        response = client.get("/v1/arguments", params={"limit": "2", **other, "cursor": cursor})
        assert (response.status_code, response.json()) == (400, _cursor_problem("/v1/arguments"))
    # A cursor longer than 1,000 characters is refused before it is read.
    response = client.get("/v1/arguments", params={"cursor": "A" * 1001})
    assert response.status_code == 422


@pytest.mark.parametrize(
    ("query", "reason"),
    [
        ("article=%ZZ", "has invalid percent-encoding"),
        ("article=%4", "has invalid percent-encoding"),
        ("article=100%", "has invalid percent-encoding"),
        ("article=%C0%AF", "is not valid UTF-8"),  # overlong "/"
        ("article=%E0%80%AF", "is not valid UTF-8"),  # overlong "/", three bytes
        ("article=%C0%AE%C0%AE", "is not valid UTF-8"),  # overlong ".."
        ("article=%ED%A0%80", "is not valid UTF-8"),  # a UTF-16 surrogate
        ("article=%FF", "is not valid UTF-8"),
        ("article=a%00b", "contains control characters"),
        ("article=a%0Ab", "contains control characters"),
        ("article=a%7Fb", "contains control characters"),
    ],
)
def test_bad_encoding_in_the_query(client: TestClient, query: str, reason: str) -> None:
    response = client.get(f"/v1/responses?{query}")
    assert response.headers["content-type"] == PROBLEM
    assert (response.status_code, response.json()) == (
        400,
        problem(400, "Bad Request", f"The request target {reason}.", "/v1/responses"),
    )


@pytest.mark.parametrize(
    ("segment", "reason"),
    [
        ("%C0%AE%C0%AE", "is not valid UTF-8"),
        ("%E0%80%AE", "is not valid UTF-8"),
        ("bad%zzslug", "has invalid percent-encoding"),
        ("nul%00", "contains control characters"),
    ],
)
def test_bad_encoding_in_the_path(client: TestClient, segment: str, reason: str) -> None:
    response = client.get(f"/v1/articles/{segment}")
    assert response.headers["content-type"] == PROBLEM
    body = response.json()
    assert (response.status_code, body["detail"]) == (400, f"The request target {reason}.")


def test_a_16_kb_query_string_is_414(client: TestClient) -> None:
    response = client.get("/v1/responses?article=" + "a" * 16 * 1024)
    assert response.headers["content-type"] == PROBLEM
    assert (response.status_code, response.json()) == (
        414,
        problem(
            414,
            "Request-URI Too Long",
            "The request target is longer than 8192 bytes.",
            "/v1/responses",
        ),
    )


def test_a_thousand_repeated_parameters(client: TestClient) -> None:
    # Under the URL limit: repeated values are merged, the last scalar wins.
    one = client.get("/v1/responses?stance=yes&limit=2").json()
    response = client.get("/v1/responses?" + "stance=yes&" * 600 + "limit=2")
    assert (response.status_code, response.json()) == (200, one)
    response = client.get("/v1/experts?" + "limit=3&" * 999 + "limit=2")
    assert (response.status_code, len(response.json()["items"])) == (200, 2)
    # A thousand of them is past the 8 KB limit.
    response = client.get("/v1/responses?" + "&".join(["stance=yes"] * 1000))
    assert (response.status_code, response.json()["detail"]) == (
        414,
        "The request target is longer than 8192 bytes.",
    )


def test_unknown_parameters(client: TestClient) -> None:
    response = client.get("/v1/responses?stnace=yes&limit=2&x[$ne]=1")
    assert response.headers["content-type"] == PROBLEM
    body = response.json()
    assert (response.status_code, body["detail"]) == (
        400,
        "Unknown query parameter(s): stnace, x[$ne].",
    )
    assert [p["name"] for p in body["invalid_params"]] == ["stnace", "x[$ne]"]


@pytest.mark.parametrize(
    ("accept", "status"),
    [
        (None, 200),
        ("application/json", 200),
        ("application/problem+json", 200),
        ("*/*", 200),
        ("application/*", 200),
        ("text/html, application/json;q=0.1", 200),
        ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", 200),
        ("text/html", 406),
        ("text/csv", 406),
        ("image/*", 406),
        ("application/xml", 406),
        ("application/json;q=0", 406),
        ("application/json;q=0, application/problem+json;q=0, text/*", 406),
        ("*/*;q=0", 406),
        ("garbage", 200),
    ],
)
def test_accept(client: TestClient, accept: str | None, status: int) -> None:
    headers = {"Accept": accept} if accept is not None else {}
    for path in ("/v1/meta", f"/v1/articles/{SEED_SLUG}", "/healthz"):  # JSON only
        response = client.get(path, headers=headers)
        assert response.status_code == status, (path, accept)
        if status == 406:
            assert response.headers["content-type"] == PROBLEM
            assert response.json() == problem(
                406,
                "Not Acceptable",
                "This resource is available as: application/json, application/problem+json.",
                path,
            )
        else:
            assert response.headers["content-type"] == "application/json"


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE", "TRACE", "CONNECT"])
def test_only_get_head_and_options_exist(client: TestClient, method: str) -> None:
    for path in ALL_PATHS:
        response = client.request(method, path, content=b'{"slug": "x"}')
        assert response.headers["allow"] == "GET, HEAD, OPTIONS", path
        assert response.headers["content-type"] == PROBLEM
        assert (response.status_code, response.json()) == (
            405,
            problem(
                405,
                "Method Not Allowed",
                f"{method} is not allowed here; allowed: GET, HEAD, OPTIONS.",
                path,
            ),
        )
    response = client.request(method, "/v1/nothing-here")
    assert response.status_code == 404


def test_options_lists_the_methods(client: TestClient) -> None:
    for path in ALL_PATHS:
        response = client.options(path)
        assert (response.status_code, response.content) == (204, b""), path
        assert response.headers["allow"] == "GET, HEAD, OPTIONS"
    assert client.options("/v1/nothing-here").status_code == 404


def test_cors_preflight(client: TestClient) -> None:
    response = client.options(
        "/v1/tags",
        headers={"Origin": "https://example.org", "Access-Control-Request-Method": "GET"},
    )
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == "*"
    assert response.headers["access-control-allow-methods"] == "GET, HEAD, OPTIONS"


def test_head_is_get_without_the_body(client: TestClient) -> None:
    for path in ALL_PATHS:
        get = client.get(path)
        head = client.head(path)
        assert (head.status_code, head.content) == (get.status_code, b""), path
        assert {k: v for k, v in head.headers.items() if k != "date"} == {
            k: v for k, v in get.headers.items() if k != "date"
        }


SECURITY_HEADERS = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
}


@pytest.mark.parametrize(
    ("method", "target", "status"),
    [
        ("GET", f"/v1/articles/{SEED_SLUG}", 200),
        ("GET", "/openapi.json", 200),
        ("GET", "/v1/articles/nope", 404),
        ("GET", "/v1/responses?limit=0", 422),
        ("GET", "/v1/responses?bad=1", 400),
        ("GET", "/v1/responses?article=%ZZ", 400),
        ("GET", "/v1/responses?article=" + "a" * 9000, 414),
        ("DELETE", "/v1/tags", 405),
        ("OPTIONS", "/v1/tags", 204),
        ("HEAD", "/v1/tags", 200),
    ],
)
def test_security_headers_on_every_response(
    client: TestClient, method: str, target: str, status: int
) -> None:
    response = client.request(method, target)
    assert response.status_code == status
    assert {name: response.headers.get(name) for name in SECURITY_HEADERS} == SECURITY_HEADERS
    assert response.headers["content-security-policy"] == (
        "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
    )
    assert "server" not in response.headers


def test_the_docs_page_runs_only_its_own_scripts(client: TestClient) -> None:
    response = client.get("/docs")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    policy = dict(
        directive.strip().split(" ", 1)
        for directive in response.headers["content-security-policy"].split(";")
    )
    assert policy["default-src"] == "'none'"
    assert policy["frame-ancestors"] == "'none'"
    assert policy["connect-src"] == "'self'"
    assert "'unsafe-inline'" not in policy["script-src"]
    assert policy["script-src"].startswith("https://cdn.jsdelivr.net 'sha256-")
    assert response.headers["x-content-type-options"] == "nosniff"
    assert client.get("/redoc").status_code == 404


def test_an_unexpected_error_names_no_internals(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    def explode(*_: object) -> None:
        raise RuntimeError("SELECT secret FROM article WHERE password = 'hunter2'")

    monkeypatch.setattr("app.queries.articles.article_document", explode)
    app = create_app()
    app.api.dependency_overrides[get_session] = lambda: session
    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get(f"/v1/articles/{SEED_SLUG}")
    assert response.headers["content-type"] == PROBLEM
    assert (response.status_code, response.json()) == (
        500,
        problem(
            500,
            "Internal Server Error",
            "An unexpected error occurred.",
            f"/v1/articles/{SEED_SLUG}",
        ),
    )
    assert response.headers["x-content-type-options"] == "nosniff"
