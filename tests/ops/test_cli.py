"""The `roundup` command end to end, against a scratch database."""

import io
import json
import re
import shutil
import socket
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, select
from sqlmodel import col

from app.cli import main
from app.config import get_settings
from app.models import Article
from tests.support.databases import scratch_database
from tests.support.seed_facts import SEED_SLUG, SEED_SOURCE
from tests.support.snapshots import snapshot


@pytest.fixture
def configured_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """DATABASE_URL and ROUNDUP_SEED_DIR pointing at a scratch database and a seed copy."""
    with scratch_database(tmp_path) as url:
        monkeypatch.setenv("DATABASE_URL", url)
        get_settings.cache_clear()
        yield url
    get_settings.cache_clear()


def test_parse_prints_the_document(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["parse", str(SEED_SOURCE)]) == 0
    document = json.loads(capsys.readouterr().out)
    assert {
        key: document[key]
        for key in ("title", "series", "question", "published_on", "image_credit", "publisher")
    } == {
        "title": "Taking the Pulse: Should Europe Negotiate with Russia?",
        "series": "Taking the Pulse",
        "question": "Should Europe Negotiate with Russia?",
        "published_on": "2025-12-04",
        "image_credit": "Getty",
        "publisher": "Carnegie Europe",
    }
    assert document["dek"].startswith("By negotiating directly with the Kremlin")
    assert document["disclaimer"].startswith("Carnegie does not take institutional positions")
    greene = document["responses"][1]
    assert {key: greene[key] for key in ("expert_name", "affiliation_line", "affiliations")} == {
        "expert_name": "Samuel Greene",
        "affiliation_line": "Professor of Russian Politics, King’s College London",
        "affiliations": [
            {
                "role": "Professor of Russian Politics",
                "organization": "King’s College London",
                "short_name": None,
                "parent": None,
                "city": None,
            }
        ],
    }
    assert (greene["stance"], greene["stance_phrase"]) == ("not_yet", "Yes, but not yet.")
    assert greene["paragraphs"][0] == "Yes, but not yet."
    first = greene["arguments"][0]
    assert greene["body"][first["start"] : first["end"]] == first["text"]


def test_parse_reports_file_and_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    broken = tmp_path / "broken.txt"
    broken.write_text("Taking the Pulse: Why?\n\nPublished on Smarch 1, 2025\n", encoding="utf-8")
    assert main(["parse", str(broken)]) == 1
    assert capsys.readouterr().err == (
        f"roundup parse: {broken}:3: cannot read the date 'Smarch 1, 2025';"
        " expected 'Month D, YYYY'\n"
    )


def test_migrate_then_seed_twice(configured_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["migrate"]) == 0
    assert main(["seed"]) == 0
    assert main(["seed"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "migrate: database at head",
        "seed: 154 inserted, 0 updated, 0 deleted",
        "seed: 0 inserted, 0 updated, 0 deleted",
    ]


def test_failed_seed_exits_non_zero_and_keeps_the_data(
    configured_url: str, seed_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["migrate"]) == 0
    assert main(["seed"]) == 0
    engine = create_engine(configured_url)
    with engine.connect() as connection:
        before = snapshot(connection)
    source = seed_copy / f"{SEED_SLUG}.txt"
    source.write_text(
        source.read_text(encoding="utf-8").replace("Published on December 4, 2025", "Published"),
        encoding="utf-8",
    )
    capsys.readouterr()

    assert main(["seed", str(source)]) == 1

    assert capsys.readouterr().err == (
        f"roundup seed: {source}:9: missing 'Published on <Month D, YYYY>' line before the first"
        " expert\n"
    )
    with engine.connect() as connection:
        assert snapshot(connection) == before
    engine.dispose()


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, object]]:
    """uvicorn.run replaced by a recorder: what `serve` and `start` would have served."""
    import uvicorn

    calls: list[dict[str, object]] = []

    def record(app: str, **options: object) -> None:
        calls.append({"app": app, **options})

    monkeypatch.setattr(uvicorn, "run", record)
    return calls


