"""Profile one endpoint under load: py-spy samples a single `roundup serve` worker under wrk.

    python -m bench.profile article_detail [--roundups 10000] [--seconds 15]

Writes bench/results/profiles/<endpoint>.txt (py-spy's collapsed stacks, for flame graph
tools or speedscope) and prints where the samples fall: by request phase, by layer of the
innermost frame, and the functions that hold the most samples.
"""

import argparse
import random
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from app.config import PROJECT_DIR
from app.db import build_engine
from bench import corpus, servers, urls, wrk
from bench.load import CACHE_DIR, cache_key
from bench.run import RESULTS_DIR, _server_env, _sqlite_database, _write_lines

PY_SPY_VENV = Path(__file__).resolve().parent / ".venv-profile"
PY_SPY_VERSION = "0.4.3"

# Where a sampled stack is in the request: the first of these found anywhere in the stack
# names it (a sync handler and its dependencies run in a thread-pool thread, the rest in the
# event loop's thread, under uvicorn's frames).
PHASES = (
    ("app/deps.py", "dependencies: session, fetch-or-404"),
    ("conditional_get (app/http/", "dependencies: ETag / conditional GET"),
    ("app/params.py", "dependencies: query parameters"),
    ("get_session", "dependencies: session"),
    ("app/routes/", "handler: queries and building models"),
    ("serialize_response", "response model validation + jsonable_encoder"),
    ("fastapi/_compat", "response model validation + jsonable_encoder"),
    ("fastapi/encoders.py", "response model validation + jsonable_encoder"),
    ("starlette/responses.py", "rendering the response"),
    ("anyio/", "thread-pool hand-off (anyio)"),
    ("fastapi/", "FastAPI routing, dependency solving"),
    ("starlette/", "Starlette and middleware"),
    ("uvicorn/", "uvicorn (HTTP parsing, writing)"),
)
# Layers of the innermost frame, matched by file path: the first one found names it.
LAYERS = (
    ("sqlalchemy/engine/default.py", "database driver (SQLite executing, fetching)"),
    ("CursorFetchStrategy.fetch", "database driver (SQLite executing, fetching)"),
    ("sqlalchemy/", "SQLAlchemy (compile, ORM, rows)"),
    ("sqlmodel/", "SQLModel"),
    ("pydantic", "pydantic (validation/serialization)"),
    ("fastapi/encoders.py", "FastAPI jsonable_encoder"),
    ("fastapi/", "FastAPI"),
    ("starlette/", "Starlette"),
    ("uvicorn/", "uvicorn"),
    ("anyio/", "anyio (thread pool hand-off)"),
    ("app/", "app code"),
    ("logging/", "logging (access log)"),
    ("asyncio/", "asyncio"),
)
# Stacks of threads that wait for work (the thread pool, the event loop's select).
IDLE = ("Condition.wait (threading.py", "Runner.run (asyncio/runners.py", "Queue._get (queue.py")


def _py_spy() -> Path:
    executable = PY_SPY_VENV / "bin" / "py-spy"
    if not executable.is_file():
        subprocess.run([sys.executable, "-m", "venv", str(PY_SPY_VENV)], check=True)
        pip = [str(PY_SPY_VENV / "bin" / "python"), "-m", "pip", "install", "--quiet"]
        subprocess.run([*pip, f"py-spy=={PY_SPY_VERSION}"], check=True)
    return executable


def summarize(collapsed: Path, top: int = 15) -> str:
    phases: Counter[str] = Counter()
    layers: Counter[str] = Counter()
    own: Counter[str] = Counter()
    total = 0
    for line in collapsed.read_text().splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack:
            continue
        count = int(count_text)
        frames = stack.split(";")
        leaf = frames[-1]
        if leaf.startswith(IDLE):
            continue
        total += count
        phases[next((name for key, name in PHASES for f in frames if key in f), "other")] += count
        layers[next((name for key, name in LAYERS if key in leaf), "other")] += count
        own[leaf] += count

    def block(title: str, counts: Counter[str]) -> list[str]:
        rows = [f"{title}:"]
        rows += [f"  {100 * n / total:5.1f}%  {name}" for name, n in counts.most_common(top)]
        return rows

    lines = [f"{total} samples of threads at work (idle threads left out)"]
    lines += block("by request phase (outermost match)", phases)
    lines += block("by layer of the innermost frame", layers)
    lines += block("innermost functions", own)
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("endpoints", nargs="+")
    parser.add_argument("--roundups", type=int, default=10_000)
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--cold", action="store_true")
    parser.add_argument(
        "--connections",
        type=int,
        default=1,
        help="1 (default) shows one request's cost without threads contending for the GIL",
    )
    args = parser.parse_args()
    py_spy = _py_spy()
    database_url, _, _ = _sqlite_database(args.roundups, corpus.DEFAULT_SEED)
    engine = build_engine(database_url)
    found = urls.facts(engine, random.Random(corpus.DEFAULT_SEED))
    engine.dispose()
    run_dir = CACHE_DIR / "profile"
    out_dir = RESULTS_DIR / "profiles"
    out_dir.mkdir(parents=True, exist_ok=True)
    port = servers.free_port()
    command = [str(Path(sys.executable).parent / "roundup"), "serve", "--port", str(port)]
    env = _server_env(database_url, args.cold)
    with servers.serve("roundup", command, port, "/healthz", env, run_dir, PROJECT_DIR) as server:
        cursors = CACHE_DIR / f"{cache_key(args.roundups, corpus.DEFAULT_SEED)}.sqlite.cursors.json"
        by_name = {e.name: e for e in urls.endpoints(server.base_url, found, cursors)}
        for name in args.endpoints:
            url_file = _write_lines(run_dir, by_name[name])
            load = wrk.Load(
                connections=args.connections,
                threads=min(2, args.connections),
                seconds=args.seconds + 4,
                warmup_seconds=0,
            )
            driver = subprocess.Popen(
                [
                    "wrk",
                    f"-t{load.threads}",
                    f"-c{load.connections}",
                    f"-d{load.seconds}s",
                    "-s",
                    str(wrk.LUA_SCRIPT),
                    server.base_url,
                    "--",
                    str(url_file),
                ],
                stdout=subprocess.DEVNULL,
            )
            time.sleep(2)
            output = out_dir / f"{name}.txt"
            subprocess.run(
                [
                    str(py_spy),
                    "record",
                    "--pid",
                    str(server.process.pid),
                    "--duration",
                    str(args.seconds),
                    "--rate",
                    "250",
                    "--format",
                    "raw",
                    "--output",
                    str(output),
                ],
                check=True,
                capture_output=True,
            )
            driver.wait()
            print(f"== {name} ({by_name[name].label}), {args.connections} connection(s);")
            print(f"   collapsed stacks in {output}")
            print(summarize(output))


if __name__ == "__main__":
    main()
