"""Start and stop the servers under test, and read their peak memory from /proc."""

import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Server:
    name: str
    port: int
    process: subprocess.Popen[bytes]
    log: Path
    peak_rss: list[dict[str, object]] = field(default_factory=list)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def record_peak_rss(self) -> None:
        """VmHWM (peak resident set) of the server and of every process it started."""
        self.peak_rss = [
            {"pid": pid, "role": _role(pid, self.process.pid), "mb": mb}
            for pid, mb in peak_rss_mb(self.process.pid)
        ]


def _role(pid: int, main: int) -> str:
    if pid == main:
        return "main"
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return "gone"
    # multiprocessing's resource tracker is a helper of uvicorn's supervisor, not a worker.
    return "helper" if b"resource_tracker" in command else "worker"


@contextmanager
def serve(
    name: str,
    command: Sequence[str],
    port: int,
    ready_path: str,
    env: dict[str, str],
    log_dir: Path,
    cwd: Path,
) -> Iterator[Server]:
    """Run `command` in its own process group until the block ends; wait for `ready_path`."""
    log_dir.mkdir(parents=True, exist_ok=True)
    log = log_dir / f"{name}.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            list(command),
            stdout=output,
            stderr=subprocess.STDOUT,
            env=env,
            cwd=cwd,
            start_new_session=True,
        )
    server = Server(name, port, process, log)
    try:
        _wait_ready(server, ready_path)
        yield server
    finally:
        _stop(process)


def _wait_ready(server: Server, path: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"{server.name} exited; see {server.log}")
        try:
            with urllib.request.urlopen(server.base_url + path, timeout=5) as answer:  # noqa: S310
                if answer.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.3)
    raise RuntimeError(f"{server.name} not ready after {timeout} s; see {server.log}")


def _stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM to the process group this benchmark started, SIGKILL if it lingers."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time of `pids`, from /proc (clock ticks at 100 a second)."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def wait_idle(server: Server, limit: float = 120, interval: float = 0.5) -> float:
    """Wait until the server's processes use under 5% of a core (requests a previous wrk run
    left queued have finished); returns the seconds waited."""
    started = time.monotonic()
    pids = descendants(server.process.pid)
    before = cpu_seconds(pids)
    while time.monotonic() - started < limit:
        time.sleep(interval)
        after = cpu_seconds(pids)
        if after - before < 0.05 * interval:
            break
        before = after
    return time.monotonic() - started


def descendants(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(parent, []).append(int(entry.name))
    found: list[int] = []
    pending = [pid]
    while pending:
        current = pending.pop()
        found.append(current)
        pending.extend(children.get(current, []))
    return found


def peak_rss_mb(pid: int) -> list[tuple[int, float]]:
    """(pid, peak RSS in MB) for `pid` and all its descendants that are still alive."""
    found = []
    for process in descendants(pid):
        try:
            status = Path(f"/proc/{process}/status").read_text()
        except OSError:
            continue
        for line in status.splitlines():
            if line.startswith("VmHWM:"):
                found.append((process, round(int(line.split()[1]) / 1024, 1)))
    return found