def uvicorn_options(host: str, port: int, workers: int, proxies: str) -> dict[str, object]:
    return {
        "app": "app.main:create_app",
        "factory": True,
        "host": host,
        "port": port,
        "workers": workers,
        "http": "app.http.server:GuardedHttpProtocol",
        "server_header": False,
        "proxy_headers": True,
        "forwarded_allow_ips": proxies,
    }


def test_serve_takes_flags_over_settings(
    served: list[dict[str, object]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ROUNDUP_PORT", "8123")
    monkeypatch.setenv("ROUNDUP_WORKERS", "4")
    get_settings.cache_clear()
    try:
        assert main(["serve"]) == 0
        assert main(["serve", "--host", "127.0.0.2", "--port", "9000", "--workers", "2"]) == 0
    finally:
        get_settings.cache_clear()
    assert served == [
        uvicorn_options("127.0.0.1", 8123, 4, "127.0.0.1"),
        uvicorn_options("127.0.0.2", 9000, 2, "127.0.0.1"),
    ]


def test_serve_refuses_to_trust_every_proxy_with_a_rate_limit(
    served: list[dict[str, object]],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """With `*`, uvicorn takes the left-most X-Forwarded-For entry, which the client writes."""
    monkeypatch.setenv("ROUNDUP_FORWARDED_ALLOW_IPS", "*")
    monkeypatch.setenv("ROUNDUP_RATE_LIMIT_PER_MINUTE", "5")
    get_settings.cache_clear()
    try:
        assert main(["serve"]) == 2
        monkeypatch.setenv("ROUNDUP_RATE_LIMIT_PER_MINUTE", "0")
        get_settings.cache_clear()
        assert main(["serve"]) == 0
    finally:
        get_settings.cache_clear()
    assert served == [uvicorn_options("127.0.0.1", 8000, 1, "*")]
    assert capsys.readouterr().err.splitlines() == [
        "roundup serve: ROUNDUP_FORWARDED_ALLOW_IPS=* lets any client that reaches this process"
        " pick its own X-Forwarded-For address, and so escape the rate limit; list the proxy's"
        " addresses or networks instead (e.g. 10.0.0.0/8)",
        "roundup serve: warning: ROUNDUP_FORWARDED_ALLOW_IPS=* believes X-Forwarded-For from"
        " anyone who reaches this process; list the proxy's addresses instead",
    ]


def test_start_migrates_seeds_then_serves_and_restarts_cleanly(
    configured_url: str,
    served: list[dict[str, object]],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("ROUNDUP_HOST", "127.0.0.2")
    monkeypatch.setenv("ROUNDUP_PORT", "8123")
    monkeypatch.setenv("ROUNDUP_WORKERS", "3")
    monkeypatch.setenv("ROUNDUP_FORWARDED_ALLOW_IPS", "10.0.0.1,10.0.0.2")
    get_settings.cache_clear()

    assert main(["start"]) == 0
    assert main(["start"]) == 0

    assert capsys.readouterr().out.splitlines() == [
        "migrate: database at head",
        "seed: 154 inserted, 0 updated, 0 deleted",
        "migrate: database at head",
        "seed: 0 inserted, 0 updated, 0 deleted",
    ]
    expected = uvicorn_options("127.0.0.2", 8123, 3, "10.0.0.1,10.0.0.2")
    assert served == [expected, expected]


def test_start_can_skip_migrate_and_seed(
    configured_url: str,
    served: list[dict[str, object]],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("ROUNDUP_MIGRATE", "false")
    monkeypatch.setenv("ROUNDUP_SEED", "0")
    get_settings.cache_clear()

    assert main(["start"]) == 0

    assert capsys.readouterr().out == ""
    engine = create_engine(configured_url)
    try:
        assert inspect(engine).get_table_names() == []
    finally:
        engine.dispose()
    assert served == [uvicorn_options("127.0.0.1", 8000, 1, "127.0.0.1")]


def test_start_does_not_serve_when_the_seed_fails(
    configured_url: str,
    seed_copy: Path,
    served: list[dict[str, object]],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    (seed_copy / "tags.yaml").write_text("- slug: [unterminated\n", encoding="utf-8")
    monkeypatch.setenv("ROUNDUP_SEED_DIR", str(seed_copy))
    get_settings.cache_clear()

    assert main(["start"]) == 1

    output = capsys.readouterr()
    assert output.out == "migrate: database at head\n"
    assert output.err == (
        f"roundup seed: {seed_copy / 'tags.yaml'}:2: expected ',' or ']', but got '<stream end>'\n"
    )
    assert served == []


@contextmanager
def health_endpoint(status: int) -> Iterator[int]:
    """A stand-in server on a free loopback port: /healthz answers `status`, all else 404."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(status if self.path == "/healthz" else 404)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.mark.parametrize(
    ("status", "exit_code", "error"),
    [(200, 0, ""), (503, 1, "roundup healthcheck: {url}: HTTP 503\n")],
)
def test_healthcheck_asks_healthz_on_the_configured_port(
    status: int,
    exit_code: int,
    error: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    with health_endpoint(status) as port:
        monkeypatch.setenv("ROUNDUP_PORT", str(port))
        get_settings.cache_clear()
        try:
            assert main(["healthcheck"]) == exit_code
        finally:
            get_settings.cache_clear()
    assert capsys.readouterr().err == error.format(url=f"http://127.0.0.1:{port}/healthz")


def test_healthcheck_fails_when_nothing_listens(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setenv("ROUNDUP_PORT", str(port))
    get_settings.cache_clear()
    try:
        assert main(["healthcheck"]) == 1
    finally:
        get_settings.cache_clear()
    error = capsys.readouterr().err
    assert error.startswith(f"roundup healthcheck: http://127.0.0.1:{port}/healthz: ")
    assert "Connection refused" in error


def test_grant_readonly_refuses_sqlite(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'roundup.db'}")
    get_settings.cache_clear()
    try:
        assert main(["grant-readonly", "roundup_reader"]) == 1
    finally:
        get_settings.cache_clear()
    assert capsys.readouterr().err == (
        "roundup grant-readonly: needs PostgreSQL; for SQLite serve with a read-only URL,"
        " sqlite:///file:PATH?mode=ro&uri=true\n"
    )


FIXTURES = Path(__file__).parents[1] / "fixtures" / "roundups"
JUDY = FIXTURES / "judy-asks-two-blank-lines.txt"
VERDICTS = FIXTURES / "verdicts.txt"
MINIMAL = FIXTURES / "taking-the-pulse-minimal.txt"


def _articles(url: str) -> list[str]:
    engine = create_engine(url)
    with engine.connect() as connection:
        slugs = list(connection.scalars(select(col(Article.slug)).order_by(col(Article.slug))))
    engine.dispose()
    return slugs


def test_import_keeps_the_files_that_succeed(
    configured_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    unreadable = FIXTURES / "malformed" / "unreadable-date.txt"
    assert main(["migrate"]) == 0
    capsys.readouterr()

    assert main(["import", str(JUDY), str(unreadable), str(VERDICTS)]) == 1
    assert capsys.readouterr().out.splitlines() == [
        "catalog: 82 inserted, 0 updated, 0 deleted",
        f"inserted  {JUDY}  judy-asks-is-europe-ready-to-share-its-power-grid"
        "  (rules; 14 inserted, 0 updated, 0 deleted)",
        f"failed    {unreadable}:4: cannot read the date 'Smarch 40, 2025';"
        " expected 'Month D, YYYY'",
        f"inserted  {VERDICTS}  taking-the-pulse-should-europe-plant-more-forests"
        "  (rules; 48 inserted, 0 updated, 0 deleted)",
        "import: 3 files: 2 inserted, 0 updated, 0 unchanged, 1 failed",
    ]
    assert _articles(configured_url) == [
        "judy-asks-is-europe-ready-to-share-its-power-grid",
        "taking-the-pulse-should-europe-plant-more-forests",
    ]

    assert main(["import", str(JUDY), str(VERDICTS)]) == 0
    assert capsys.readouterr().out.splitlines() == [
        f"unchanged {JUDY}  judy-asks-is-europe-ready-to-share-its-power-grid  (rules)",
        f"unchanged {VERDICTS}  taking-the-pulse-should-europe-plant-more-forests  (rules)",
        "import: 2 files: 0 inserted, 0 updated, 2 unchanged, 0 failed",
    ]


def test_import_from_stdin(
    configured_url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert main(["migrate"]) == 0
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(MINIMAL.read_bytes())))
    capsys.readouterr()
    assert main(["import", "-", "--published-on", "2023-05-01"]) == 0
    assert capsys.readouterr().out.splitlines()[1:] == [
        "inserted  <stdin>  taking-the-pulse-can-small-states-shape-eu-trade-policy"
        "  (rules; 19 inserted, 0 updated, 0 deleted)",
        "import: 1 file: 1 inserted, 0 updated, 0 unchanged, 0 failed",
    ]


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_bar_only_on_a_terminal(
    configured_url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert main(["migrate"]) == 0
    assert main(["import", str(FIXTURES), "--published-on", "2023-05-01"]) == 0
    plain = capsys.readouterr()
    assert plain.err == ""
    assert "\r" not in plain.out

    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    assert main(["import", str(FIXTURES), "--published-on", "2023-05-01"]) == 0
    files = len(list(FIXTURES.glob("*.txt")))
    assert f"import:   0%|          | 0/{files} [00:00<?, ?file/s]" in terminal.getvalue()
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in lines] == [*["unchanged"] * files, "import:"]

    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    assert main(["import", str(JUDY), str(VERDICTS)]) == 0
    assert terminal.getvalue() == ""


def test_import_needs_a_source(
    configured_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["import", str(tmp_path)]) == 1
    assert capsys.readouterr().err == f"roundup import: no *.txt files in {tmp_path}\n"


def test_parse_falls_back_to_the_rules_annotator(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(MINIMAL.read_bytes())))
    assert main(["parse", "-", "--published-on", "2023-05-01"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert (document["annotator"], document["published_on"], document["publisher"]) == (
        "rules",
        "2023-05-01",
        "unknown",
    )
    assert [
        (r["expert_name"], r["stance"], r["stance_phrase"], r["stance_source"])
        for r in document["responses"]
    ] == [
        ("Hanna Virtanen", "yes", "Yes.", "rules"),
        ("Jonas Petraitis", "not_yet", "Yes, but not yet.", "rules"),
        ("Sofia Lindqvist", "unclear", None, "rules"),
    ]
    assert document["responses"][1]["arguments"] == [
        {
            "text": "The coalitions that would carry such proposals are still forming.",
            "start": 18,
            "end": 83,
            "kind": "claim",
            "tags": [],
            "annotation_source": "rules",
        },
        {
            "text": "Coalitions need a common position before the next trade review.",
            "start": 85,
            "end": 148,
            "kind": "claim",
            "tags": ["trade-policy"],
            "annotation_source": "rules",
        },
    ]


def test_evaluate_prints_the_measures(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["evaluate"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[:9] == [
        f"evaluate: {SEED_SLUG}: rules annotator against the curated annotations",
        "stance: 3 of 7 right (0.43); explicit verdicts: 3 of 3 right; 4 without a verdict"
        " -> unclear",
        "  Veronica Anghel: curated yes, rules yes"
        " ('Yes, of course Europe should be negotiating with Russia')",
        "  Samuel Greene: curated not_yet, rules not_yet ('Yes, but not yet.')",
        "  Jana Kobzova: curated yes_conditional, rules unclear",
        "  Alexander Gabuev: curated yes, rules unclear",
        "  Gwendolyn Sasse: curated yes_conditional, rules unclear",
        "  Stefan Meister: curated yes_conditional, rules unclear",
        "  Eugene Rumer: curated yes, rules yes ('Yes.')",
    ]
    assert re.fullmatch(
        r"tags: precision 0\.\d\d, recall 0\.\d\d \(\d+ right, \d+ extra, \d+ missed,"
        r" over 41 curated arguments\)",
        lines[9],
    )
    assert re.fullmatch(r"kinds: \d+ of 41 agree \(0\.\d\d\)", lines[10])
    assert lines[11] == (
        "evaluate: stance set tests/fixtures/stances.yaml: rules annotator against 122 openings"
    )
    assert lines[12] == (
        "stance set: 117 of 122 right (0.96); verdicts: 70 of 70 right (precision 1.00);"
        " 52 read as unclear"
    )
    assert lines[13].startswith("  by class: bare verdict 13/13, ")
    assert lines[14:] == [
        "  tests/fixtures/stances.yaml:325: reader mixed, rules unclear: 'Well, yes and no.'",
        "  tests/fixtures/stances.yaml:331: reader mixed, rules unclear:"
        " 'In theory, yes; in practice, no.'",
        "  tests/fixtures/stances.yaml:369: reader not_yet, rules unclear: 'Definitely not yet.'",
        "  tests/fixtures/stances.yaml:387: reader mixed, rules unclear:"
        " 'The short answer is yes; the long answer is no.'",
        "  tests/fixtures/stances.yaml:390: reader no, rules unclear: 'In one word: no.'",
        "evaluate: topics tests/fixtures/topics: rules annotator against 14 topic roundups",
        "topics: expected tags all found in 14 of 14 (1.00); arguments with a tag: 88 of 101"
        " (0.87); absurd tags: 0",
    ]


def test_evaluate_reads_a_given_stance_set(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    stances, topics = tmp_path / "stances.yaml", tmp_path / "topics"
    topics.mkdir()
    shutil.copy(FIXTURES / "judy-asks-two-blank-lines.txt", topics)
    (topics / "expected.yaml").write_text(
        '- file: "judy-asks-two-blank-lines.txt"\n  expected: ["nato"]\n'
        '  forbidden: ["sequencing"]\n',
        encoding="utf-8",
    )
    stances.write_text(
        '- opening: "No."\n  stance: "no"\n  class: "bare"\n'
        '- opening: "Yes, in principle."\n  stance: "not_yet"\n  class: "hedge"\n',
        encoding="utf-8",
    )
    assert main(["evaluate", "--stances", str(stances), "--topics", str(topics)]) == 0
    assert capsys.readouterr().out.splitlines()[11:] == [
        f"evaluate: stance set {stances}: rules annotator against 2 openings",
        "stance set: 1 of 2 right (0.50); verdicts: 1 of 1 right (precision 1.00); 1 read as"
        " unclear",
        "  by class: bare 1/1, hedge 0/1",
        f"  {stances}:4: reader not_yet, rules unclear: 'Yes, in principle.'",
        f"evaluate: topics {topics}: rules annotator against 1 topic roundups",
        "topics: expected tags all found in 0 of 1 (0.00); arguments with a tag: 1 of 5 (0.20);"
        " absurd tags: 1",
        "  judy-asks-two-blank-lines.txt: missing nato; absurd sequencing",
    ]
    stances.write_text('- opening: "No."\n  stance: "nope"\n  class: "bare"\n', encoding="utf-8")
    assert main(["evaluate", "--stances", str(stances)]) == 1
    assert capsys.readouterr().err == (
        f"roundup evaluate: {stances}:2: stance: Input should be 'yes', 'yes_conditional',"
        " 'not_yet', 'no', 'mixed' or 'unclear'\n"
    )
