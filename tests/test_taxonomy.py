"""The taxonomy (seed/tags.yaml) on the series' topics: a synthetic roundup per topic area
(tests/fixtures/topics) gets its expected tags from the rules annotator, and no absurd ones."""

import io
from pathlib import Path

import pytest
from sqlmodel import Session, col, select

from app.ingest.evaluate import TopicResult, topic_lines, topic_result
from app.ingest.files import read_catalog, read_document
from app.ingest.importer import Transaction, expand, import_sources
from app.ingest.specs import TopicSpec, read_yaml, validate_list
from app.models import Article
from tests.conftest import SEED_DIR

TOPICS = Path(__file__).parent / "fixtures" / "topics"
CATALOG = read_catalog(SEED_DIR)
SPECS = validate_list(TopicSpec, read_yaml(TOPICS / "expected.yaml"), TOPICS / "expected.yaml")


def _result(spec: TopicSpec) -> TopicResult:
    document = read_document(TOPICS / spec.file, CATALOG, TOPICS, require_curated=False)
    return topic_result(spec, document)


def test_every_topic_has_a_fixture_and_known_tags() -> None:
    assert sorted(spec.file for spec in SPECS) == sorted(p.name for p in TOPICS.glob("*.txt"))
    assert len(SPECS) == 14
    for spec in SPECS:
        assert set(spec.expected) | set(spec.forbidden) <= CATALOG.tag_slugs, spec.file
        assert not set(spec.expected) & set(spec.forbidden), spec.file


@pytest.mark.parametrize("spec", SPECS, ids=lambda spec: spec.file)
def test_topic_gets_its_tags_and_no_absurd_ones(spec: TopicSpec) -> None:
    result = _result(spec)
    assert (result.missing, result.absurd) == ([], [])


def test_tag_coverage_floor() -> None:
    results = [_result(spec) for spec in SPECS]
    lines = topic_lines("topics", results)
    assert lines == [
        "evaluate: topics topics: rules annotator against 14 topic roundups",
        "topics: expected tags all found in 14 of 14 (1.00); arguments with a tag: 88 of 101"
        " (0.87); absurd tags: 0",
    ]
    assert sum(r.tagged for r in results) / sum(r.arguments for r in results) >= 0.8


def test_topic_lines_name_what_is_missing_and_absurd() -> None:
    spec = TopicSpec.model_validate(
        {
            "__line__": 1,
            "file": "nato.txt",
            "expected": ["nato", "turkey"],
            "forbidden": ["deterrence"],
        }
    )
    assert topic_lines("t", [_result(spec)]) == [
        "evaluate: topics t: rules annotator against 1 topic roundups",
        "topics: expected tags all found in 0 of 1 (0.00); arguments with a tag: 7 of 7 (1.00);"
        " absurd tags: 1",
        "  nato.txt: missing turkey; absurd deterrence",
    ]


def test_the_topic_folder_imports(session: Session, transaction: Transaction) -> None:
    names = expand([str(TOPICS)])
    results = list(
        import_sources(
            names,
            catalog=CATALOG,
            annotations_dir=SEED_DIR / "annotations",
            transaction=transaction,
            stdin=io.BytesIO(b""),
            published_on=None,
        )
    )
    assert [r.status for r in results] == ["inserted"] * 14
    slugs = session.exec(select(Article.slug).order_by(col(Article.slug))).all()
    assert len(slugs) == 15
