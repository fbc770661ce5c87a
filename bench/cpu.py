"""CPU per uncached request, measured in-process: no wrk, no sockets, little noise.

    python -m bench.cpu [--roundups 1000] [--requests 200] [--database-url URL]

Builds the app with the response cache off, sends sequential requests through httpx's ASGI
transport in one event loop, and prints per endpoint the process CPU time per request
(every thread counted, the thread pool included) and the wall-clock p50/p99. On a shared
machine the CPU time is the figure to compare; run before and after a change in one go.
"""

import argparse
import asyncio
import os
import random
import statistics
import time

import httpx

from bench import corpus

ENDPOINTS = (
    "healthz",
    "article_detail",
    "article_summary",
    "articles",
    "responses_stance",
    "args_by_tag",
)


def _paths(database_url: str, rng: random.Random) -> dict[str, list[str]]:
    from sqlalchemy import create_engine

    from bench.urls import facts

    found = facts(create_engine(database_url), rng, sample=100)
    stances = sorted({stance for stance, _ in found.stance_organizations})
    return {
        "healthz": ["/healthz"],  # the client's and the middleware's share of each figure
        "article_detail": [f"/v1/articles/{s}" for s in found.article_slugs],
        "article_summary": [f"/v1/articles/{s}/summary" for s in found.article_slugs],
        "articles": ["/v1/articles"],
        "responses_stance": [f"/v1/responses?stance={s}" for s in stances],
        "args_by_tag": [f"/v1/arguments?tag={t}" for t in found.tag_slugs],
    }


async def _measure(paths: list[str], requests: int, rng: random.Random) -> tuple[float, ...]:
    from app.main import create_app

    transport = httpx.ASGITransport(app=create_app())
    headers = {"Accept-Encoding": "identity"}  # as wrk sends them: no gzip
    async with httpx.AsyncClient(
        transport=transport, base_url="http://bench", headers=headers
    ) as client:
        for path in paths[:5]:  # warm up: imports, statement caches, connections
            (await client.get(path)).raise_for_status()
        walls = []
        cpu = time.process_time()
        for _ in range(requests):
            start = time.perf_counter()
            answer = await client.get(rng.choice(paths))
            walls.append(time.perf_counter() - start)
            answer.raise_for_status()
        cpu = time.process_time() - cpu
    cuts = statistics.quantiles(walls, n=100)
    return cpu / requests * 1000, cuts[49] * 1000, cuts[98] * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--roundups", type=int, default=1000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--database-url", default="", help="default: the cached SQLite corpus")
    parser.add_argument("--only", nargs="*", default=ENDPOINTS)
    args = parser.parse_args()
    url = args.database_url
    if not url:
        from bench.run import _sqlite_database

        url = _sqlite_database(args.roundups, corpus.DEFAULT_SEED)[0]
    os.environ["DATABASE_URL"] = url
    os.environ["ROUNDUP_RESPONSE_CACHE"] = "0"
    rng = random.Random(corpus.DEFAULT_SEED)
    paths = _paths(url, rng)
    print(f"{'endpoint':<18} {'cpu ms/req':>10} {'p50 ms':>8} {'p99 ms':>8}")
    for name in args.only:
        cpu, p50, p99 = asyncio.run(_measure(paths[name], args.requests, rng))
        print(f"{name:<18} {cpu:>10.2f} {p50:>8.2f} {p99:>8.2f}")


if __name__ == "__main__":
    main()
