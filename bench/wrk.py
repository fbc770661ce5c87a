"""Drive one URL list with wrk (bench/urls.lua picks a random line per request)."""

import json
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

LUA_SCRIPT = Path(__file__).resolve().parent / "urls.lua"


@dataclass(frozen=True)
class Load:
    connections: int = 16
    threads: int = 2
    seconds: int = 10
    warmup_seconds: int = 3
    # Warm runs of the app: each URL requested this many times on new connections first,
    # this many at a time (one per worker: more would only queue, and slow queries time out).
    fill_repeats: int = 0
    fill_threads: int = 2
    # Longer than a run, so that no slow response is dropped from the latency histogram.
    timeout_seconds: int = 60


@dataclass(frozen=True)
class Measurement:
    requests: int
    completed: bool
    seconds: float
    requests_per_second: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    errors: int
    error_detail: dict[str, int]


def require_wrk() -> str:
    found = shutil.which("wrk")
    if found is None:
        raise SystemExit("wrk is not installed: apt-get install -y wrk (make bench does it)")
    return found


def run(base_url: str, url_file: Path, load: Load, seconds: int) -> Measurement:
    command = [
        require_wrk(),
        f"-t{load.threads}",
        f"-c{load.connections}",
        f"-d{seconds}s",
        f"--timeout={load.timeout_seconds}s",
        "-s",
        str(LUA_SCRIPT),
        base_url,
        "--",
        str(url_file),
    ]
    finished = subprocess.run(
        command, capture_output=True, text=True, check=False, timeout=seconds + 60
    )
    line = next(
        (row for row in finished.stdout.splitlines() if row.startswith("BENCH_JSON ")), None
    )
    if finished.returncode != 0 or line is None:
        raise RuntimeError(
            f"wrk failed ({finished.returncode}): {finished.stderr or finished.stdout}"
        )
    data = json.loads(line.removeprefix("BENCH_JSON "))
    seconds_taken = data["duration_us"] / 1e6
    latency = data["latency_us"]
    if data["requests"] == 0:
        # Nothing came back within the run: every latency is at least the run's length.
        latency = dict.fromkeys(("p50", "p90", "p99", "max"), data["duration_us"])
    return Measurement(
        requests=data["requests"],
        completed=data["requests"] > 0,
        seconds=round(seconds_taken, 2),
        requests_per_second=round(data["requests"] / seconds_taken, 1),
        p50_ms=latency["p50"] / 1000,
        p90_ms=latency["p90"] / 1000,
        p99_ms=latency["p99"] / 1000,
        max_ms=latency["max"] / 1000,
        errors=sum(data["errors"].values()),
        error_detail=data["errors"],
    )


def measure(
    base_url: str, url_file: Path, load: Load, settle: Callable[[], object] = lambda: None
) -> Measurement:
    """A warm-up run, not recorded, then the measured run; `settle` is called before each
    (to let the server finish what an earlier run left queued)."""
    if load.warmup_seconds:
        settle()
        run(base_url, url_file, load, load.warmup_seconds)
    settle()
    return run(base_url, url_file, load, load.seconds)
