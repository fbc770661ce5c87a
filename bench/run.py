"""The benchmark: build (or reuse) the corpus database, serve it, drive every endpoint with wrk.

    python -m bench.run [--roundups 10000] [--database-url URL] [--workers 2] [--cold]

Prints a table and writes bench/results/latest.json (and a copy named after the backend,
size and mode). See bench/README.md for what each number means.
"""

import argparse
import json
import os
import platform
import random
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from app.config import PROJECT_DIR
from app.db import build_engine
from bench import corpus, servers, urls, wrk
from bench.load import CACHE_DIR, LoadResult, build_database, cache_key

BENCH_DIR = Path(__file__).resolve().parent
RESULTS_DIR = BENCH_DIR / "results"
DATASETTE_VENV = BENCH_DIR / ".venv-datasette"
BIN = Path(sys.executable).parent


def _sqlite_database(roundups: int, seed: int) -> tuple[str, Path, LoadResult]:
    """The cached SQLite corpus, built on first use (into a temporary name, then renamed)."""
    key = cache_key(roundups, seed)
    path = CACHE_DIR / f"{key}.db"
    record = CACHE_DIR / f"{key}.load.json"
    if not (path.is_file() and record.is_file()):
        CACHE_DIR.mkdir(parents=True, exist_ok=True)
        building = CACHE_DIR / f"{key}.building.db"
        for leftover in CACHE_DIR.glob(f"{key}.building.db*"):
            leftover.unlink()
        print(f"== building {path.name}")
        result = build_database(f"sqlite:///{building}", roundups, seed)
        building.rename(path)
        record.write_text(json.dumps(asdict(result)))
    return f"sqlite:///{path}", path, LoadResult(**json.loads(record.read_text()))


def _prewarm(engine: Engine, sqlite_file: Path | None) -> None:
    """Read the whole database once, into the OS page cache (for PostgreSQL through
    pg_prewarm's `read` mode), as on a server that has been running: a run must not measure
    the disk (this machine also evicts files' pages that have not been read for a while)."""
    if sqlite_file is not None:
        with sqlite_file.open("rb") as database:
            while database.read(1 << 24):
                pass
        return
    with engine.begin() as connection:
        connection.execute(text("SET LOCAL statement_timeout = 0"))
        connection.execute(text("CREATE EXTENSION IF NOT EXISTS pg_prewarm"))
        connection.execute(
            text(
                "SELECT pg_prewarm(c.oid::regclass, 'read') FROM pg_class c"
                " JOIN pg_namespace n ON n.oid = c.relnamespace"
                " WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'i', 't')"
            )
        )


def _seed_database(path: Path) -> Path:
    """A new SQLite file holding what `make run` serves: `roundup migrate`, `roundup seed`."""
    for leftover in path.parent.glob(f"{path.name}*"):
        leftover.unlink()
    path.parent.mkdir(parents=True, exist_ok=True)
    env = os.environ | {"DATABASE_URL": f"sqlite:///{path}"}
    for step in ("migrate", "seed"):
        subprocess.run([str(BIN / "roundup"), step], env=env, check=True, capture_output=True)
    return path


def _postgresql_database(url: str, roundups: int, seed: int) -> tuple[str, LoadResult]:
    """The corpus in the PostgreSQL database at `url`: reused when its marker matches, else
    dropped, created and loaded."""
    key = cache_key(roundups, seed)
    parsed = make_url(url).set(drivername="postgresql+psycopg")
    url = parsed.render_as_string(hide_password=False)
    record = CACHE_DIR / f"postgresql-{parsed.database}.load.json"
    if record.is_file():
        saved = json.loads(record.read_text())
        if saved.get("key") == key and _has_roundups(url, roundups):
            return url, LoadResult(**saved["result"])
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{parsed.database}"'))
    admin.dispose()
    print(f"== building {parsed.database} on PostgreSQL")
    result = build_database(url, roundups, seed)
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    record.write_text(json.dumps({"key": key, "result": asdict(result)}))
    return url, result


def _has_roundups(url: str, roundups: int) -> bool:
    engine = build_engine(url)
    try:
        with engine.connect() as connection:
            count = connection.execute(text("SELECT count(*) FROM article")).scalar_one()
        return int(count) == roundups
    except SQLAlchemyError:  # no such database or table: rebuild it
        return False
    finally:
        engine.dispose()


