"""bench.report: one table from the saved runs, and PostgreSQL's figures against SQLite's."""

import json
from pathlib import Path
from typing import Any

from bench import report


def _run(backend: str, mode: str, rate: float, p99: float) -> dict[str, Any]:
    row = {
        "label": "GET /v1/articles/{slug}",
        "server": "roundup",
        "status": "ok",
        "completed": True,
        "requests_per_second": rate,
        "p99_ms": p99,
    }
    return {
        "generated_at": "2026-11-26T01:00:00+00:00",
        "machine": {"load_average_at_start": [0.5, 0.4, 0.3]},
        "load": {"load_seconds": 53.44, "loader": "bulk_load"},
        "peak_rss_mb": {"roundup": [{"role": "main", "mb": 50}, {"role": "worker", "mb": 144.7}]},
        "endpoints": {"article_detail": row},
    }


def test_report_reads_saved_runs_and_compares_engines(tmp_path: Path) -> None:
    for backend, mode, rate, p99 in (
        ("sqlite", "warm", 6000.0, 6.5),
        ("postgresql", "warm", 4000.0, 13.0),
    ):
        path = tmp_path / f"{backend}-100-{mode}.json"
        path.write_text(json.dumps(_run(backend, mode, rate, p99)))
    runs = report.load_runs(tmp_path, 100)
    assert list(runs) == [("sqlite", "warm"), ("postgresql", "warm")]
    lines = report.table(runs).splitlines()
    assert lines[2] == "| GET /v1/articles/{slug} | 6,000 | 6.5 | 4,000 | 13.0 |"
    assert lines[4].startswith("- sqlite warm: load 53.4 s (bulk_load), peak RSS per worker 145")
    assert report.ratios(runs).splitlines()[2] == "| GET /v1/articles/{slug} | warm | 2.00 | 1.50 |"
