"""The `roundup` command: migrate, seed, import, parse, annotate, check, evaluate, serve, and
what a container needs (start, healthcheck, grant-readonly)."""

import argparse
import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import TextIO

import orjson
from sqlalchemy.exc import SQLAlchemyError

from app.config import PROJECT_DIR, get_settings

DEFAULT_STANCE_SET = PROJECT_DIR / "tests" / "fixtures" / "stances.yaml"
"""The stance test set `roundup evaluate` reports on when it is there (a source checkout)."""
DEFAULT_TOPICS = PROJECT_DIR / "tests" / "fixtures" / "topics"
"""The synthetic topic roundups `roundup evaluate` measures tag coverage on, when present."""

PROGRESS_MIN_FILES = 5
"""A progress bar is drawn for imports of at least this many files, on a terminal only."""


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="roundup", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("migrate", help="upgrade the database schema to the latest revision")
    seed = commands.add_parser(
        "seed", help="load roundups and their curated annotations (one transaction)"
    )
    seed.add_argument(
        "paths", nargs="*", type=Path, help="source files or folders (default: seed/)"
    )
    importer = commands.add_parser(
        "import",
        help="parse, annotate (curated if present, else rules) and load roundups,"
        " one transaction per file",
    )
    importer.add_argument("paths", nargs="+", help="source files or folders of *.txt; - for stdin")
    _add_source_options(importer)
    importer.add_argument(
        "--workers",
        type=int,
        default=os.cpu_count() or 1,
        help="processes that parse and annotate (default: one per core)",
    )
    importer.add_argument(
        "--rescan",
        action="store_true",
        help="parse files whose bytes are a loaded roundup's too (after changing the tag"
        " patterns or the rules); by default they are reported unchanged unread",
    )
    show = commands.add_parser("parse", help="print a parsed, annotated roundup as JSON")
    show.add_argument("path", help="a source file, or - for stdin")
    _add_source_options(show)
    annotate = commands.add_parser(
        "annotate",
        help="write the rules annotator's reading of a roundup as a curated-annotations draft",
    )
    annotate.add_argument("path", help="a source file, or - for stdin")
    annotate.add_argument(
        "-o",
        "--output",
        type=Path,
        metavar="FILE",
        help="write the draft here (default: stdout); an existing file is never overwritten",
    )
    annotate.add_argument(
        "--published-on",
        type=date.fromisoformat,
        metavar="YYYY-MM-DD",
        help="the date of a roundup that prints no 'Published on' line",
    )
    check = commands.add_parser(
        "check",
        help="validate curated-annotation files against their sources (no database)",
    )
    check.add_argument(
        "paths",
        nargs="+",
        type=Path,
        help="annotation files (*.yaml), their sources (*.txt) or folders of either; the"
        " sources in the seed folder are always known",
    )
    check.add_argument(
        "--published-on",
        type=date.fromisoformat,
        metavar="YYYY-MM-DD",
        help="the date of sources that print no 'Published on' line",
    )
    evaluate = commands.add_parser(
        "evaluate", help="measure the rules annotator against a curated roundup"
    )
    evaluate.add_argument(
        "paths",
        nargs="*",
        type=Path,
        help="curated sources or folders (default: seed/); curated annotations are hidden from"
        " the rules annotator, then compared with its output",
    )
    evaluate.add_argument(
        "--stances",
        type=Path,
        metavar="PATH",
        help="the stance test set, openings with a reader's stance (default:"
        " tests/fixtures/stances.yaml when present)",
    )
    evaluate.add_argument(
        "--topics",
        type=Path,
        metavar="DIR",
        help="synthetic topic roundups with their expected.yaml (default: tests/fixtures/topics"
        " when present)",
    )
    serve = commands.add_parser("serve", help="serve the API with uvicorn")
    serve.add_argument("--host", help="default: ROUNDUP_HOST (127.0.0.1)")
    serve.add_argument("--port", type=int, help="default: ROUNDUP_PORT (8000)")
    serve.add_argument("--workers", type=int, help="default: ROUNDUP_WORKERS (1)")
    commands.add_parser(
        "start",
        help="migrate (ROUNDUP_MIGRATE), seed (ROUNDUP_SEED), then serve: the container entrypoint",
    )
    commands.add_parser(
        "healthcheck", help="exit 0 if the API on ROUNDUP_PORT answers /healthz with 200"
    )
    grant = commands.add_parser(
        "grant-readonly",
        help="PostgreSQL, as the owner with CREATEROLE: let ROLE SELECT every table, now and"
        " after future migrations, and nothing else (read-only by default, no temp tables)",
    )
    grant.add_argument("role")
    commands.add_parser(
        "examples",
        help="rewrite app/openapi_examples.json from a scratch database seeded with seed/",
    )
    args = parser.parse_args(argv)

    if args.command == "migrate":
        return _migrate()
    if args.command == "seed":
        return _seed(args.paths)
    if args.command == "import":
        return _import(args.paths, args.published_on, args.annotations, args.workers, args.rescan)
    if args.command == "parse":
        return _parse(args.path, args.published_on, args.annotations)
    if args.command == "annotate":
        return _annotate(args.path, args.output, args.published_on)
    if args.command == "check":
        return _check(args.paths, args.published_on)
    if args.command == "evaluate":
        return _evaluate(args.paths, args.stances, args.topics)
    if args.command == "start":
        return _start()
    if args.command == "healthcheck":
        return _healthcheck()
    if args.command == "grant-readonly":
        return _grant_readonly(args.role)
    if args.command == "examples":
        from app.examples import write_examples

        return write_examples()
    return _serve(args.host, args.port, args.workers)


