"""HTTP behaviour: conditional GET, caching headers, CORS, gzip, HEAD, 405, OpenAPI."""

import gzip
import hashlib
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.http.conditional import last_modified
from app.ingest.load import bump_version
from app.ingest.seed import seed
from app.models import DatasetState
from tests.support.seed_facts import SEED_SLUG

DETAIL = f"/v1/articles/{SEED_SLUG}"


def settled(session: Session) -> None:
    """Date the last load 10 s back: Last-Modified is then the second after it."""
    state = session.get(DatasetState, 1)
    assert state is not None
    state.changed_at = datetime.now(UTC).replace(microsecond=0) - timedelta(seconds=10)
    session.flush()


def test_etag_round_trip_gives_304(client: TestClient, session: Session) -> None:
    settled(session)
    first = client.get(DETAIL, headers={"Accept-Encoding": "identity"})
    etag = first.headers["etag"]
    assert etag[0] == etag[-1] == '"'
    assert len(etag) == 34
    assert first.headers["cache-control"] == "public, max-age=60"
    assert first.headers["vary"] == "Accept, Accept-Encoding, Origin"
    assert first.headers["last-modified"].endswith(" GMT")

    again = client.get(DETAIL, headers={"If-None-Match": etag})
    assert (again.status_code, again.content) == (304, b"")
    assert again.headers["etag"] == etag
    assert client.get(DETAIL, headers={"If-None-Match": f'"other", {etag}'}).status_code == 304
    assert client.get(DETAIL, headers={"If-None-Match": '"other"'}).status_code == 200
    since = first.headers["last-modified"]
    assert client.get(DETAIL, headers={"If-Modified-Since": since}).status_code == 304


def test_if_modified_since_never_hides_a_change_in_the_same_second(
    client: TestClient, session: Session
) -> None:
    """Loads stamp whole seconds; back to back, two land in one second."""
    answers = []
    for _ in range(20):
        bump_version(session)
        first = client.get(DETAIL)
        bump_version(session)  # the data changes again, most often within the same second
        since = {"If-Modified-Since": first.headers["last-modified"]}
        answers.append(client.get(DETAIL, headers=since).status_code)
    assert answers == [200] * 20


def test_a_date_only_client_revalidates_once_the_change_has_settled(
    client: TestClient, session: Session
) -> None:
    settled(session)
    state = session.get(DatasetState, 1)
    assert state is not None
    first = client.get(DETAIL)
    assert first.headers["last-modified"] == format_datetime(
        state.changed_at + timedelta(seconds=1), usegmt=True
    )
    since = {"If-Modified-Since": first.headers["last-modified"]}
    assert client.get(DETAIL, headers=since).status_code == 304
    bump_version(session)
    assert client.get(DETAIL, headers=since).status_code == 200


@pytest.mark.parametrize(
    ("now", "printed"),
    [
        ("12:00:00.500", "12:00:00"),  # within the second of the change
        ("12:00:02.999", "12:00:00"),  # a load stamped 12:00:00 may still commit
        ("12:00:03", "12:00:01"),  # settled: the second after the change
        ("13:00:00", "12:00:01"),
    ],
)
def test_last_modified(now: str, printed: str) -> None:
    def at(clock: str) -> datetime:
        return datetime.fromisoformat(f"2026-01-01T{clock}+00:00")

    assert last_modified(at("12:00:00"), now=at(now)) == at(printed)


def test_etag_differs_per_url_and_representation(client: TestClient) -> None:
    tags = {
        client.get(url, headers=headers).headers["etag"]
        for url, headers in [
            ("/v1/responses", {}),
            ("/v1/responses?stance=yes", {}),
            ("/v1/responses", {"Accept-Encoding": "identity"}),
            ("/v1/responses", {"Accept": "application/json"}),
        ]
    }
    assert len(tags) == 4


