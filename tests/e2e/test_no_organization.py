"""The explorer shows an expert printed with a role and no organization."""

import io
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, expect
from sqlmodel import Session

from app.db import build_engine
from app.ingest.files import read_catalog
from app.ingest.importer import import_sources
from app.ingest.seed import seed
from tests.conftest import SEED_DIR
from tests.databases import migrate, scratch_database
from tests.e2e.conftest import DESKTOP, Explorer, open_explorer, serve

SOURCE = Path(__file__).parents[1] / "fixtures" / "roundups" / "no-organization.txt"
ARTICLE = "/?article=taking-the-pulse-should-europe-fund-a-shared-archive"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A server of its own: the seed roundup and one whose experts have no organization."""
    with scratch_database(tmp_path_factory.mktemp("no-organization")) as url:
        migrate(url)
        engine = build_engine(url)

        @contextmanager
        def transaction() -> Iterator[Session]:
            with Session(engine) as session, session.begin():
                yield session

        try:
            with transaction() as session:
                seed(session, [SEED_DIR], SEED_DIR)
            [result] = import_sources(
                [str(SOURCE)],
                catalog=read_catalog(SEED_DIR),
                annotations_dir=SEED_DIR / "annotations",
                transaction=transaction,
                stdin=io.BytesIO(),
            )
            assert result.status == "inserted", result
        finally:
            engine.dispose()
        with serve(url) as base_url:
            yield base_url


@pytest.fixture
def page_on(browser: Browser, server: str) -> Iterator[Explorer]:
    yield from open_explorer(browser, server, DESKTOP)


def test_expert_without_an_organization(page_on: Explorer, server: str) -> None:
    with httpx.Client(base_url=server, timeout=10) as api:
        expert = api.get("/v1/experts/max-sample").json()
    assert expert["affiliations"][0]["organization"] is None
    explorer = page_on
    explorer.open(ARTICLE)
    page = explorer.page
    expect(page.locator("article.card")).to_have_count(5)
    expect(page.locator("#max-sample .affiliation")).to_have_text("Journalist and author")

    page.get_by_role("link", name="Max Sample").click()
    expect(page).to_have_url(explorer.url("/?expert=max-sample"))
    explorer.wait()
    expect(page.locator("h1")).to_have_text("Max Sample")
    assert page.locator(".affiliations li").all_inner_texts() == [
        "Journalist and author · printed March 12, 2025"
    ]
    explorer.screenshot("desktop-expert-without-organization")
    explorer.assert_clean()
