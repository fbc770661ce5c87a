"""Sentence boundaries: abbreviations, decimals and quotes do not end a sentence."""

import pytest

from app.ingest.sentences import sentence_spans, sentences


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
