"""Drill: stop PostgreSQL under load, then start it again; the API must fail fast and heal.

    sudo .venv/bin/python -m bench.drills.pg_outage [--clients 16] [--outage 10]

Serves the API from a throwaway cluster (see common.py), runs `--clients` threads that
request every endpoint in turn (10 s client timeout, so a hang shows as a timeout), stops
the cluster after 8 s, starts it `--outage` seconds later, and keeps the load on for 10 s
more. Prints a JSON report: per phase (by request start; /healthz, which never touches the
database, left out) the status counts and latencies, whether every error
was problem+json, when /readyz turned 503 and back, and how long after the database
accepted connections again every endpoint answered 200 (no restart of the API).
"""

import argparse
import json
import threading
import time
from collections import Counter
from dataclasses import dataclass

import httpx

from bench.drills.common import (
    ENDPOINTS,
    drill_cluster,
    percentile,
    pg_ctl,
    pg_ready,
    served_api,
    wait_for,
)


@dataclass
class Result:
    at: float
    path: str
    status: int  # 0: transport error or timeout
    seconds: float
    problem_json: bool


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--outage", type=float, default=10.0)
    args = parser.parse_args()
    with drill_cluster() as database_url, served_api(database_url) as base_url:
        report = run(base_url, args.clients, args.outage)
    print(json.dumps(report, indent=2))


def run(base_url: str, clients: int, outage: float) -> dict[str, object]:
    results: list[Result] = []
    readyz: list[tuple[float, int]] = []
    stop = threading.Event()
    origin = time.monotonic()

    def load() -> None:
        with httpx.Client(base_url=base_url, timeout=10) as client:
            while not stop.is_set():
                for path in ENDPOINTS:
                    started = time.monotonic()
                    try:
                        response = client.get(path)
                        status = response.status_code
                        problem = response.headers.get("content-type") == (
                            "application/problem+json"
                        )
                    except httpx.HTTPError:
                        status, problem = 0, False
                    results.append(
                        Result(started - origin, path, status, time.monotonic() - started, problem)
                    )

    def probe() -> None:
        with httpx.Client(base_url=base_url, timeout=10) as client:
            while not stop.is_set():
                try:
                    readyz.append((time.monotonic() - origin, client.get("/readyz").status_code))
                except httpx.HTTPError:
                    readyz.append((time.monotonic() - origin, 0))
                time.sleep(0.1)

    threads = [threading.Thread(target=load) for _ in range(clients)]
    threads.append(threading.Thread(target=probe))
    for thread in threads:
        thread.start()
    try:
        time.sleep(8)
        stopped_at = time.monotonic() - origin
        pg_ctl("stop")
        down_at = time.monotonic() - origin
        time.sleep(outage)
        starting_at = time.monotonic() - origin
        pg_ctl("start")  # returns once the server is up; it accepts connections a bit earlier
        wait_for(pg_ready, 60, "the drill cluster did not come back")
        back_at = time.monotonic() - origin
        time.sleep(10)
    finally:
        if not pg_ready():  # the drill failed half-way: never leave the database down
            pg_ctl("start")
        stop.set()
        for thread in threads:
            thread.join(timeout=30)

    def phase(start: float, end: float) -> dict[str, object]:
        chosen = [r for r in results if start <= r.at < end and r.path != "/healthz"]
        errors = [r for r in chosen if r.status >= 400]
        return {
            "requests": len(chosen),
            "statuses": dict(Counter(r.status for r in chosen)),
            "200s_by_path": dict(Counter(r.path for r in chosen if r.status == 200)),
            "errors_not_problem_json": sum(1 for r in errors if not r.problem_json),
            "transport_errors_or_timeouts": sum(1 for r in chosen if r.status == 0),
            "p50_s": round(percentile([r.seconds for r in chosen], 0.50), 4),
            "p99_s": round(percentile([r.seconds for r in chosen], 0.99), 4),
            "max_s": round(max((r.seconds for r in chosen), default=0.0), 4),
        }

    healed = {
        path: min((r.at for r in results if r.path == path and r.at >= back_at and r.status == 200),
                  default=None)
        for path in ENDPOINTS
    }  # fmt: skip
    all_healed = None if None in healed.values() else max(v for v in healed.values() if v)
    readyz_503 = [at for at, status in readyz if stopped_at <= at < starting_at and status == 503]
    readyz_during = Counter(status for at, status in readyz if down_at <= at < starting_at)
    readyz_200 = [at for at, status in readyz if at >= back_at and status == 200]
    failed_after = [r.at for r in results if r.at >= back_at and r.status != 200]
    return {
        "clients": clients,
        "database_stopped_at_s": round(stopped_at, 2),
        "database_down_at_s": round(down_at, 2),
        "database_start_called_at_s": round(starting_at, 2),
        "database_accepting_again_at_s": round(back_at, 2),
        "before_outage": phase(0, stopped_at),
        "during_outage": phase(down_at, starting_at),
        "while_starting": phase(starting_at, back_at),
        "after_recovery": phase(back_at, float("inf")),
        "readyz_statuses_during_outage": dict(readyz_during),
        "readyz_first_503_after_stop_s": round(readyz_503[0] - stopped_at, 2)
        if readyz_503
        else None,
        "readyz_200_again_after_db_back_s": round(readyz_200[0] - back_at, 2)
        if readyz_200
        else None,
        "failed_requests_started_after_db_back": len(failed_after),
        "every_endpoint_200_again_after_db_back_s": round(all_healed - back_at, 2)
        if all_healed
        else None,
    }


if __name__ == "__main__":
    main()
