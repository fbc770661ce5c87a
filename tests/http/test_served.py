"""A real `roundup serve` process on a loopback port: what it sends on the wire, and reads
that stay consistent while `roundup seed` loads changed data."""

import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.support.copies import edit_source, seed_folder
from tests.support.databases import migrate, scratch_database
from tests.support.seed_facts import SEED_DIR, SEED_SLUG

pytestmark = pytest.mark.slow

ROUNDUP = Path(sys.executable).parent / "roundup"
ARTIFACT = Path(__file__).parents[1] / "artifacts" / "reseed-reads.json"
PORTS = range(8700, 8800)
READ_PATHS = [
    f"/v1/articles/{SEED_SLUG}",
    "/v1/responses?limit=50",
    "/v1/experts/jana-kobzova",
    "/v1/meta",
    "/v1/organizations?limit=100",
]


def free_port() -> int:
    for port in PORTS:
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port in 8700-8799")


@dataclass
class Server:
    base_url: str
    env: dict[str, str]

    def seed(self, folder: Path) -> None:
        env = {**self.env, "ROUNDUP_SEED_DIR": str(folder)}
        result = subprocess.run(
            [str(ROUNDUP), "seed"], env=env, capture_output=True, text=True, timeout=120
        )
        assert result.returncode == 0, result.stderr


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    """`roundup serve` on a migrated, seeded scratch database."""
    with scratch_database(tmp_path) as url:
        migrate(url)
        port = free_port()
        env = {**os.environ, "DATABASE_URL": url, "ROUNDUP_SEED_DIR": str(SEED_DIR)}
        served = Server(f"http://127.0.0.1:{port}", env)
        served.seed(SEED_DIR)
        log = (tmp_path / "serve.log").open("w")
        process = subprocess.Popen(
            [str(ROUNDUP), "serve", "--port", str(port)], env=env, stdout=log, stderr=log
        )
        try:
            deadline = time.monotonic() + 60
            while True:
                assert process.poll() is None, (tmp_path / "serve.log").read_text()
                try:
                    if httpx.get(f"{served.base_url}/readyz").status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                assert time.monotonic() < deadline, "the server did not become ready"
                time.sleep(0.2)
            yield served
        finally:
            process.terminate()
            process.wait(timeout=30)
            log.close()


def test_the_wire_names_no_server_and_carries_security_headers(server: Server) -> None:
    with httpx.Client(base_url=server.base_url) as client:
        for method, path, status in [
            ("GET", f"/v1/articles/{SEED_SLUG}", 200),
            ("GET", "/v1/nothing", 404),
            ("POST", "/v1/tags", 405),
            ("GET", "/v1/tags?tag=" + "x" * 9000, 414),
        ]:
            response = client.request(method, path)
            assert response.status_code == status
            assert "server" not in response.headers
            assert response.headers["x-content-type-options"] == "nosniff"
            assert response.headers["referrer-policy"] == "no-referrer"
            assert "uvicorn" not in response.text.lower()


def test_reads_are_wholly_old_or_wholly_new_during_reseeds(server: Server, tmp_path: Path) -> None:
    old = seed_folder(tmp_path / "old")
    new = seed_folder(tmp_path / "new")
    edit_source(
        new,
        "Senior Policy Fellow, European Council on Foreign Relations",
        "Director, European Council on Foreign Relations",
    )
    # Every state the data passes through, per path: ETag -> the body served with it.
    known: dict[str, dict[str, bytes]] = defaultdict(dict)
    seen: list[tuple[str, int, str, bytes]] = []
    stop = threading.Event()

    def snapshot_state() -> None:
        with httpx.Client(base_url=server.base_url) as client:
            for path in READ_PATHS:
                response = client.get(path)
                assert response.status_code == 200
                known[path][response.headers["etag"]] = response.content

    def read_continuously() -> None:
        with httpx.Client(base_url=server.base_url, timeout=30) as client:
            while not stop.is_set():
                for path in READ_PATHS:
                    response = client.get(path)
                    seen.append(
                        (
                            path,
                            response.status_code,
                            response.headers.get("etag", ""),
                            response.content,
                        )
                    )

    snapshot_state()
    readers = [threading.Thread(target=read_continuously) for _ in range(4)]
    for reader in readers:
        reader.start()
    try:
        for folder in (new, old, new, old, new):
            server.seed(folder)
            snapshot_state()
            time.sleep(0.2)
    finally:
        stop.set()
        for reader in readers:
            reader.join(timeout=60)

    assert len(known[READ_PATHS[0]]) == 6  # the first state and one per load
    assert {status for _, status, _, _ in seen} == {200}
    mixed = [(path, etag) for path, _, etag, body in seen if known[path].get(etag) != body]
    assert mixed == []
    # The readers saw the data change under them, more than once.
    states_seen = {etag for path, _, etag, _ in seen if path == READ_PATHS[0]}
    assert len(states_seen) >= 3
    ARTIFACT.parent.mkdir(exist_ok=True)
    ARTIFACT.write_text(
        json.dumps({"reads": len(seen), "loads": 5, "states_seen": len(states_seen), "mixed": 0})
    )
