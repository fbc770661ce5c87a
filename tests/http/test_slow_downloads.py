"""Slow readers: downloads that stop reading hold no connection, no transaction and no slot
that ordinary requests need, and are cut when they stay stalled (a real `roundup serve`)."""

import os
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, text

from bench import corpus
from bench.load import build_database
from tests.http.test_served import ROUNDUP
from tests.support.databases import on_postgresql, scratch_database
from tests.support.servers import wait_until_ready

pytestmark = pytest.mark.slow

# About 13 KB of CSV per roundup: 600 make an 8 MB download, more than the kernel buffers of
# a loopback connection hold, so a client that stops reading stalls the server's writes.
ROUNDUPS = 600
STALLED = 10
SEND_TIMEOUT_S = 8


@dataclass
class Served:
    base_url: str
    port: int
    url: str


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    folder = tmp_path_factory.mktemp("slow")
    with scratch_database(folder) as url:
        build_database(url, ROUNDUPS, corpus.DEFAULT_SEED, sample=1)
        port = _free_port()
        env = {
            **os.environ,
            "DATABASE_URL": url,
            "ROUNDUP_RESPONSE_CACHE": "0",
            "ROUNDUP_REQUEST_TIMEOUT_S": "10",
            "ROUNDUP_POOL_TIMEOUT_S": "1",
            "ROUNDUP_EXPORT_SEND_TIMEOUT_S": str(SEND_TIMEOUT_S),
        }
        log_path = folder / "serve.log"
        with log_path.open("w") as log:
            process = subprocess.Popen(
                [str(ROUNDUP), "serve", "--port", str(port)], env=env, stdout=log, stderr=log
            )
            try:
                wait_until_ready(f"http://127.0.0.1:{port}", process, log_path)
                yield Served(f"http://127.0.0.1:{port}", port, url)
            finally:
                process.terminate()
                process.wait(timeout=30)


def _download(port: int) -> socket.socket:
    """A CSV download, asked for and not yet read."""
    client = socket.socket()
    client.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    client.connect(("127.0.0.1", port))
    client.sendall(
        b"GET /v1/responses?format=csv HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n"
    )
    return client


def _first_bytes(client: socket.socket, size: int = 4096) -> bytes:
    """Up to `size` bytes, fewer if the server closes first; then the client reads nothing."""
    client.settimeout(10)
    received = b""
    while len(received) < size:
        chunk = client.recv(size - len(received))
        if not chunk:
            break
        received += chunk
    return received


def _idle_in_transaction(url: str) -> int:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return int(
                connection.execute(
                    text(
                        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                        " AND state = 'idle in transaction'"
                    )
                ).scalar_one()
            )
    finally:
        engine.dispose()


def _drain(client: socket.socket, seconds: float) -> bytes:
    """Everything the server sends until it closes the connection (or `seconds` pass)."""
    client.settimeout(seconds)
    received = b""
    try:
        while chunk := client.recv(1 << 20):
            received += chunk
    except TimeoutError:
        pass
    return received


def test_stalled_downloads_leave_ordinary_requests_alone(served: Served) -> None:
    downloads = [_download(served.port) for _ in range(STALLED)]
    try:
        heads = [_first_bytes(download) for download in downloads]
        stalled_at = time.monotonic()
        statuses = [head.split(b"\r\n", 1)[0] for head in heads]
        # Two stream (the downloads' own limit per worker) and stall after 4 KB; the other
        # eight waited a second for a slot and got a 503 problem.
        assert (
            sorted(statuses) == [b"HTTP/1.1 200 OK"] * 2 + [b"HTTP/1.1 503 Service Unavailable"] * 8
        )
        assert all(
            b"Too many downloads are running; try again shortly." in head
            for head in heads
            if b" 503 " in head.split(b"\r\n", 1)[0]
        )
        stalled = [d for d, status in zip(downloads, statuses, strict=True) if b" 200 " in status]
        time.sleep(1.5)  # the server fills the connections' buffers and blocks on them
        for path in ["/readyz", "/v1/experts?limit=5", "/v1/responses?stance=yes&limit=3"]:
            started = time.monotonic()
            response = httpx.get(served.base_url + path, timeout=10)
            assert (path, response.status_code) == (path, 200)
            assert time.monotonic() - started < 2.5, path
        if on_postgresql():
            assert _idle_in_transaction(served.url) == 0
        # A download whose client reads nothing for SEND_TIMEOUT_S is cut: reading what is
        # buffered ends at the server's close, before the end of the CSV.
        time.sleep(max(0.0, stalled_at + SEND_TIMEOUT_S + 3 - time.monotonic()))
        rest = _drain(stalled[0], 20)
        assert len(rest) > 0
        assert not rest.endswith(b"0\r\n\r\n")
    finally:
        for download in downloads:
            download.close()


def test_a_download_read_to_the_end_is_whole(served: Served, tmp_path: Path) -> None:
    with httpx.stream("GET", f"{served.base_url}/v1/responses?format=csv", timeout=60) as response:
        assert response.status_code == 200
        lines = sum(chunk.count(b"\r\n") for chunk in response.iter_bytes())
    # A header line plus one line per answer, and answers' bodies hold no CRLF.
    assert lines == 1 + ROUNDUPS * corpus.RESPONSES_PER_ROUNDUP
