"""Helpers for tests that run `roundup serve` in a process of its own."""

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

ROUNDUP = Path(sys.executable).parent / "roundup"


def wait_until_ready(base_url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    """Return once `base_url`/readyz answers 200; fail with the server's log if it exits or
    is not ready within 60 s."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"the server exited: {log.read_text(encoding='utf-8')}")
        try:
            if httpx.get(f"{base_url}/readyz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"the server was not ready in 60 s: {log.read_text(encoding='utf-8')}")


def free_port() -> int:
    """A loopback port nobody listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def serving(url: str, folder: Path, **env: str) -> Iterator[tuple[str, int]]:
    """`roundup serve` on `url` with `env` (ROUNDUP_* settings) on a free loopback port:
    yields its base URL and process id; stopped afterwards."""
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    log = folder / f"serve-{port}.log"
    with log.open("w") as output:
        process = subprocess.Popen(
            [str(ROUNDUP), "serve", "--port", str(port)],
            env={**os.environ, "DATABASE_URL": url, **env},
            stdout=output,
            stderr=output,
        )
        try:
            wait_until_ready(base_url, process, log)
            yield base_url, process.pid
        finally:
            process.terminate()
            process.wait(timeout=30)


def rss_bytes(pid: int) -> int:
    """Resident memory of process `pid`, from /proc."""
    for line in Path(f"/proc/{pid}/status").read_text(encoding="ascii").splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise AssertionError(f"no VmRSS for {pid}")
