"""The explorer's page and static files over HTTP (the browser tests are in tests/e2e)."""

import re

from fastapi.testclient import TestClient

from app.routes.explorer import CONTENT_SECURITY_POLICY, STATIC_DIR


def test_page_is_served_at_root_with_a_strict_csp(client: TestClient) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["cache-control"] == "no-cache"
    assert '<script type="module" src="/static/js/app.js"></script>' in response.text


def test_view_state_in_the_query_string_is_not_an_unknown_parameter(client: TestClient) -> None:
    for query in ("article=x", "tag=frozen-assets", "q=frozen+assets", "expert=x", "other=1"):
        assert client.get(f"/?{query}").status_code == 200


def test_head_answers_like_get(client: TestClient) -> None:
    response = client.head("/")
    assert (response.status_code, response.content) == (200, b"")
    assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY


def test_the_page_under_static_has_the_same_policy(client: TestClient) -> None:
    root = client.get("/")
    for response in (client.get("/static/index.html"), client.head("/static/index.html")):
        assert response.status_code == 200
        assert response.headers["content-type"] == "text/html; charset=utf-8"
        for name in ("content-security-policy", "referrer-policy", "x-content-type-options"):
            assert response.headers[name] == root.headers[name], name
    assert client.get("/static/index.html").content == root.content


def test_static_files(client: TestClient) -> None:
    script = client.get("/static/js/app.js")
    assert script.status_code == 200
    assert script.headers["content-type"] == "text/javascript; charset=utf-8"
    assert script.headers["cache-control"] == "no-cache"
    assert script.headers["x-content-type-options"] == "nosniff"
    assert client.get("/static/style.css").headers["content-type"] == "text/css; charset=utf-8"
    assert (
        client.get(
            "/static/js/app.js", headers={"If-None-Match": script.headers["etag"]}
        ).status_code
        == 304
    )

    missing = client.get("/static/missing.js")
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"
    assert client.get("/static/../app/main.py").status_code == 404


def test_page_is_not_part_of_the_api_schema(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert [path for path in paths if not path.startswith(("/v1/", "/healthz", "/readyz"))] == []


def test_html_and_scripts_need_nothing_a_strict_csp_forbids() -> None:
    html = (STATIC_DIR / "index.html").read_text(encoding="utf-8")
    assert re.findall(r"<script(?![^>]*\ssrc=)[^>]*>", html) == []  # no inline script
    assert re.findall(r"<style|\sstyle=|\son[a-z]+=", html) == []  # no inline style/handlers
    for path in sorted(STATIC_DIR.rglob("*.js")):
        source = path.read_text(encoding="utf-8")
        for forbidden in (
            "innerHTML",
            "outerHTML",
            "insertAdjacentHTML",
            "eval(",
            "Function(",
            ".style.",
        ):
            assert forbidden not in source, (path.name, forbidden)
        # Only relative URLs: the explorer talks to its own origin alone.
        assert re.findall(r"https?://(?!www\.w3\.org/2000/svg)", source) == [], path.name
