"""A real `roundup serve --workers 2` evens out keep-alive connections between its workers."""

import os
import signal
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.support.databases import seeded_database
from tests.support.servers import serving

pytestmark = pytest.mark.slow

CLIENTS = 12


@pytest.fixture(scope="module")
def seeded_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with seeded_database(tmp_path_factory.mktemp("balance")) as url:
        yield url


def workers(parent: int) -> list[int]:
    """The uvicorn worker processes under `parent` (its multiprocessing children)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            command = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == parent and b"spawn_main" in command:
            found.append(int(entry.name))
    return sorted(found)


def established(port: int) -> set[str]:
    """Socket inodes of the server side of the established connections to `port`."""
    inodes = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        local_port = int(fields[1].split(":")[1], 16)
        if local_port == port and fields[3] == "01":
            inodes.add(fields[9])
    return inodes


def wait_for_both_counts(worker: int) -> None:
    """Until both workers have published their count (each does so when its app is built)."""
    environment = Path(f"/proc/{worker}/environ").read_bytes().split(b"\0")
    named = next(
        v for n, _, v in (e.partition(b"=") for e in environment) if n == b"ROUNDUP_WORKER_SHARES"
    )
    folder = Path(named.decode())
    deadline = time.monotonic() + 30
    while len(list(folder.glob("*.count"))) < 2:
        assert time.monotonic() < deadline, "the workers did not both start"
        time.sleep(0.1)


def connections_held(pid: int, port: int) -> int:
    wanted = established(port)
    held = 0
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:[") and target[8:-1] in wanted:
            held += 1
    return held


class Client:
    """One keep-alive HTTP/1.1 client. When the server answers `Connection: close`, it
    reconnects through `reconnect` (which the test can make land on a given worker)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.sock = self.connect()
        self.reconnects = 0

    def connect(self) -> socket.socket:
        return socket.create_connection(("127.0.0.1", self.port), timeout=10)

    def receive(self) -> bytes:
        data = self.sock.recv(65536)
        if not data:
            raise AssertionError("the server closed the connection without a whole response")
        return data

    def get(self, path: str) -> bool:
        """GET `path`; True when the server asked to close the connection."""
        self.sock.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
        head = b""
        while b"\r\n\r\n" not in head:
            head += self.receive()
        header, _, body = head.partition(b"\r\n\r\n")
        assert header.startswith(b"HTTP/1.1 200")
        lines = header.decode().lower().split("\r\n")
        length = int(
            next(v for n, _, v in (x.partition(": ") for x in lines) if n == "content-length")
        )
        while len(body) < length:
            body += self.receive()
        return "connection: close" in lines


@contextmanager
def paused(pid: int) -> Iterator[None]:
    os.kill(pid, signal.SIGSTOP)
    try:
        yield
    finally:
        os.kill(pid, signal.SIGCONT)


def test_connections_stuck_on_one_worker_spread_to_the_other(
    seeded_url: str, tmp_path: Path
) -> None:
    """Which worker accepts a reconnecting client is the kernel's choice, and it can favour
    the busy one for a while; so each client told to close reconnects here while the busy
    worker is paused, and lands on the other. What is tested is the servers' part: the busy
    worker tells exactly as many clients to close as it holds above its share, one at a
    time, and then no more."""
    clients: list[Client] = []
    with serving(seeded_url, tmp_path, ROUNDUP_WORKERS="2") as (base_url, pid):
        port = int(base_url.rsplit(":", 1)[1])
        busy, idle = workers(pid)
        wait_for_both_counts(busy)
        try:
            # Only `busy` can accept while `idle` is paused: every client lands on it (and
            # any it tells to close comes back to it).
            with paused(idle):
                clients.extend(Client(port) for _ in range(CLIENTS))
                for client in clients:
                    while client.get("/healthz"):
                        client.sock.close()
                        client.sock = client.connect()
                assert connections_held(busy, port) == CLIENTS
            deadline = time.monotonic() + 20
            held = (CLIENTS, 0)
            while held != (CLIENTS // 2, CLIENTS // 2) and time.monotonic() < deadline:
                for client in clients:
                    if client.get("/healthz"):
                        client.sock.close()
                        with paused(busy):
                            client.sock = client.connect()
                            assert not client.get("/healthz")  # answered by `idle`
                        client.reconnects += 1
                held = (connections_held(busy, port), connections_held(idle, port))
            assert held == (CLIENTS // 2, CLIENTS // 2)
            assert sum(client.reconnects for client in clients) == CLIENTS // 2
            # Once even, no worker asks a client to close again.
            for _ in range(20):
                for client in clients:
                    assert not client.get("/healthz")
            assert (connections_held(busy, port), connections_held(idle, port)) == held
        finally:
            for client in clients:
                client.sock.close()