def _add_source_options(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--published-on",
        type=date.fromisoformat,
        metavar="YYYY-MM-DD",
        help="the date of roundups that print no 'Published on' line",
    )
    command.add_argument(
        "--annotations",
        type=Path,
        metavar="DIR",
        help="where curated annotations (<slug>.yaml) are looked for (default: seed/annotations)",
    )


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


def _import(
    paths: list[str],
    published_on: date | None,
    annotations: Path | None,
    workers: int,
    rescan: bool,
) -> int:
    from sqlmodel import Session
    from tqdm import tqdm

    from app.db import get_engine
    from app.ingest.errors import SourceError
    from app.ingest.files import read_catalog
    from app.ingest.importer import expand, import_catalog, import_sources, summary

    settings = get_settings()
    try:
        catalog = read_catalog(settings.seed_dir)
    except SourceError as error:
        print(f"roundup import: {error}", file=sys.stderr)
        return 1
    names = expand(paths)
    if not names:
        print(f"roundup import: no *.txt files in {' '.join(paths)}", file=sys.stderr)
        return 1
    engine = get_engine()

    @contextmanager
    def transaction() -> Iterator[Session]:
        with Session(engine) as session, session.begin():
            yield session

    try:
        catalog_report = import_catalog(transaction, catalog)
    except SQLAlchemyError as error:
        reason = getattr(error, "orig", None) or error
        print(f"roundup import: database error: {reason}", file=sys.stderr)
        return 2
    if catalog_report.changed:
        print(f"catalog: {catalog_report}")
    results = []
    # The bar shows files parsed, files a second and the time left; a file's line is printed
    # once it is committed.
    with tqdm(
        total=len(names),
        desc="import",
        unit="file",
        file=sys.stderr,
        leave=False,
        disable=not _progress_wanted(sys.stderr, len(names)),
    ) as bar:
        for result in import_sources(
            names,
            catalog=catalog,
            annotations_dir=annotations or settings.seed_dir / "annotations",
            transaction=transaction,
            stdin=sys.stdin.buffer,
            published_on=published_on,
            workers=workers,
            # Unchanged bytes are a loaded roundup unless what annotates it changed.
            skip_unchanged=not (rescan or catalog_report.changed or published_on),
            progress=bar.update,
        ):
            results.append(result)
            bar.write(str(result), file=sys.stdout)
    print(summary(results))
    return 1 if any(result.status == "failed" for result in results) else 0


def _progress_wanted(stream: TextIO, files: int) -> bool:
    """A bar only on a terminal, and only when there are enough files to wait for."""
    return files >= PROGRESS_MIN_FILES and stream.isatty()


def _parse(path: str, published_on: date | None, annotations: Path | None) -> int:
    from app.ingest.errors import SourceError
    from app.ingest.files import annotated_document, read_bytes, read_catalog
    from app.ingest.importer import STDIN, STDIN_NAME
    from app.ingest.render import document_json

    seed_dir = get_settings().seed_dir
    try:
        raw = sys.stdin.buffer.read() if path == STDIN else read_bytes(Path(path))
        annotated = annotated_document(
            STDIN_NAME if path == STDIN else path,
            raw,
            read_catalog(seed_dir),
            annotations or seed_dir / "annotations",
            require_curated=False,
            published_on=published_on,
        )
    except SourceError as error:
        print(f"roundup parse: {error}", file=sys.stderr)
        return 1
    sys.stdout.buffer.write(orjson.dumps(document_json(annotated), option=orjson.OPT_INDENT_2))
    sys.stdout.buffer.write(b"\n")
    return 0


