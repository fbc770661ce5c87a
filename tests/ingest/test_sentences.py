"""Sentence boundaries: abbreviations, decimals and quotes do not end a sentence."""

from pathlib import Path

import pysbd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.ingest.sentences import (
    Segmenter,
    _line_spans,
    _pysbd_spans,
    is_plain,
    sentence_spans,
    sentences,
)
from bench import corpus, texts


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The U.S. has one. Mr. Biden left.", ["The U.S. has one.", "Mr. Biden left."]),
        (
            "Dr. Smith met the U.S. envoy. Growth was 2.5 percent in 2024. It fell.",
            ["Dr. Smith met the U.S. envoy.", "Growth was 2.5 percent in 2024.", "It fell."],
        ),
        (
            "He said, “We will win.” Then he left.",
            ["He said, “We will win.”", "Then he left."],
        ),
        (
            '"Europe must act." That is the view of many. Is it?',
            ['"Europe must act."', "That is the view of many.", "Is it?"],
        ),
        (
            "In the Biden era, seasoned U.S. professionals—like former CIA director William"
            " Burns—were ready. Europeans could be sure.",
            [
                "In the Biden era, seasoned U.S. professionals—like former CIA director William"
                " Burns—were ready.",
                "Europeans could be sure.",
            ],
        ),
        ("Yes.\n\nNo—never. Maybe?", ["Yes.", "No—never.", "Maybe?"]),
        ("A line with no full stop\nAnother line.", ["A line with no full stop", "Another line."]),
        ("", []),
        ("  \n\n ", []),
    ],
)
def test_sentences(text: str, expected: list[str]) -> None:
    assert sentences(text) == expected


def test_spans_point_into_the_text() -> None:
    text = "  Yes.  The E.U. waits.\n\nIt will\u00a0not wait long. "
    assert sentence_spans(text) == [(2, 6), (8, 23), (25, 47)]
    assert [text[start:end] for start, end in sentence_spans(text)] == [
        "Yes.",
        "The E.U. waits.",
        "It will\u00a0not wait long.",
    ]


SEED_TEXTS = sorted((Path(__file__).parents[2] / "seed").glob("**/*.txt"))
FIXTURE_TEXTS = sorted((Path(__file__).parents[1] / "fixtures").glob("**/*.txt"))


def _corpus_lines() -> list[str]:
    lines = [
        line.strip()
        for path in [*SEED_TEXTS, *FIXTURE_TEXTS]
        for line in path.read_text(encoding="utf-8").splitlines()
    ]
    generated = corpus.build(30)
    lines += [
        texts.render(document, number)
        for number, document in enumerate(generated.documents(), start=1)
    ]
    return [line for text in lines for line in text.splitlines() if line.strip()]


def test_plain_lines_split_as_pysbd_splits_them() -> None:
    lines = _corpus_lines()
    plain = [line for line in lines if is_plain(line)]
    assert len(plain) > 0.75 * len(lines)
    for line in plain:
        assert _line_spans(line) == tuple(_pysbd_spans(line)), line


_WORDS = st.sampled_from(
    "Europe the EU should act now Mr Dr Gen St No al etc vs Co Inc I a U S it's won't"
    " well-known Jan Sept Prof Fig p pp".split()
)
_STOPS = st.sampled_from([". ", "? ", "! ", ", ", "; ", " ", ".", "?"])


@given(st.lists(st.tuples(_WORDS, _STOPS), min_size=1, max_size=30))
def test_any_plain_line_splits_as_pysbd_splits_it(parts: list[tuple[str, str]]) -> None:
    line = "".join(word + stop for word, stop in parts).strip()
    if line and is_plain(line):
        assert _line_spans(line) == tuple(_pysbd_spans(line))


def _both_segment(text: str) -> None:
    ours = Segmenter(language="en", clean=False, char_span=True).segment(text)
    theirs = pysbd.Segmenter(language="en", clean=False, char_span=True).segment(text)
    assert [(s.sent, s.start, s.end) for s in ours] == [(s.sent, s.start, s.end) for s in theirs]


def test_segmenter_finds_the_spans_pysbd_finds() -> None:
    lines = [line for line in _corpus_lines() if not is_plain(line)]
    assert len(lines) > 50
    for line in lines:
        _both_segment(line)
    for text in ("Yes.  Yes.  Yes.", "No. No.\u00a0 No.\n", "“Yes.” “Yes.”", "a\u2028b. c"):
        _both_segment(text)


@given(st.text(alphabet=st.sampled_from("ab .?!\n\u00a0“”\"'"), max_size=40))
def test_segmenter_finds_the_spans_pysbd_finds_in_any_text(text: str) -> None:
    _both_segment(text)


def test_abbreviations_and_initials_are_not_plain() -> None:
    assert [is_plain(line) for line in ("Ask Mr. Smith.", "Ask J. Smith.", "Ask Smith. Now.")] == [
        False,
        False,
        True,
    ]