def _datasette() -> Path:
    """Datasette in its own virtual environment (never in the app's), pinned like `make bench`
    installs it."""
    executable = DATASETTE_VENV / "bin" / "datasette"
    if not executable.is_file():
        print(f"== installing Datasette into {DATASETTE_VENV}")
        subprocess.run([sys.executable, "-m", "venv", str(DATASETTE_VENV)], check=True)
        pip = [str(DATASETTE_VENV / "bin" / "python"), "-m", "pip", "install", "--quiet"]
        lock = BENCH_DIR / "datasette.lock"
        subprocess.run([*pip, "-c", str(lock), "datasette"], check=True)
    return executable


def _write_lines(folder: Path, endpoint: urls.Endpoint) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{endpoint.name}.txt"
    path.write_text("\n".join(endpoint.lines) + "\n")
    return path


def _measure_all(
    server: servers.Server,
    endpoints: list[urls.Endpoint],
    load: wrk.Load,
    folder: Path,
    results: dict[str, dict[str, Any]],
) -> None:
    for endpoint in endpoints:
        first = endpoint.lines[0].split("\t")
        headers = {"If-None-Match": first[1]} if len(first) > 1 else None
        servers.wait_idle(server)
        probe_started = time.perf_counter()
        status, _, body = urls.get(server.base_url, first[0], headers)
        probe_ms = 1000 * (time.perf_counter() - probe_started)
        row: dict[str, Any] = {
            "label": endpoint.label,
            "server": server.name,
            "urls": len(endpoint.lines),
            "example": first[0][:200],
        }
        if status != endpoint.expect:
            row["status"] = f"not available ({status})"
            print(f"   {endpoint.name}: not available ({status})")
        else:
            if load.fill_repeats and endpoint.server == "app":
                filling = time.perf_counter()
                failed = urls.fill(
                    server.base_url, endpoint.lines, load.fill_repeats, load.fill_threads
                )
                row["fill_seconds"] = round(time.perf_counter() - filling, 1)
                row["fill_failures"] = failed
            url_file = _write_lines(folder, endpoint)
            pids = servers.descendants(server.process.pid)
            marks: list[float] = []  # server CPU when each wrk run starts: the last, measured
            settle = partial(_settle, server, pids, marks)
            measured = wrk.measure(server.base_url, url_file, load, settle)
            # The server's own CPU per request (every process, 10 ms ticks): unlike latency,
            # it barely moves when other work shares the cores.
            used = servers.cpu_seconds(pids) - marks[-1]
            row |= {
                "status": "ok",
                "probe_ms": round(probe_ms, 1),
                "response_bytes": len(body),
                **asdict(measured),
                "cpu_ms_per_request": round(1000 * used / max(measured.requests, 1), 2),
            }
            bound = "" if measured.completed else "> "
            print(
                f"   {endpoint.name}: {measured.requests_per_second:,.1f} req/s,"
                f" p50 {bound}{measured.p50_ms:.1f} ms, p99 {bound}{measured.p99_ms:.1f} ms,"
                f" server CPU {row['cpu_ms_per_request']:.2f} ms a request,"
                f" errors {measured.errors} (one request alone: {probe_ms:.0f} ms)"
            )
        results[endpoint.name] = row
    server.record_peak_rss()


def _settle(server: servers.Server, pids: list[int], marks: list[float]) -> None:
    servers.wait_idle(server)
    marks.append(servers.cpu_seconds(pids))


