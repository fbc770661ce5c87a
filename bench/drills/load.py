"""Drill: a sustained load over every endpoint, on PostgreSQL: zero errors, p99 reported.

    sudo .venv/bin/python -m bench.drills.load [--connections 64] [--seconds 60] [--workers 1]

Serves the API from a throwaway cluster (see common.py) and runs wrk against it: 2 threads,
`--connections` keep-alive connections, `--seconds` long, a 5 s socket timeout, requests
cycling through every endpoint (bench/drills/all_endpoints.lua). Prints wrk's latency
distribution and a JSON summary: requests, statuses, socket errors and timeouts, p50/p90/p99.
Exits 1 if any request failed, timed out or got a non-2xx status.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from bench.drills.common import ENDPOINTS, drill_cluster, served_api

SCRIPT = Path(__file__).with_name("all_endpoints.lua")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()
    wrk = shutil.which("wrk")
    if wrk is None:
        print("load: wrk is not installed (apt-get install -y wrk)", file=sys.stderr)
        return 2
    with drill_cluster() as database_url, served_api(database_url, args.workers) as base_url:
        result = subprocess.run(
            [
                *(wrk, "--threads", "2", "--connections", str(args.connections)),
                *("--duration", f"{args.seconds}s", "--timeout", "5s", "--latency"),
                *("--script", str(SCRIPT), base_url),
            ],
            env={**os.environ, "ROUNDUP_PATHS": " ".join(ENDPOINTS)},
            capture_output=True,
            text=True,
            timeout=args.seconds + 60,
            check=True,
        )
    print(result.stdout)
    line = next(line for line in result.stdout.splitlines() if line.startswith("SUMMARY "))
    summary = json.loads(line.removeprefix("SUMMARY "))
    failed = sum(summary["errors"].values()) + sum(
        count for status, count in summary["statuses"].items() if not status.startswith("2")
    )
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
