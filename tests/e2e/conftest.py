"""End-to-end fixtures: the real server on a loopback port, headless Chromium, and a page
that records console errors, CSP violations and requests that leave the server."""

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import httpx
import pytest
from playwright.sync_api import (
    Browser,
    ConsoleMessage,
    Page,
    Request,
    ViewportSize,
    sync_playwright,
)
from sqlalchemy import Engine

from app.config import PROJECT_DIR
from tests.support.servers import wait_until_ready

ARTIFACTS = PROJECT_DIR / "tests" / "artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
HOST = "127.0.0.1"
PORTS = range(8400, 8500)
DESKTOP = ViewportSize(width=1280, height=900)
PHONE = ViewportSize(width=390, height=844)

# Collects Content-Security-Policy violations the page reports, before any of its scripts run.
CSP_RECORDER = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(`${event.effectiveDirective} ${event.blockedURI}`);
});
"""


def free_port() -> int:
    for port in PORTS:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            try:
                probe.bind((HOST, port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port in {PORTS.start}-{PORTS.stop - 1}")


@contextmanager
def serve(database_url: str) -> Iterator[str]:
    """`roundup serve` in its own process on `database_url`; its base URL."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    port = free_port()
    base_url = f"http://{HOST}:{port}"
    log = ARTIFACTS / "server.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "app.cli", "serve", "--host", HOST, "--port", str(port)],
            cwd=PROJECT_DIR,
            env={**os.environ, "DATABASE_URL": database_url},
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_until_ready(base_url, process, log)
            yield base_url
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@pytest.fixture(scope="package")
def live_server(database_url: str, engine: Engine) -> Iterator[str]:
    """The server on the session's (seeded) test database."""
    del engine  # requested so the database is migrated and seeded first
    with serve(database_url) as base_url:
        yield base_url


@pytest.fixture(scope="package")
def api(live_server: str) -> Iterator[httpx.Client]:
    """The public API of the same server: the truth the page is checked against."""
    with httpx.Client(base_url=live_server, timeout=10) as client:
        yield client


@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@dataclass
class Explorer:
    """A page on the explorer, with what went wrong while it was open."""

    page: Page
    base_url: str
    console_errors: list[str] = field(default_factory=list)
    foreign_requests: list[str] = field(default_factory=list)

    def open(self, path: str) -> None:
        self.page.goto(self.base_url + path)
        self.wait()

    def wait(self) -> None:
        """Until the current view has rendered."""
        self.page.wait_for_selector("main:not([aria-busy]) h1")

    def url(self, path: str) -> str:
        return self.base_url + path

    def screenshot(self, name: str) -> None:
        self.page.screenshot(path=ARTIFACTS / f"{name}.png", full_page=True)

    def csp_violations(self) -> list[str]:
        violations: list[str] = self.page.evaluate("window.__cspViolations")
        return violations

    def assert_clean(self) -> None:
        assert self.console_errors == []
        assert self.csp_violations() == []
        assert self.foreign_requests == []


def open_explorer(browser: Browser, live_server: str, viewport: ViewportSize) -> Iterator[Explorer]:
    context = browser.new_context(viewport=viewport)
    context.set_default_timeout(15_000)
    context.add_init_script(CSP_RECORDER)
    page = context.new_page()
    explorer = Explorer(page, live_server)

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            explorer.console_errors.append(message.text)

    def on_request(request: Request) -> None:
        if not request.url.startswith(live_server + "/"):
            explorer.foreign_requests.append(request.url)

    page.on("console", on_console)
    page.on("pageerror", lambda error: explorer.console_errors.append(str(error)))
    page.on("request", on_request)
    try:
        yield explorer
    finally:
        context.close()


@pytest.fixture
def explorer(browser: Browser, live_server: str) -> Iterator[Explorer]:
    yield from open_explorer(browser, live_server, DESKTOP)


@pytest.fixture
def phone(browser: Browser, live_server: str) -> Iterator[Explorer]:
    yield from open_explorer(browser, live_server, PHONE)
