"""`roundup import` timed as users run it: a folder of roundup texts into a new database.

    python -m bench.imports --files 1000 [--database-url URL] [--workers N]

Renders `--files` roundups of the synthetic corpus as text files (bench/texts.py), migrates a
new database (a SQLite file, or a scratch database on the PostgreSQL server of `--database-url`),
then times three runs of the real command, each a subprocess: the first import, the same files
again (unchanged), and again with 1% of them changed. For each: wall time, files a second, CPU
seconds of the command and its workers per file (the figure a busy machine disturbs least), and
their peak memory. Writes bench/results/import-<engine>-<files>.json.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bench import texts

RESULTS_DIR = Path(__file__).resolve().parent / "results"
ROUNDUP = Path(sys.executable).parent / "roundup"
# Runs one command and prints its (and its descendants') resource use as JSON on stderr.
_MEASURE = """
import json, resource, subprocess, sys, time
started = time.perf_counter()
done = subprocess.run(sys.argv[1:], stdout=subprocess.PIPE, text=True)
seconds = time.perf_counter() - started
used = resource.getrusage(resource.RUSAGE_CHILDREN)
lines = done.stdout.splitlines()
summary = lines[-1] if lines else ""
print(json.dumps({"status": done.returncode, "seconds": seconds, "summary": summary,
    "cpu": used.ru_utime + used.ru_stime, "peak_kib": used.ru_maxrss}), file=sys.stderr)
"""


@dataclass
class Run:
    step: str
    files: int
    summary: str
    seconds: float
    files_per_second: float
    cpu_ms_per_file: float
    peak_mib: float

    def row(self) -> str:
        return (
            f"| {self.step} | {self.files:,} | {self.seconds:.1f} s | {self.files_per_second:,.0f}"
            f" | {self.cpu_ms_per_file:.1f} ms | {self.peak_mib:,.0f} MiB |"
        )


def measure(step: str, files: int, folder: Path, url: str, workers: int | None) -> Run:
    command = [str(ROUNDUP), "import", str(folder)]
    if workers:
        command += ["--workers", str(workers)]
    done = subprocess.run(
        [sys.executable, "-c", _MEASURE, *command],
        env=_env(url),
        stderr=subprocess.PIPE,
        text=True,
        check=True,
    )
    used = json.loads(done.stderr.strip().splitlines()[-1])
    if used["status"] != 0:
        raise SystemExit(f"roundup import failed ({used['status']}): {used['summary']}")
    return Run(
        step=step,
        files=files,
        summary=used["summary"],
        seconds=round(used["seconds"], 2),
        files_per_second=round(files / used["seconds"], 1),
        cpu_ms_per_file=round(used["cpu"] * 1000 / files, 2),
        peak_mib=round(used["peak_kib"] / 1024, 1),
    )


def _env(url: str) -> dict[str, str]:
    return {**os.environ, "DATABASE_URL": url}


@contextmanager
def new_database(server_url: str | None, folder: Path) -> Iterator[str]:
    """A migrated empty database: a SQLite file in `folder`, or a scratch PostgreSQL database
    on the server of `server_url`, dropped afterwards."""
    if not server_url:
        url = f"sqlite:///{folder / 'import.db'}"
        _migrate(url)
        yield url
        return
    server = make_url(server_url).set(drivername="postgresql+psycopg")
    name = f"roundup_bench_import_{uuid.uuid4().hex[:8]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        url = server.set(database=name).render_as_string(hide_password=False)
        _migrate(url)
        yield url
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _migrate(url: str) -> None:
    subprocess.run([str(ROUNDUP), "migrate"], env=_env(url), check=True, capture_output=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--database-url", default="", help="a PostgreSQL server; empty: SQLite")
    parser.add_argument("--workers", type=int, help="roundup import --workers (default: cores)")
    args = parser.parse_args()
    engine = "postgresql" if args.database_url else "sqlite"
    with tempfile.TemporaryDirectory(prefix="roundup-import-") as scratch:
        folder = Path(scratch) / "texts"
        started = time.perf_counter()
        paths = texts.write(folder, args.files)
        print(f"rendered {len(paths):,} files in {time.perf_counter() - started:.1f} s")
        runs = []
        with new_database(args.database_url, Path(scratch)) as url:
            runs.append(measure("first import", len(paths), folder, url, args.workers))
            runs.append(measure("again, unchanged", len(paths), folder, url, args.workers))
            changed = texts.change(paths, every=100)
            step = f"again, {len(changed)} changed"
            runs.append(measure(step, len(paths), folder, url, args.workers))
    print(f"`roundup import` on {engine}, {args.files:,} files:")
    print("| step | files | wall | files/s | CPU per file | peak memory |")
    print("| --- | --- | --- | --- | --- | --- |")
    for run in runs:
        print(run.row())
        print(f"  {run.summary}")
    RESULTS_DIR.mkdir(exist_ok=True)
    out = RESULTS_DIR / f"import-{engine}-{args.files}.json"
    out.write_text(json.dumps([asdict(run) for run in runs], indent=2) + "\n")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
