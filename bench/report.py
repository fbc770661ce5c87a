"""One table from the saved runs: every endpoint on SQLite and PostgreSQL, warm and cold.

    python -m bench.report [--roundups 10000]     (make bench-report)

Reads bench/results/<backend>-<roundups>-<mode>.json as `make bench` writes them and prints
req/s and p99 per run, the ratio of each PostgreSQL figure to SQLite's (latency: PostgreSQL
over SQLite; throughput: SQLite over PostgreSQL, so above 1 means PostgreSQL is slower), and
the load times and peak RSS. A run that is missing is left out.
"""

import argparse
import json
from pathlib import Path
from typing import Any

from bench.run import RESULTS_DIR

RUNS = (("sqlite", "warm"), ("sqlite", "cold"), ("postgresql", "warm"), ("postgresql", "cold"))


def load_runs(folder: Path, roundups: int) -> dict[tuple[str, str], dict[str, Any]]:
    found = {}
    for backend, mode in RUNS:
        path = folder / f"{backend}-{roundups}-{mode}.json"
        if path.is_file():
            found[backend, mode] = json.loads(path.read_text())
    return found


def table(runs: dict[tuple[str, str], dict[str, Any]]) -> str:
    names = [f"{backend} {mode}" for backend, mode in runs]
    lines = [
        "| endpoint | " + " | ".join(f"{n} req/s | {n} p99 ms" for n in names) + " |",
        "| --- |" + " ---: | ---: |" * len(runs),
    ]
    first = next(iter(runs.values()))
    for endpoint, row in first["endpoints"].items():
        cells = []
        for report in runs.values():
            measured = report["endpoints"].get(endpoint, {})
            if measured.get("status") != "ok":
                cells += ["", ""]
                continue
            bound = "" if measured["completed"] else "> "
            cells += [
                f"{measured['requests_per_second']:,.0f}",
                f"{bound}{measured['p99_ms']:,.1f}",
            ]
        lines.append(f"| {row['label']} | " + " | ".join(cells) + " |")
    lines.append("")
    for (backend, mode), report in runs.items():
        load = report["load"]
        workers = [
            p["mb"] for p in report["peak_rss_mb"].get("roundup", []) if p["role"] == "worker"
        ]
        lines.append(
            f"- {backend} {mode}: load {load['load_seconds']:.1f} s ({load['loader']}),"
            f" peak RSS per worker {max(workers, default=0):.0f} MB,"
            f" run at {report['generated_at']}, load average at start"
            f" {report['machine']['load_average_at_start'][0]:.2f}"
        )
    return "\n".join(lines)


def ratios(runs: dict[tuple[str, str], dict[str, Any]]) -> str:
    """PostgreSQL against SQLite, per mode: p99 ratio and req/s ratio (above 1: slower)."""
    lines = ["| endpoint | mode | p99 PostgreSQL / SQLite | req/s SQLite / PostgreSQL |"]
    lines.append("| --- | --- | ---: | ---: |")
    for mode in ("warm", "cold"):
        sqlite, postgresql = runs.get(("sqlite", mode)), runs.get(("postgresql", mode))
        if sqlite is None or postgresql is None:
            continue
        for endpoint, row in sqlite["endpoints"].items():
            other = postgresql["endpoints"].get(endpoint, {})
            if row.get("server") != "roundup" or {row.get("status"), other.get("status")} != {"ok"}:
                continue
            p99 = other["p99_ms"] / row["p99_ms"]
            rate = row["requests_per_second"] / other["requests_per_second"]
            lines.append(f"| {row['label']} | {mode} | {p99:.2f} | {rate:.2f} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--roundups", type=int, default=10_000)
    args = parser.parse_args()
    runs = load_runs(RESULTS_DIR, args.roundups)
    if not runs:
        raise SystemExit(f"no saved runs for {args.roundups} roundups in {RESULTS_DIR}")
    print(table(runs))
    print()
    print(ratios(runs))


if __name__ == "__main__":
    main()
