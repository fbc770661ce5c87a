"""Cursors: signed with the deployment's secret, every decoded value checked, offsets capped."""

import base64
import hashlib
import hmac
import json
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import orjson
import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, create_engine

from app.config import Settings
from app.db import get_session
from app.main import create_app
from app.models import Article, DeploymentSecret
from app.queries import search
from app.queries.paging import cursor_secret
from tests.support.databases import migrate

LISTS = {
    "/v1/articles": {"limit": "1"},
    "/v1/experts": {"limit": "2"},
    "/v1/organizations": {"limit": "2"},
    "/v1/responses": {"limit": "2", "sort": "-published_on,expert,word_count"},
    "/v1/arguments": {"limit": "2", "sort": "stance,position"},
    "/v1/search": {"limit": "2", "q": "russia"},
}
# Impossible for every column a cursor holds: dates, strings, enumerations and integers.
FORGED: list[Any] = [None, True, False, {}, {"a": 1}, [], [1], 2**63 - 1, 2**64, 1.5, "x" * 501]
BAD_CURSOR = {
    "type": "about:blank",
    "title": "Bad Request",
    "status": 400,
    "detail": "The cursor is not valid for this query; start again without it.",
    "invalid_params": [{"name": "cursor", "reason": "malformed, altered or foreign"}],
}


@pytest.fixture
def second_article(session: Session) -> None:
    """The seed has one article; a second one gives /v1/articles a next page."""
    session.add(
        Article(
            slug="an-older-roundup",
            title="An older roundup",
            question="Why?",
            published_on=date(2020, 1, 1),
            publisher="Nobody",
            source_sha256="0" * 64,
            loaded_at=datetime(2020, 1, 1, tzinfo=UTC),
        )
    )
    session.flush()


def _genuine(client: TestClient, path: str) -> str:
    cursor = client.get(path, params=LISTS[path]).json()["next_cursor"]
    assert isinstance(cursor, str)
    return cursor


def _payload(cursor: str) -> dict[str, Any]:
    body = cursor.split(".")[0]
    data: dict[str, Any] = orjson.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    return data


def _signed(payload: Any, secret: bytes) -> str:
    body = base64.urlsafe_b64encode(json.dumps(payload).encode()).rstrip(b"=")
    mac = base64.urlsafe_b64encode(hmac.new(secret, body, hashlib.sha256).digest()[:12])
    return (body + b"." + mac.rstrip(b"=")).decode()


def _get(client: TestClient, path: str, cursor: str) -> tuple[int, Any]:
    response = client.get(path, params={**LISTS[path], "cursor": cursor})
    return response.status_code, response.json()


def _refused(path: str) -> tuple[int, Any]:
    return 400, {**BAD_CURSOR, "instance": path}


def _forgeries(values: list[Any]) -> Iterator[list[Any]]:
    """`values` with one of them replaced by an impossible value, each position in turn;
    strings where numbers belong and numbers where strings or dates belong too."""
    for index, value in enumerate(values):
        wrong_kind: list[Any] = ["7", -1] if isinstance(value, int) else [7, -1]
        for forged in [*FORGED, *wrong_kind]:
            yield [*values[:index], forged, *values[index + 1 :]]


@pytest.mark.usefixtures("second_article")
@pytest.mark.parametrize("path", LISTS)
def test_forged_values_signed_with_the_secret_are_a_400(
    client: TestClient, session: Session, path: str
) -> None:
    secret = cursor_secret(session)
    genuine = _payload(_genuine(client, path))
    # Re-signing the genuine values is accepted: the forgeries below differ in one value only.
    assert _get(client, path, _signed(genuine, secret))[0] == 200
    forgeries = list(_forgeries(genuine["v"]))
    assert len(forgeries) == 13 * len(genuine["v"])
    for values in forgeries:
        assert _get(client, path, _signed({**genuine, "v": values}, secret)) == _refused(path), (
            values
        )


@pytest.mark.usefixtures("second_article")
@pytest.mark.parametrize("path", LISTS)
def test_forged_shapes_signed_with_the_secret_are_a_400(
    client: TestClient, session: Session, path: str
) -> None:
    secret = cursor_secret(session)
    genuine = _payload(_genuine(client, path))
    shapes: list[Any] = [
        None,
        [],
        "v",
        {},
        {"v": genuine["v"]},
        {"q": genuine["q"]},
        {**genuine, "v": None},
        {**genuine, "v": {}},
        {**genuine, "v": [*genuine["v"], 1]},
        {**genuine, "v": genuine["v"][1:]},
        {**genuine, "q": None},
    ]
    for shape in shapes:
        assert _get(client, path, _signed(shape, secret)) == _refused(path), shape


@pytest.mark.usefixtures("second_article")
@pytest.mark.parametrize("path", LISTS)
def test_a_cursor_signed_with_the_old_public_key_is_refused(client: TestClient, path: str) -> None:
    genuine = _payload(_genuine(client, path))
    assert _get(client, path, _signed(genuine, b"roundup-cursor-v1")) == _refused(path)


def test_search_offsets_are_capped(
    client: TestClient, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    secret = cursor_secret(session)
    genuine = _payload(_genuine(client, "/v1/search"))
    assert genuine["v"] == [2]
    for offset in [0, search.MAX_DEPTH, 2**31, 2**63 - 1]:
        forged = _signed({**genuine, "v": [offset]}, secret)
        assert _get(client, "/v1/search", forged) == _refused("/v1/search"), offset
    # The deepest offset allowed reads nothing more than one page.
    last = _signed({**genuine, "v": [search.MAX_DEPTH - 1]}, secret)
    status, body = _get(client, "/v1/search", last)
    assert (status, body["items"], body["next_cursor"]) == (200, [], None)
    # Pages stop at MAX_DEPTH hits: here 5, so pages of 2 hold 2, 2 and 1 hits.
    monkeypatch.setattr(search, "MAX_DEPTH", 5)
    sizes, cursor = [], None
    while True:
        params = {"q": "russia", "limit": "2", **({"cursor": cursor} if cursor else {})}
        body = client.get("/v1/search", params=params).json()
        sizes.append(len(body["items"]))
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert sizes == [2, 2, 1]
    assert body["total"] > 5


def test_the_configured_secret_signs_cursors(client: TestClient, session: Session) -> None:
    stored = _genuine(client, "/v1/experts")
    key = "a-configured-secret-of-some-length"
    app = create_app(Settings(cursor_secret=key))
    app.api.dependency_overrides[get_session] = lambda: session
    with TestClient(app) as configured_client:
        configured = _genuine(configured_client, "/v1/experts")
        assert cursor_secret(session) == key.encode()
        assert configured != stored
        assert _get(configured_client, "/v1/experts", configured)[0] == 200
        assert _get(configured_client, "/v1/experts", stored) == _refused("/v1/experts")
    assert _get(client, "/v1/experts", stored)[0] == 200
    assert _get(client, "/v1/experts", configured) == _refused("/v1/experts")


@pytest.mark.sqlite  # two scratch SQLite files suffice
def test_each_database_gets_its_own_random_secret(tmp_path: Path, session: Session) -> None:
    secrets = []
    for name in ["a.db", "b.db"]:
        url = f"sqlite:///{tmp_path / name}"
        migrate(url)
        engine = create_engine(url)
        with Session(engine) as other:
            stored = other.get(DeploymentSecret, "cursor")
            assert stored is not None
            secrets.append(stored.value)
        engine.dispose()
    assert [len(secret) for secret in secrets] == [43, 43]
    assert secrets[0] != secrets[1]
    assert cursor_secret(session).decode() not in secrets
