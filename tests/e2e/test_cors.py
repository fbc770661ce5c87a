"""A page on another origin uses the API from Chromium: conditional requests pass the CORS
preflight, and the headers a client needs (validators, the dump's digest and name) are
readable."""

import hashlib
import threading
from base64 import b64encode
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser

# Runs in the foreign page: revalidate /v1/tags with its own ETag, then read the dump's headers
# and hash its bytes.
SCRIPT = """
async (api) => {
  const first = await fetch(api + "/v1/tags", {cache: "no-store"});
  const etag = first.headers.get("ETag");
  const again = await fetch(api + "/v1/tags", {
    cache: "no-store",
    headers: {"If-None-Match": etag, "Cache-Control": "no-cache"},
  });
  const dump = await fetch(api + "/v1/dump", {cache: "no-store"});
  const digest = await crypto.subtle.digest("SHA-256", await dump.arrayBuffer());
  return {
    first: [first.status, etag, first.headers.get("X-Total-Count"),
            first.headers.get("Last-Modified")],
    again: [again.status, again.headers.get("ETag")],
    dump: [dump.status, dump.headers.get("Repr-Digest"),
           dump.headers.get("Content-Disposition")],
    sha256: btoa(String.fromCharCode(...new Uint8Array(digest))),
  };
}
"""


class BlankPage(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = b"<!doctype html><title>app</title>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def other_origin() -> Iterator[str]:
    """A page served from another loopback port: another origin, in the same address space
    (Chromium refuses requests from public pages to loopback addresses)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), BlankPage)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def test_a_page_on_another_origin_revalidates_and_reads_the_dump(
    browser: Browser, live_server: str, api: httpx.Client, other_origin: str
) -> None:
    context = browser.new_context()
    page = context.new_page()
    try:
        page.goto(other_origin + "/app")
        seen: dict[str, Any] = page.evaluate(SCRIPT, live_server)
    finally:
        context.close()

    tags = api.get("/v1/tags")
    dump = api.get("/v1/dump")
    etag = seen["first"][1]
    assert seen["first"] == [
        200,
        etag,
        tags.headers["X-Total-Count"],
        tags.headers["Last-Modified"],
    ]
    assert etag.startswith('"')
    assert seen["again"] == [304, etag]
    sha256 = b64encode(hashlib.sha256(dump.content).digest()).decode()
    assert seen["dump"] == [
        200,
        f"sha-256=:{sha256}:",
        'attachment; filename="roundup-dump.jsonl.gz"',
    ]
    assert seen["sha256"] == sha256
