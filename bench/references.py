"""Reference servers: a constant JSON body the size of an article detail, served two ways.

    python -m bench.references fastapi|asgi --port 8101 --workers 2

`fastapi`: one FastAPI route that returns the pre-serialized bytes (the framework's cost).
`asgi`: a bare ASGI callable that sends the same bytes (the ceiling for Python here).
Both run under uvicorn with the settings `roundup serve` uses (see app/cli.py). The body is
read from the file named by BENCH_BODY_FILE: the benchmark saves a real article detail there.
"""

import argparse
import os
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.responses import Response

BODY_FILE_VARIABLE = "BENCH_BODY_FILE"


def _body() -> bytes:
    return Path(os.environ[BODY_FILE_VARIABLE]).read_bytes()


def fastapi_app() -> FastAPI:
    body = _body()
    app = FastAPI()

    @app.get("/v1/articles/{slug}")
    async def article(slug: str) -> Response:
        return Response(content=body, media_type="application/json")

    return app


def asgi_app() -> Any:
    body = _body()
    start = {
        "type": "http.response.start",
        "status": 200,
        "headers": [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
        ],
    }
    message = {"type": "http.response.body", "body": body}

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            while True:
                event = await receive()
                if event["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                elif event["type"] == "lifespan.shutdown":
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        await send(start)
        await send(message)

    return app


def main() -> None:
    import uvicorn

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("kind", choices=["fastapi", "asgi"])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()
    # The same uvicorn settings as app.cli._serve, so only the application differs.
    uvicorn.run(
        f"bench.references:{args.kind}_app",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        server_header=False,
        proxy_headers=True,
    )


if __name__ == "__main__":
    main()