def _annotate(path: str, output: Path | None, published_on: date | None) -> int:
    from app.ingest.draft import draft_yaml
    from app.ingest.errors import SourceError
    from app.ingest.files import parse_source, read_bytes, read_catalog
    from app.ingest.importer import STDIN, STDIN_NAME
    from app.ingest.rules import annotate_rules

    if output is not None and output.exists():
        print(f"roundup annotate: {output} exists; not overwriting it", file=sys.stderr)
        return 1
    try:
        catalog = read_catalog(get_settings().seed_dir)
        raw = sys.stdin.buffer.read() if path == STDIN else read_bytes(Path(path))
        name = STDIN_NAME if path == STDIN else path
        document = parse_source(name, raw, catalog, published_on=published_on)
    except SourceError as error:
        print(f"roundup annotate: {error}", file=sys.stderr)
        return 1
    draft = draft_yaml(annotate_rules(document, catalog.tag_rules, source_sha256=""))
    if output is None:
        sys.stdout.write(draft)
        return 0
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(draft, encoding="utf-8")
    print(
        f"annotate: wrote {output} ({len(document.responses)} responses); correct it, then"
        f" `roundup check {output}`"
    )
    return 0


def _check(paths: list[Path], published_on: date | None) -> int:
    from app.ingest.check import check_annotation_file
    from app.ingest.document import RoundupDocument
    from app.ingest.errors import SourceError
    from app.ingest.files import parse_source, read_bytes, read_catalog

    seed_dir = get_settings().seed_dir
    annotations: list[Path] = []
    sources: list[Path] = []
    for path in paths:
        if path.is_dir():
            annotations.extend(sorted([*path.glob("*.yaml"), *path.glob("*.yml")]))
            sources.extend(sorted(path.glob("*.txt")))
        elif path.suffix in {".yaml", ".yml"}:
            annotations.append(path)
        else:
            sources.append(path)
    problems: list[SourceError] = []
    documents: dict[str, RoundupDocument] = {}
    try:
        catalog = read_catalog(seed_dir)
    except SourceError as error:
        print(f"roundup check: {error}", file=sys.stderr)
        return 1
    # The seed's sources first, so that a source given on the command line wins.
    for source in [*sorted(seed_dir.glob("*.txt")), *sources]:
        try:
            raw = read_bytes(source)
            document = parse_source(str(source), raw, catalog, published_on=published_on)
        except SourceError as error:
            problems.append(error)
            continue
        documents[document.slug] = document
    if not annotations:
        print(f"roundup check: no annotation files in {' '.join(map(str, paths))}", file=sys.stderr)
        return 1
    failed = 0
    for annotation in annotations:
        found = check_annotation_file(annotation, documents, catalog.tag_slugs)
        failed += bool(found)
        problems.extend(found)
    for problem in problems:
        print(problem, file=sys.stderr)
    print(
        f"check: {len(annotations)} annotation file(s): {len(annotations) - failed} ok,"
        f" {failed} with problems; {len(problems)} problem(s)"
    )
    return 1 if problems else 0


def _evaluate(paths: list[Path], stances: Path | None, topics: Path | None) -> int:
    from app.ingest.errors import SourceError
    from app.ingest.evaluate import (
        TopicResult,
        evaluate,
        evaluate_stances,
        report_lines,
        stance_set_lines,
        topic_lines,
        topic_result,
    )
    from app.ingest.files import read_catalog, read_document, source_files
    from app.ingest.rules import annotate_rules
    from app.ingest.specs import StanceCaseSpec, TopicSpec, read_yaml, validate_list

    seed_dir = get_settings().seed_dir
    if stances is None and DEFAULT_STANCE_SET.is_file():
        stances = DEFAULT_STANCE_SET
    if topics is None and DEFAULT_TOPICS.is_dir():
        topics = DEFAULT_TOPICS
    try:
        catalog = read_catalog(seed_dir)
        curated = [
            read_document(path, catalog, seed_dir / "annotations", require_curated=True)
            for path in source_files(paths or [seed_dir])
        ]
        cases = validate_list(StanceCaseSpec, read_yaml(stances), stances) if stances else []
        topic_results: list[TopicResult] = []
        if topics is not None:
            specs_path = topics / "expected.yaml"
            for spec in validate_list(TopicSpec, read_yaml(specs_path), specs_path):
                document = read_document(
                    topics / spec.file, catalog, topics / "annotations", require_curated=False
                )
                topic_results.append(topic_result(spec, document))
    except SourceError as error:
        print(f"roundup evaluate: {error}", file=sys.stderr)
        return 1
    for document in curated:
        rules = annotate_rules(
            document.document, catalog.tag_rules, source_sha256=document.source_sha256
        )
        for line in report_lines(document.document.slug, evaluate(document, rules)):
            print(line)
    if stances is not None:
        for line in stance_set_lines(_shown(stances), evaluate_stances(cases)):
            print(line)
    if topics is not None:
        for line in topic_lines(_shown(topics), topic_results):
            print(line)
    return 0