def test_etag_changes_when_a_reseed_changes_data(
    client: TestClient, session: Session, seed_copy: Path
) -> None:
    etag = client.get(DETAIL).headers["etag"]
    seed(session, [seed_copy], seed_copy)  # unchanged data: same version, same ETag
    assert client.get(DETAIL, headers={"If-None-Match": etag}).status_code == 304

    source = seed_copy / f"{SEED_SLUG}.txt"
    source.write_text(
        source.read_text(encoding="utf-8").replace("In other words, first things first.", "."),
        encoding="utf-8",
    )
    report = seed(session, [seed_copy], seed_copy)
    assert str(report) == "0 inserted, 2 updated, 0 deleted"  # the answer; the source hash

    changed = client.get(DETAIL, headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.headers["etag"] != etag
    greene = changed.json()["responses"][1]
    assert greene["body"].endswith("provoke new fighting. .")


def test_errors_are_not_cached(client: TestClient) -> None:
    response = client.get("/v1/articles/missing")
    assert response.status_code == 404
    assert "etag" not in response.headers


def test_cors(client: TestClient) -> None:
    response = client.get("/v1/tags", headers={"Origin": "https://example.org"})
    assert response.headers["access-control-allow-origin"] == "*"
    assert response.headers["access-control-expose-headers"] == (
        "Content-Disposition, ETag, Last-Modified, Link, Repr-Digest, Retry-After, X-Total-Count"
    )
    preflight = client.options(
        "/v1/tags",
        headers={
            "Origin": "https://example.org",
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "if-none-match, if-modified-since, cache-control",
        },
    )
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-methods"] == "GET, HEAD, OPTIONS"
    assert preflight.headers["access-control-allow-headers"] == (
        "Accept, Accept-Language, Cache-Control, Content-Language, Content-Type,"
        " If-Modified-Since, If-None-Match, Pragma, X-Requested-With"
    )


def test_gzip_for_larger_bodies(client: TestClient) -> None:
    big = client.get(DETAIL, headers={"Accept-Encoding": "gzip", "Origin": "https://a.example"})
    assert big.headers["content-encoding"] == "gzip"
    assert big.headers["vary"] == "Accept, Accept-Encoding, Origin"
    identity = client.get(DETAIL, headers={"Accept-Encoding": "identity"}).content
    assert big.content == identity
    # Level 6: level 9 costs half as much CPU again for under 1% fewer bytes.
    sent = int(big.headers["content-length"])
    assert sent == len(gzip.compress(identity, compresslevel=6))
    assert sent != len(gzip.compress(identity, compresslevel=9))
    small = client.get("/healthz", headers={"Accept-Encoding": "gzip"})
    assert "content-encoding" not in small.headers


def test_head_is_get_without_a_body(client: TestClient) -> None:
    get = client.get(DETAIL, headers={"Accept-Encoding": "identity"})
    head = client.head(DETAIL, headers={"Accept-Encoding": "identity"})
    assert (head.status_code, head.content) == (200, b"")
    assert head.headers["etag"] == get.headers["etag"]
    assert head.headers["content-length"] == get.headers["content-length"]


def test_other_methods_are_405_problems(client: TestClient) -> None:
    for method in ("POST", "PUT", "PATCH", "DELETE"):
        response = client.request(method, DETAIL)
        assert response.status_code == 405
        assert response.headers["content-type"] == "application/problem+json"
        assert response.headers["allow"] == "GET, HEAD, OPTIONS"
        assert response.json() == {
            "type": "about:blank",
            "title": "Method Not Allowed",
            "status": 405,
            "detail": f"{method} is not allowed here; allowed: GET, HEAD, OPTIONS.",
            "instance": DETAIL,
        }


def test_openapi_documents_every_operation(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    assert spec["openapi"].startswith("3.1")
    operations = [
        (path, method, op) for path, item in spec["paths"].items() for method, op in item.items()
    ]
    assert {path for path, _, _ in operations} >= {
        "/healthz",
        "/readyz",
        "/v1/meta",
        "/v1/articles",
        "/v1/articles/{slug}",
        "/v1/experts",
        "/v1/experts/{slug}",
        "/v1/organizations",
        "/v1/organizations/{slug}",
        "/v1/responses",
        "/v1/arguments",
        "/v1/tags",
        "/v1/tags/{slug}",
    }
    for path, method, op in operations:
        assert method == "get", path
        assert op["summary"], path
        assert op["description"], path
        for parameter in op.get("parameters", []):
            assert parameter.get("description"), (path, parameter["name"])
        if path.startswith("/v1/"):
            assert "400" in op["responses"], path
            problem = op["responses"]["400"]["content"]
            assert "application/problem+json" in problem, path
    assert client.get("/docs").status_code == 200


def test_the_etag_names_the_bytes_not_the_encoding(client: TestClient) -> None:
    small = "/v1/meta"  # under the 1 KB gzip threshold: the same bytes either way
    plain = client.get(small, headers={"Accept-Encoding": "identity"})
    gzip = client.get(small, headers={"Accept-Encoding": "gzip"})
    assert "content-encoding" not in gzip.headers
    assert (gzip.content, gzip.headers["etag"]) == (plain.content, plain.headers["etag"])

    identity = client.get(DETAIL, headers={"Accept-Encoding": "identity"})
    zipped = client.get(DETAIL, headers={"Accept-Encoding": "gzip"})
    assert zipped.headers["content-encoding"] == "gzip"
    assert zipped.headers["etag"] == identity.headers["etag"][:-1] + '-gzip"'
    again = client.get(
        DETAIL, headers={"Accept-Encoding": "gzip", "If-None-Match": zipped.headers["etag"]}
    )
    assert (again.status_code, again.headers["etag"]) == (304, zipped.headers["etag"])
    # Without gzip, the gzip body's ETag names nothing this client can get.
    other = client.get(
        DETAIL, headers={"Accept-Encoding": "identity", "If-None-Match": zipped.headers["etag"]}
    )
    assert (other.status_code, other.headers["etag"]) == (200, identity.headers["etag"])


def test_the_explorer_page_answers_304(client: TestClient) -> None:
    page = client.get("/", headers={"Accept-Encoding": "identity"})
    etag = page.headers["etag"]
    again = client.get("/", headers={"Accept-Encoding": "identity", "If-None-Match": etag})
    assert (again.status_code, again.content) == (304, b"")
    assert again.headers["etag"] == etag
    assert again.headers["cache-control"] == "no-cache"
    assert again.headers["last-modified"] == page.headers["last-modified"]
    zipped = client.get("/", headers={"Accept-Encoding": "gzip"})
    assert zipped.headers["etag"] == etag[:-1] + '-gzip"'
    revalidated = client.get(
        "/", headers={"Accept-Encoding": "gzip", "If-None-Match": zipped.headers["etag"]}
    )
    assert revalidated.status_code == 304
    style = client.get("/static/style.css", headers={"Accept-Encoding": "gzip"})
    assert style.headers["content-encoding"] == "gzip"
    assert (
        client.get(
            "/static/style.css",
            headers={"Accept-Encoding": "gzip", "If-None-Match": style.headers["etag"]},
        ).status_code
        == 304
    )


def test_the_openapi_document_has_a_validator(client: TestClient) -> None:
    document = client.get("/openapi.json", headers={"Accept-Encoding": "identity"})
    digest = hashlib.sha256(document.content).hexdigest()[:32]
    assert document.headers["etag"] == f'"{digest}"'
    assert document.headers["cache-control"] == "public, max-age=60"
    again = client.get(
        "/openapi.json",
        headers={"Accept-Encoding": "identity", "If-None-Match": document.headers["etag"]},
    )
    assert (again.status_code, again.content) == (304, b"")
    assert again.headers["etag"] == document.headers["etag"]


def test_cache_busters_and_tracking_parameters_are_ignored(client: TestClient) -> None:
    plain = client.get("/v1/tags", params={"category": "actor"})
    tagged = client.get(
        "/v1/tags",
        params={"category": "actor", "_": "1733302800000", "utm_source": "newsletter"},
    )
    assert (tagged.status_code, tagged.json()) == (200, plain.json())
    assert tagged.headers["etag"] != plain.headers["etag"]  # another URL, its own validator
    typo = client.get("/v1/responses", params={"stnace": "yes", "_": "1"})
    assert (typo.status_code, [p["name"] for p in typo.json()["invalid_params"]]) == (
        400,
        ["stnace"],
    )