def _server_env(database_url: str, cold: bool, extra: Sequence[str] = ()) -> dict[str, str]:
    """The servers' environment: this one's without its ROUNDUP_ settings, the database,
    the cache off for a cold run, and `extra` (KEY=VALUE settings, e.g. from --env)."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("ROUNDUP_") and key != "DATABASE_URL"
    }
    env["DATABASE_URL"] = database_url
    if cold:
        env["ROUNDUP_RESPONSE_CACHE"] = "0"
    for setting in extra:
        key, _, value = setting.partition("=")
        env[key] = value
    return env


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--roundups", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=corpus.DEFAULT_SEED)
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL", ""),
        help="PostgreSQL URL (its database is dropped and rebuilt); default: cached SQLite",
    )
    parser.add_argument("--workers", type=int, default=int(os.environ.get("BENCH_WORKERS", "2")))
    parser.add_argument("--cold", action="store_true", help="ROUNDUP_RESPONSE_CACHE=0")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument(
        "--fill",
        type=int,
        default=8,
        help="warm runs: request each URL this many times first, so every worker caches it",
    )
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--only", nargs="*", help="endpoint names to run (default: all)")
    parser.add_argument("--no-datasette", action="store_true")
    parser.add_argument(
        "--env",
        action="append",
        default=[],
        metavar="ROUNDUP_X=VALUE",
        help="a setting for the servers (repeatable), e.g. --env ROUNDUP_POOL_SIZE=2",
    )
    parser.add_argument(
        "--seed-data",
        action="store_true",
        help="serve the seed roundup, as `roundup migrate` and `roundup seed` load it (SQLite),"
        " instead of the synthetic corpus",
    )
    args = parser.parse_args()

    wrk.require_wrk()
    load = wrk.Load(
        connections=args.connections,
        threads=min(2, args.connections),  # wrk needs a connection per thread
        seconds=args.seconds,
        warmup_seconds=args.warmup,
        fill_repeats=0 if args.cold else args.fill,
        fill_threads=args.workers,
    )
    started = time.time()
    loaded: LoadResult | None = None
    if args.seed_data:
        sqlite_file = _seed_database(CACHE_DIR / "seed.db")
        database_url, backend, args.no_datasette = f"sqlite:///{sqlite_file}", "sqlite", True
        print(f"== the seed roundup, loaded by `roundup seed` into {sqlite_file}")
    else:
        sqlite_url, sqlite_file, loaded = _sqlite_database(args.roundups, args.seed)
        database_url, backend = sqlite_url, "sqlite"
        if args.database_url:
            database_url, loaded = _postgresql_database(args.database_url, args.roundups, args.seed)
            backend = "postgresql"
        print(f"== {loaded.describe()}")

    mode = "cold" if args.cold else "warm"
    run_dir = CACHE_DIR / "run"
    rng = random.Random(args.seed)
    engine = build_engine(database_url)
    _prewarm(engine, sqlite_file if backend == "sqlite" else None)
    found = urls.facts(engine, rng)
    engine.dispose()
    results: dict[str, dict[str, Any]] = {}
    rss: dict[str, Any] = {}
    wanted = set(args.only) if args.only else None
    env = _server_env(database_url, args.cold, args.env)
    roundup_port = servers.free_port()
    command = [str(BIN / "roundup"), "serve", "--host", "127.0.0.1", "--port", str(roundup_port)]
    command += ["--workers", str(args.workers)]
    print(f"== roundup serve --workers {args.workers} on {backend} ({mode})")
    with servers.serve(
        "roundup", command, roundup_port, "/healthz", env, run_dir, PROJECT_DIR
    ) as server:
        # Cursors are signed with the database's own secret: one cache per backend, none for
        # the seed database (made anew, with a new secret, by every run).
        key = cache_key(args.roundups, args.seed)
        cursors = None if args.seed_data else CACHE_DIR / f"{key}.{backend}.cursors.json"
        endpoints = urls.endpoints(server.base_url, found, cursors)
        detail_status, _, detail_body = urls.get(
            server.base_url, endpoints[0].lines[0].split("\t")[0]
        )
        if detail_status != 200:
            raise SystemExit(f"article detail answered {detail_status}; see {server.log}")
        body_file = run_dir / "reference-body.json"
        body_file.write_bytes(detail_body)
        app_endpoints = [
            e for e in endpoints if e.server == "app" and (wanted is None or e.name in wanted)
        ]
        _measure_all(server, app_endpoints, load, run_dir, results)
        rss["roundup"] = server.peak_rss

    for kind in ("fastapi", "asgi"):
        endpoint = next(e for e in endpoints if e.server == kind)
        port = servers.free_port()
        command = [sys.executable, "-m", "bench.references", kind, "--port", str(port)]
        command += ["--workers", str(args.workers)]
        reference_env = env | {"BENCH_BODY_FILE": str(body_file)}
        print(f"== {kind} reference, {len(detail_body):,} bytes, --workers {args.workers}")
        with servers.serve(
            kind, command, port, endpoint.lines[0], reference_env, run_dir, PROJECT_DIR
        ) as server:
            _measure_all(server, [endpoint], load, run_dir, results)
            rss[kind] = server.peak_rss

    datasette_version = None
    if not args.no_datasette:
        datasette = _datasette()
        port = servers.free_port()
        endpoint = urls.datasette_endpoint(sqlite_file.stem, found.tag_slugs)
        command = [str(datasette), "serve", "-i", str(sqlite_file), "--host", "127.0.0.1"]
        command += ["--port", str(port), "--setting", "sql_time_limit_ms", "5000"]
        print("== Datasette (one process, immutable) on the same SQLite corpus")
        with servers.serve(
            "datasette", command, port, "/-/versions.json", env, run_dir, PROJECT_DIR
        ) as server:
            _, _, versions = urls.get(server.base_url, "/-/versions.json")
            datasette_version = json.loads(versions)["datasette"]["version"]
            _measure_all(server, [endpoint], load, run_dir, results)
            rss["datasette"] = server.peak_rss

    report: dict[str, Any] = {
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
            "load_average_at_start": os.getloadavg(),
        },
        "config": {
            "backend": backend,
            "mode": mode,
            "roundups": "seed" if args.seed_data else args.roundups,
            "seed": args.seed,
            "workers": args.workers,
            "connections": load.connections,
            "wrk_threads": load.threads,
            "seconds": load.seconds,
            "warmup_seconds": load.warmup_seconds,
            "fill_repeats": load.fill_repeats,
            "server_env": {k: v for k, v in env.items() if k.startswith("ROUNDUP_")},
            "uvicorn": "as `roundup serve`: uvloop, httptools, access log on, same for references",
            "datasette": datasette_version,
        },
        "load": asdict(loaded) if loaded else None,
        "endpoints": results,
        "peak_rss_mb": rss,
        "wall_seconds": round(time.time() - started, 1),
    }
    report["ratios"] = _ratios(results)
    report["targets"] = _targets(report)
    RESULTS_DIR.mkdir(exist_ok=True)
    text_report = json.dumps(report, indent=2) + "\n"
    (RESULTS_DIR / "latest.json").write_text(text_report)
    size = "seed" if args.seed_data else args.roundups
    (RESULTS_DIR / f"{backend}-{size}-{mode}.json").write_text(text_report)
    print()
    print(table(report))
    print(f"\nwrote {RESULTS_DIR / 'latest.json'}")


def _rate(results: dict[str, dict[str, Any]], name: str) -> float | None:
    row = results.get(name, {})
    return row.get("requests_per_second") if row.get("status") == "ok" else None


def _ratios(results: dict[str, dict[str, Any]]) -> dict[str, dict[str, float | None]]:
    fastapi, asgi = _rate(results, "fastapi_reference"), _rate(results, "asgi_reference")
    ratios = {}
    for name in results:
        rate = _rate(results, name)
        ratios[name] = {
            "fastapi": round(rate / fastapi, 3) if rate is not None and fastapi else None,
            "asgi": round(rate / asgi, 3) if rate is not None and asgi else None,
        }
    return ratios


def _targets(report: dict[str, Any]) -> list[dict[str, Any]]:
    """The issue's targets, each with the measured value and whether it is met (None: not
    measured in this run)."""
    results = report["endpoints"]
    cold = report["config"]["mode"] == "cold"

    def value(name: str, field: str) -> float | None:
        row = results.get(name, {})
        return row.get(field) if row.get("status") == "ok" else None

    def ratio(name: str, reference: str) -> float | None:
        rate, base = _rate(results, name), _rate(results, reference)
        return round(rate / base, 2) if rate is not None and base else None

    checks: list[tuple[str, float | None, str, float]] = []
    detail_p99 = 30.0
    list_p99 = 60.0 if cold else 50.0
    checks.append(("article_detail p99 ms", value("article_detail", "p99_ms"), "<", detail_p99))
    if not cold:
        checks.append(
            ("article_detail x FastAPI", ratio("article_detail", "fastapi_reference"), ">=", 1.0)
        )
        checks.append(
            ("not_modified x FastAPI", ratio("not_modified", "fastapi_reference"), ">=", 1.5)
        )
    for name in ("arguments_by_tag", "responses_stance_org", "article_summary"):
        checks.append((f"{name} p99 ms", value(name, "p99_ms"), "<", list_p99))
    checks.append(
        (
            "arguments_by_tag x Datasette",
            ratio("arguments_by_tag", "datasette_arguments_by_tag"),
            ">=",
            5.0,
        )
    )
    checks.append(("search p99 ms", value("search", "p99_ms"), "<", 100.0))
    deep, first = value("arguments_deep_page", "p50_ms"), value("arguments_page_1", "p50_ms")
    both = all(
        results.get(n, {}).get("completed") for n in ("arguments_deep_page", "arguments_page_1")
    )
    checks.append(
        (
            "deep page / page 1, p50 under load",
            round(deep / first, 2) if deep and first and both else None,
            "<=",
            2,
        )
    )
    deep, first = value("arguments_deep_page", "probe_ms"), value("arguments_page_1", "probe_ms")
    checks.append(
        (
            "deep page / page 1, one request alone",
            round(deep / first, 2) if deep and first else None,
            "<=",
            2,
        )
    )
    if report["load"]:
        checks.append(("load seconds", report["load"]["load_seconds"], "<", 60.0))
    workers = [p["mb"] for p in report["peak_rss_mb"].get("roundup", []) if p["role"] == "worker"]
    checks.append(("peak RSS MB per worker", max(workers) if workers else None, "<", 300.0))
    return [
        {
            "target": name,
            "measured": measured,
            "goal": f"{op} {goal}",
            "met": None
            if measured is None
            else (
                measured < goal
                if op == "<"
                else measured >= goal
                if op == ">="
                else measured <= goal
            ),
        }
        for name, measured, op, goal in checks
    ]


def _cpu(row: dict[str, Any]) -> str:
    """Server CPU per request; runs saved before it was measured have none."""
    value = row.get("cpu_ms_per_request")
    return "" if value is None else f"{value:.2f}"


def table(report: dict[str, Any]) -> str:
    config = report["config"]
    size = config["roundups"]
    data = "the seed roundup" if size == "seed" else f"{size:,} roundups"
    lines = [
        f"{config['backend']}, {data}, {config['mode']},"
        f" {config['workers']} workers, wrk {config['connections']} connections"
        f" x {config['seconds']} s, {report['machine']['cpus']} CPUs",
        "",
        "| endpoint | req/s | p50 ms | p99 ms | CPU ms/req | errors | x FastAPI | x ASGI |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, row in report["endpoints"].items():
        if row["status"] != "ok":
            lines.append(f"| {row['label']} | {row['status']} | | | | | | |")
            continue
        ratio = report["ratios"][name]
        bound = "" if row["completed"] else "> "
        lines.append(
            f"| {row['label']} | {row['requests_per_second']:,.1f} | {bound}{row['p50_ms']:,.1f}"
            f" | {bound}{row['p99_ms']:,.1f} | {_cpu(row)} | {row['errors']}"
            f" | {_x(ratio['fastapi'])}"
            f" | {_x(ratio['asgi'])} |"
        )
    load = report["load"]
    lines += [""]
    if load:
        lines.append(
            f"Load: {load['roundups']:,} roundups, {load['rows']:,} rows, {load['loader']}"
            f" {load['load_seconds']:.1f} s (+ {load['generate_seconds']:.1f} s generating);"
            f" per-row load {load['sample_rows_per_second']:,} rows/s, projected"
            f" {load['projected_load_seconds']:,} s."
        )
    peaks = []
    for name, processes in report["peak_rss_mb"].items():
        sizes = ", ".join(f"{p['role']} {p['mb']:.0f}" for p in processes)
        peaks.append(f"{name}: {sizes}")
    lines.append("Peak RSS (MB): " + "; ".join(peaks))
    lines += ["", "| target | measured | goal | met |", "| --- | ---: | --- | --- |"]
    for target in report["targets"]:
        met = {True: "yes", False: "NO", None: "n/a"}[target["met"]]
        lines.append(f"| {target['target']} | {target['measured']} | {target['goal']} | {met} |")
    return "\n".join(lines)


def _x(value: float | None) -> str:
    return f"{value:.2f}x" if value is not None else ""


if __name__ == "__main__":
    main()
