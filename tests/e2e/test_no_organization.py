"""The explorer shows an expert printed with a role and no organization, and an expert
printed under two names."""

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, expect
from sqlmodel import Session

from app.db import build_engine
from app.ingest.seed import seed
from tests.e2e.conftest import DESKTOP, Explorer, open_explorer, serve
from tests.support.databases import migrate, scratch_database
from tests.support.imports import import_files
from tests.support.seed_facts import SEED_DIR

FIXTURES = Path(__file__).parents[1] / "fixtures" / "roundups"
SOURCES = [
    FIXTURES / "no-organization.txt",
    FIXTURES / "aliases" / "earlier.txt",
    FIXTURES / "aliases" / "later.txt",
]
ARTICLE = "/?article=taking-the-pulse-should-europe-fund-a-shared-archive"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A server of its own: the seed roundup, one whose experts have no organization, and two
    that print one expert under two names."""
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
            results = import_files(list(SOURCES), transaction)
            assert [result.status for result in results] == ["inserted"] * len(SOURCES)
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


def test_expert_printed_under_two_names(page_on: Explorer) -> None:
    explorer = page_on
    explorer.open("/?expert=krzysztof-bledowski")
    page = explorer.page
    expect(page.locator("h1")).to_have_text("Krzysztof Błędowski")
    expect(page.locator(".also-printed")).to_have_text("Also printed as Kris Bledowski")
    expect(page.locator(".timeline-item")).to_have_count(2)
    explorer.assert_clean()
