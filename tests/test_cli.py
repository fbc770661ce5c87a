"""The `roundup` command end to end, against a scratch database."""

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine

from app.cli import main
from app.config import get_settings
from tests.conftest import SEED_SLUG, SEED_SOURCE
from tests.databases import scratch_database
from tests.snapshots import snapshot


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
        "seed: 110 inserted, 0 updated, 0 deleted",
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
