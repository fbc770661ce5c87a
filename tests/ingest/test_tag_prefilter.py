"""A tag's patterns are searched only in sentences holding a text every match needs (its
needles, found for all tags in one Aho-Corasick pass): the same tags as searching every
pattern in every sentence."""

import re

import pytest

from app.ingest.needles import needles
from app.ingest.rules import normalize
from app.ingest.sentences import sentences
from tests.ingest.test_importer import CATALOG
from tests.ingest.test_sentences import _corpus_lines
from tests.support.seed_facts import SEED_DIR


@pytest.mark.parametrize(
    ("pattern", "found"),
    [
        (r"\bsanction", {"sanction"}),
        (r"\bweapons?", {"weapon"}),
        (r"\bPrice Cap", {"price cap"}),
        (r"\b(?:un)?freez\w* (?:\w+ ){0,2}assets", {"assets"}),
        (r"\b(?:eu|nato) membership", {" membership"}),
        (r"\bdefen[cs]e (?:spending|budget)", {"e spending", "e budget"}),
        (r"\bu\.s\. troops", {"u.s. troops"}),
        (r"\bx{2}yzw", {"yzw"}),
        (r"\b(?:talk|speak) (?:to|with) (?:russia|kremlin)", {" russia", " kremlin"}),
        (r"\b(?:uk|u\.k)\.?", {"uk", "u.k"}),
        (r"\bsanction|\bembargo", {"sanction", "embargo"}),
        (r"\b(?:left|leave) the (?:eu|european union)\b", {" the eu"}),
        (r"(?<!nuclear )\bweapon(?!s? of mass destruction)", {"weapon"}),
        (r"\b(?:\w+ )+treaty", {"treaty"}),
        (r"\bab+", None),
        (r"\bsanction|\w+", None),
        (r"\b(?:ab)?c", None),
        (r"\bkötü", None),
        (r"\bſtate", None),
    ],
)
def test_needles(pattern: str, found: set[str] | None) -> None:
    expected = None if found is None else frozenset(found)
    assert needles(re.compile(pattern, re.IGNORECASE)) == expected


def test_prefiltered_tags_are_the_tags_every_pattern_finds() -> None:
    texts = [*_corpus_lines(), (SEED_DIR / "tags.yaml").read_text(encoding="utf-8")]
    plain = [normalize(sentence) for text in texts for sentence in sentences(text)]
    plain += [sentence.upper() for sentence in plain[:500]] + ["Die Weltstaaten und ſanctions."]
    rules = CATALOG.tag_rules
    tagged = 0
    for sentence in plain:
        expected = tuple(
            rule.slug
            for rule in rules.rules
            if any(pattern.search(sentence) for pattern in rule.patterns)
            and (not rule.requires or any(pattern.search(sentence) for pattern in rule.requires))
        )
        assert rules.tags(sentence) == expected, sentence
        tagged += len(expected)
    assert tagged > 500
