"""Helpers for tests that run `roundup serve` in a process of its own."""

import subprocess
import time
from pathlib import Path

import httpx


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