def _shown(path: Path) -> str:
    """`path` relative to the project when it is inside it, as printed in reports."""
    try:
        return str(path.resolve().relative_to(PROJECT_DIR))
    except ValueError:
        return str(path)


def _serve(host: str | None, port: int | None, workers: int | None) -> int:
    import uvicorn

    from app.http.balance import shared_folder

    settings = get_settings()
    if "*" in settings.forwarded_allow_ips.split(","):
        if settings.rate_limit_per_minute:
            print(
                "roundup serve: ROUNDUP_FORWARDED_ALLOW_IPS=* lets any client that reaches this"
                " process pick its own X-Forwarded-For address, and so escape the rate limit;"
                " list the proxy's addresses or networks instead (e.g. 10.0.0.0/8)",
                file=sys.stderr,
            )
            return 2
        print(
            "roundup serve: warning: ROUNDUP_FORWARDED_ALLOW_IPS=* believes X-Forwarded-For"
            " from anyone who reaches this process; list the proxy's addresses instead",
            file=sys.stderr,
        )
    # The head size, the request deadline and the connection cap live in app.http.server's
    # protocol (uvicorn's own cap would count half-sent requests and lock everyone out), and
    # so does the even share of connections between workers (app.http.balance).
    workers = workers or settings.workers
    with shared_folder(workers):
        uvicorn.run(
            "app.main:create_app",
            factory=True,
            host=host or settings.host,
            port=port or settings.port,
            workers=workers,
            http="app.http.server:GuardedHttpProtocol",
            server_header=False,
            proxy_headers=True,
            forwarded_allow_ips=settings.forwarded_allow_ips,
        )
    return 0


def _start() -> int:
    from app.db import get_engine, startup_lock

    settings = get_settings()
    with startup_lock(settings.database_url):
        if settings.migrate_on_start and (status := _migrate()) != 0:
            return status
        if settings.seed_on_start and (status := _seed([])) != 0:
            return status
    # Workers build their own engines; this one only did the start-up work.
    get_engine().dispose()
    return _serve(None, None, None)


def _healthcheck() -> int:
    import urllib.error
    import urllib.request

    url = f"http://127.0.0.1:{get_settings().port}/healthz"
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            status = response.status
    except urllib.error.HTTPError as error:
        status = error.code
    except OSError as error:
        print(f"roundup healthcheck: {url}: {error}", file=sys.stderr)
        return 1
    if status != 200:
        print(f"roundup healthcheck: {url}: HTTP {status}", file=sys.stderr)
        return 1
    return 0


def _grant_readonly(role: str) -> int:
    from sqlalchemy import text

    from app.db import get_engine, readonly_grants

    engine = get_engine()
    if engine.dialect.name != "postgresql":
        print(
            "roundup grant-readonly: needs PostgreSQL; for SQLite serve with a read-only URL,"
            " sqlite:///file:PATH?mode=ro&uri=true",
            file=sys.stderr,
        )
        return 1
    try:
        with engine.begin() as connection:
            database, schema = connection.execute(
                text("SELECT current_database(), current_schema()")
            ).one()
            statements = readonly_grants(role, database, schema)
            for statement in statements:
                connection.execute(text(statement))
    except SQLAlchemyError as error:
        reason = getattr(error, "orig", None) or error
        print(f"roundup grant-readonly: database error: {reason}", file=sys.stderr)
        return 2
    print("".join(f"{statement};\n" for statement in statements), end="")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
