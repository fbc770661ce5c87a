"""URLs in bodies and headers never come from the client's Host (no cache poisoning)."""

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.config import Settings
from app.db import get_session
from app.main import create_app
from tests.support.seed_facts import SEED_SLUG

FORGED = {"Host": "evil.example", "X-Forwarded-Host": "evil.example"}


def client_for(session: Session, **settings: str) -> TestClient:
    app = create_app(Settings(response_cache=False, **settings))  # type: ignore[arg-type]
    app.api.dependency_overrides[get_session] = lambda: session
    return TestClient(app)


@pytest.fixture
def canonical(session: Session) -> Iterator[TestClient]:
    with client_for(session, public_base_url="https://roundup.example.org/") as client:
        yield client


def test_links_are_relative_without_a_base_url(client: TestClient) -> None:
    plain = client.get("/v1/experts?limit=3")
    forged = client.get("/v1/experts?limit=3", headers=FORGED)
    cursor = plain.json()["next_cursor"]
    assert plain.headers["link"] == f'</v1/experts?limit=3&cursor={cursor}>; rel="next"'
    assert forged.headers["link"] == plain.headers["link"]
    assert forged.headers["etag"] == plain.headers["etag"]


def test_links_start_with_the_base_url(canonical: TestClient) -> None:
    response = canonical.get("/v1/experts?limit=3", headers=FORGED)
    cursor = response.json()["next_cursor"]
    assert response.headers["link"] == (
        f'<https://roundup.example.org/v1/experts?limit=3&cursor={cursor}>; rel="next"'
    )


def test_jsonld_ids_never_name_the_clients_host(client: TestClient, canonical: TestClient) -> None:
    path = f"/v1/articles/{SEED_SLUG}/jsonld"
    relative = client.get(path, headers=FORGED)
    absolute = canonical.get(path, headers=FORGED)
    assert relative.json()["@id"] == f"/v1/articles/{SEED_SLUG}"
    assert absolute.json()["@id"] == f"https://roundup.example.org/v1/articles/{SEED_SLUG}"
    assert b"evil.example" not in relative.content + absolute.content
    assert client.get(path).content == relative.content


def test_the_base_url_is_part_of_the_etag(client: TestClient, canonical: TestClient) -> None:
    path = f"/v1/articles/{SEED_SLUG}/jsonld"
    assert client.get(path).headers["etag"] != canonical.get(path).headers["etag"]


@pytest.mark.parametrize(
    "value",
    ["roundup.example.org", "ftp://roundup.example.org", "https://a@b.example", "https://x/?q"],
)
def test_a_base_url_must_be_an_http_url(value: str) -> None:
    with pytest.raises(ValueError, match="ROUNDUP_PUBLIC_BASE_URL must be"):
        Settings(public_base_url=value)
