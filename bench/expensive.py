"""Time single expensive requests in-process (no cache): status, wall time and CPU time each.

    python -m bench.expensive --url sqlite:////tmp/b2000.db [--timeout-ms 5000] [URL...]

Requests run one at a time through the whole ASGI stack with the response cache off, so
the numbers are the cost of one request to a worker. Without URLs, a fixed set of crafted
and common-word searches, wide facets and exports is timed.
"""

import argparse
import json
import os
import resource
import time

CRAFTED = " OR ".join(f"{letter}*" for letter in "abcdefghijklmnopqrst")
THREE_LETTER = " OR ".join(f"{p}*" for p in ("con", "pro", "res", "com"))
FACETS = "facets=stance,tag,organization,expert,article"
DEFAULT_URLS = (
    f"/v1/search?q={CRAFTED}",
    f"/v1/search?q={THREE_LETTER}",
    f"/v1/responses?q={THREE_LETTER}&{FACETS}",
    f"/v1/arguments?q={THREE_LETTER}&{FACETS},kind",
    "/v1/search?q=the",
    "/v1/search?q=russia",
    "/v1/search?q=the&stance=yes",
    "/v1/search?q=europe OR russia OR sanctions",
    f"/v1/arguments?{FACETS},kind",
    "/v1/search?q=sanctions&format=csv",
)


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("urls", nargs="*")
    parser.add_argument("--url", required=True, help="the database (a loaded benchmark corpus)")
    parser.add_argument("--timeout-ms", type=int, default=5000, help="statement timeout")
    args = parser.parse_args()
    os.environ["DATABASE_URL"] = args.url
    os.environ["ROUNDUP_RESPONSE_CACHE"] = "0"
    os.environ["ROUNDUP_STATEMENT_TIMEOUT_MS"] = str(args.timeout_ms)
    os.environ["ROUNDUP_REQUEST_TIMEOUT_S"] = "600"

    from fastapi.testclient import TestClient

    from app.main import create_app

    with TestClient(create_app()) as client:
        client.get("/readyz")
        for url in args.urls or DEFAULT_URLS:
            wall, cpu = time.perf_counter(), _cpu()
            response = client.get(url)
            wall, cpu = time.perf_counter() - wall, _cpu() - cpu
            body = response.content
            summary = {
                "url": url[:90],
                "status": response.status_code,
                "wall_s": round(wall, 3),
                "cpu_s": round(cpu, 3),
                "bytes": len(body),
                "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
            }
            if response.headers.get("content-type", "").endswith("json"):
                data = response.json()
                summary["total"] = data.get("total")
                summary["detail"] = data.get("detail")
            print(json.dumps(summary), flush=True)


if __name__ == "__main__":
    main()
