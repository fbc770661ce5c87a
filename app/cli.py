"""The `roundup` command: migrate, seed, parse, serve."""

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

import orjson
from sqlalchemy.exc import SQLAlchemyError

from app.config import PROJECT_DIR, get_settings


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="roundup", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("migrate", help="upgrade the database schema to the latest revision")
    seed = commands.add_parser("seed", help="load roundups and their annotations (one transaction)")
    seed.add_argument(
        "paths", nargs="*", type=Path, help="source files or folders (default: seed/)"
    )
    show = commands.add_parser("parse", help="print a parsed, annotated roundup as JSON")
    show.add_argument("path", type=Path)
    serve = commands.add_parser("serve", help="serve the API with uvicorn")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1)
    args = parser.parse_args(argv)

    if args.command == "migrate":
        return _migrate()
    if args.command == "seed":
        return _seed(args.paths)
    if args.command == "parse":
        return _parse(args.path)
    return _serve(args.host, args.port, args.workers)


def _migrate() -> int:
    from alembic import command
    from alembic.config import Config

    command.upgrade(Config(str(PROJECT_DIR / "alembic.ini")), "head")
    print("migrate: database at head")
    return 0


def _seed(paths: list[Path]) -> int:
    from sqlmodel import Session

    from app.db import get_engine
    from app.ingest.errors import SourceError
    from app.ingest.seed import seed

    settings = get_settings()
    try:
        with Session(get_engine()) as session, session.begin():
            report = seed(session, paths or [settings.seed_dir], settings.seed_dir)
    except SourceError as error:
        print(f"roundup seed: {error}", file=sys.stderr)
        return 1
    except SQLAlchemyError as error:
        reason = getattr(error, "orig", None) or error
        print(f"roundup seed: database error: {reason}", file=sys.stderr)
        return 2
    print(f"seed: {report}")
    return 0


def _parse(path: Path) -> int:
    from app.ingest.errors import SourceError
    from app.ingest.files import read_catalog, read_document
    from app.ingest.render import document_json

    seed_dir = get_settings().seed_dir
    try:
        annotated = read_document(path, read_catalog(seed_dir), seed_dir / "annotations")
    except SourceError as error:
        print(f"roundup parse: {error}", file=sys.stderr)
        return 1
    sys.stdout.buffer.write(orjson.dumps(document_json(annotated), option=orjson.OPT_INDENT_2))
    sys.stdout.buffer.write(b"\n")
    return 0


def _serve(host: str, port: int, workers: int) -> int:
    import uvicorn

    uvicorn.run(
        "app.main:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        server_header=False,
        proxy_headers=True,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
