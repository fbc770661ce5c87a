"""A tag's patterns are searched only in sentences holding a text every match needs: the
same tags as searching every pattern in every sentence."""

import pytest

from app.ingest.rules import _required_literal, normalize
from app.ingest.sentences import sentences
from tests.ingest.test_importer import CATALOG
from tests.ingest.test_sentences import _corpus_lines
from tests.support.seed_facts import SEED_DIR


@pytest.mark.parametrize(
    ("pattern", "needle"),
    [
        (r"\bsanction", "sanction"),
        (r"\bweapons?", "weapon"),
        (r"\bPrice Cap", "price cap"),
        (r"\b(?:un)?freez\w* (?:\w+ ){0,2}assets", "assets"),
        (r"\b(?:eu|nato) membership", " membership"),
        (r"\bdefen[cs]e (?:spending|budget)", "defen"),
        (r"\bu\.s\. troops", " troops"),
        (r"\bx{2}yzw", "yzw"),
        (r"\b(?:talk|speak) (?:to|with) (?:russia|kremlin)", None),
        (r"\bsanction|\bembargo", None),
        (r"\bab+", None),
        (r"\bkötü", None),
    ],
)
def test_required_literal(pattern: str, needle: str | None) -> None:
    assert _required_literal(pattern) == needle


def test_prefiltered_tags_are_the_tags_every_pattern_finds() -> None:
    texts = [*_corpus_lines(), (SEED_DIR / "tags.yaml").read_text(encoding="utf-8")]
    plain = [normalize(sentence) for text in texts for sentence in sentences(text)]
    tagged = 0
    for sentence in plain:
        for rule in CATALOG.tag_rules:
            expected = any(pattern.search(sentence) for pattern in rule.patterns) and (
                not rule.requires or any(pattern.search(sentence) for pattern in rule.requires)
            )
            assert rule.matches(sentence) == expected, (rule.slug, sentence)
            tagged += expected
    assert tagged > 500
