"""Shared by the fault drills: a throwaway PostgreSQL cluster, a served API, the endpoints.

The drills never touch the main cluster (port 5432) that tests use: they create their own
cluster `roundup_drill` on port 5439 (Debian's pg_createcluster, as root), and drop it at the
end. Every load they send goes to 127.0.0.1 only, and stops by itself.
"""

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

PROJECT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
CLUSTER = "roundup_drill"
PG_PORT = 5439
API_PORT = 8790
SLUG = "taking-the-pulse-should-europe-negotiate-with-russia"
ENDPOINTS = [
    "/healthz",
    "/readyz",
    "/v1/meta",
    "/v1/articles",
    f"/v1/articles/{SLUG}",
    "/v1/experts",
    "/v1/experts/samuel-greene",
    "/v1/organizations",
    "/v1/organizations/carnegie-endowment-for-international-peace",
    "/v1/responses?stance=yes&facets=stance,tag",
    "/v1/responses?limit=5",
    "/v1/arguments?kind=recommendation&limit=20",
    "/v1/tags",
    "/v1/tags/sanctions",
]


def pg_version() -> str:
    return sorted(os.listdir("/etc/postgresql"))[-1]


def pg_ctl(action: str) -> None:
    subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", pg_version(), CLUSTER, action],
        check=True,
        capture_output=True,
    )


def pg_ready() -> bool:
    return (
        subprocess.run(
            ["pg_isready", "-q", "-h", "127.0.0.1", "-p", str(PG_PORT)], check=False
        ).returncode
        == 0
    )


@contextmanager
def drill_cluster() -> Iterator[str]:
    """A new PostgreSQL cluster on PG_PORT with trust auth; dropped afterwards."""
    version = pg_version()
    subprocess.run(
        [
            *("pg_createcluster", version, CLUSTER, "-p", str(PG_PORT)),
            *("--", "--auth-host=trust", "--auth-local=trust"),
        ],
        check=True,
        capture_output=True,
    )
    try:
        pg_ctl("start")
        wait_for(pg_ready, 30, "the drill cluster did not start")
        yield f"postgresql+psycopg://postgres@127.0.0.1:{PG_PORT}/postgres"
    finally:
        subprocess.run(
            ["pg_dropcluster", version, CLUSTER, "--stop"], check=False, capture_output=True
        )


@contextmanager
def served_api(database_url: str, workers: int = 1, **settings: str) -> Iterator[str]:
    """Migrate and seed `database_url`, then `roundup serve` it on API_PORT."""
    env = {**os.environ, "DATABASE_URL": database_url}
    env.update({f"ROUNDUP_{name.upper()}": value for name, value in settings.items()})
    for command in (["migrate"], ["seed"]):
        subprocess.run([str(BIN / "roundup"), *command], env=env, check=True, capture_output=True)
    log = open(PROJECT / "bench" / "drills" / "serve.log.tmp", "w")  # noqa: SIM115
    server = subprocess.Popen(
        [str(BIN / "roundup"), "serve", "--port", str(API_PORT), "--workers", str(workers)],
        env=env,
        stdout=log,
        stderr=log,
    )
    base_url = f"http://127.0.0.1:{API_PORT}"
    try:
        wait_for(lambda: _status(f"{base_url}/readyz") == 200, 60, "the API did not start")
        yield base_url
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


def _status(url: str) -> int | None:
    try:
        return httpx.get(url, timeout=2).status_code
    except httpx.TransportError:
        return None


def wait_for(condition: object, seconds: float, failure: str) -> float:
    """Poll `condition` every 50 ms; the seconds it took, or RuntimeError(failure)."""
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        if callable(condition) and condition():
            return time.monotonic() - started
        time.sleep(0.05)
    raise RuntimeError(failure)


def percentile(values: list[float], fraction: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]
