"""Tokens, folding and highlighted snippets: pure functions shared by both engines."""

import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.search.query import parse_query
from app.search.snippets import snippet
from app.search.text import (
    CACHED_WORD_CHARS,
    FOLD_CACHE_WORDS,
    Token,
    _fold_cached,
    fold,
    terms,
    tokens,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Moscow’s bargaining", "moscow s bargaining"),
        ("Moscow's bargaining", "moscow s bargaining"),
        ("Russia—not just", "russia not just"),
        ("U.S. weapons", "u s weapons"),
        ("December 18-19 European Council .", "december 18 19 european council"),
        (
            "Kobzová, Gesellschaft für Auswärtige Politik",
            "kobzova gesellschaft fur auswartige politik",
        ),
        ("STRASSE Straße", "strasse strasse"),
        ("Kobzova\u0301", "kobzova"),
        ("«» — …", ""),
    ],
)
def test_terms_are_folded_words(text: str, expected: str) -> None:
    assert terms(text) == expected


def test_tokens_keep_their_spans() -> None:
    text = "Moscow’s “frozen” assets"
    assert tokens(text) == [
        Token(0, 6, "moscow"),
        Token(7, 8, "s"),
        Token(10, 16, "frozen"),
        Token(18, 24, "assets"),
    ]
    assert [text[t.start : t.end] for t in tokens(text)] == ["Moscow", "s", "frozen", "assets"]


def test_fold() -> None:
    assert [fold(word) for word in ("Éire", "ǅemal", "İstanbul")] == ["eire", "dzemal", "istanbul"]


def _snippet(text: str, query: str) -> str:
    return snippet(text, parse_query(query).matches)


def test_a_short_text_is_shown_whole_with_marks() -> None:
    text = "Despite all its propaganda, the Kremlin cares about Russian frozen assets in Europe."
    assert _snippet(text, '"frozen assets"') == (
        "Despite all its propaganda, the Kremlin cares about Russian <mark>frozen assets</mark>"
        " in Europe."
    )


def test_each_word_of_an_and_query_is_marked() -> None:
    assert _snippet("Moscow’s bargaining position", "moscow's bargaining") == (
        "<mark>Moscow’s</mark> <mark>bargaining</mark> position"
    )


def test_prefix_marks_whole_words_and_other_text_is_escaped() -> None:
    assert _snippet('Sanctions & "sanctioned" <b>relief</b>', "sanct*") == (
        "<mark>Sanctions</mark> &amp; &quot;<mark>sanctioned</mark>&quot; &lt;b&gt;relief&lt;/b&gt;"
    )


def test_a_phrase_does_not_match_across_other_words() -> None:
    text = "unfreezing Russian assets at the December 18-19 European Council"
    assert _snippet(text, '"frozen assets"') == text
    assert _snippet(text, '"russian assets"') == (
        "unfreezing <mark>Russian assets</mark> at the December 18-19 European Council"
    )


def test_negated_words_are_not_marked() -> None:
    assert _snippet("frozen assets and frozen funds", 'frozen NOT "frozen assets"') == (
        "<mark>frozen</mark> assets and <mark>frozen</mark> funds"
    )


def test_long_text_is_cut_around_the_most_matches() -> None:
    words = [f"w{i}" for i in range(100)]
    words[60] = "frozen"
    words[62] = "assets"
    text = " ".join(words) + "\n\n" + "tail."
    assert _snippet(text, "frozen assets") == (
        "…w52 w53 w54 w55 w56 w57 w58 w59 <mark>frozen</mark> w61 <mark>assets</mark> w63 w64"
        " w65 w66 w67 w68 w69 w70 w71 w72 w73 w74 w75 w76 w77 w78 w79 w80 w81…"
    )


def test_without_a_match_the_snippet_is_the_start() -> None:
    text = " ".join(f"w{i}" for i in range(40))
    assert _snippet(text, "nothing") == " ".join(f"w{i}" for i in range(30)) + "…"


@given(st.text() | st.text(st.characters(max_codepoint=127)))
def test_terms_are_the_folded_tokens(text: str) -> None:
    """terms() takes shortcuts for ASCII; it stores exactly the tokens' folded terms."""
    assert terms(text) == " ".join(token.term for token in tokens(text))


def test_the_fold_cache_is_bounded_in_bytes() -> None:
    """Clients choose the words; long ones are folded but not kept, and the short ones kept
    are capped in number, so a worker's cache stays a few MiB."""
    _fold_cached.cache_clear()
    try:
        for i in range(3000):
            assert fold(f"Я{i:05d}" + "я" * 400) == f"я{i:05d}" + "я" * 400
        assert _fold_cached.cache_info().currsize == 0  # long words are never kept
        for i in range(FOLD_CACHE_WORDS + 2000):
            fold(f"Ж{i:06d}" + "ж" * (CACHED_WORD_CHARS - 7))
        assert _fold_cached.cache_info().currsize == FOLD_CACHE_WORDS
    finally:
        _fold_cached.cache_clear()
    # What a full cache holds at most: a key and a value of the longest kept word per entry.
    word = "ж" * CACHED_WORD_CHARS
    assert FOLD_CACHE_WORDS * 2 * sys.getsizeof(word) < 4 * 2**20
