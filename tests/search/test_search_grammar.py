"""The search query language: what parses to what, for each engine, and what is a 422."""

import pytest

from app.search.grammar import MAX_TERMS, QuerySyntaxError, parse
from app.search.nodes import And, Match, Or
from app.search.query import parse_query


@pytest.mark.parametrize(
    ("query", "canonical", "fts5", "tsquery"),
    [
        ("Sanctions", "sanctions", '"sanctions"', "'sanctions'"),
        ('"frozen assets"', '"frozen assets"', '"frozen assets"', "'frozen' <-> 'assets'"),
        ("sanct*", "sanct*", '"sanct"*', "'sanct':*"),
        ('"frozen ass"*', '"frozen ass"*', '"frozen ass"*', "'frozen' <-> 'ass':*"),
        ("Moscow’s", '"moscow s"', '"moscow s"', "'moscow' <-> 's'"),
        ("Moscow's", '"moscow s"', '"moscow s"', "'moscow' <-> 's'"),
        ("cost-benefit", '"cost benefit"', '"cost benefit"', "'cost' <-> 'benefit'"),
        ("Kobzová", "kobzova", '"kobzova"', "'kobzova'"),
        ("frozen assets", "frozen AND assets", '"frozen" AND "assets"', "'frozen' & 'assets'"),
        ("frozen AND assets", "frozen AND assets", '"frozen" AND "assets"', "'frozen' & 'assets'"),
        (
            "frozen OR sanctions",
            "frozen OR sanctions",
            '"frozen" OR "sanctions"',
            "'frozen' | 'sanctions'",
        ),
        (
            'frozen NOT "frozen assets"',
            'frozen AND NOT "frozen assets"',
            '("frozen") NOT ("frozen assets")',
            "'frozen' & !('frozen' <-> 'assets')",
        ),
        (
            "kremlin NOT (sanctions OR assets) NOT china",
            "kremlin AND NOT (sanctions OR assets) AND NOT china",
            '("kremlin") NOT (("sanctions" OR "assets") OR "china")',
            "'kremlin' & !('sanctions' | 'assets') & !('china')",
        ),
        (
            "(sanctions OR assets) europe*",
            "(sanctions OR assets) AND europe*",
            '("sanctions" OR "assets") AND "europe"*',
            "('sanctions' | 'assets') & 'europe':*",
        ),
        (
            "a OR b c",
            "a OR (b AND c)",
            '"a" OR ("b" AND "c")',
            "'a' | ('b' & 'c')",
        ),
        ("and or not", "and AND or AND not", '"and" AND "or" AND "not"', "'and' & 'or' & 'not'"),
        ("((europe))", "europe", '"europe"', "'europe'"),
    ],
)
def test_compiles_for_both_engines(query: str, canonical: str, fts5: str, tsquery: str) -> None:
    parsed = parse_query(query)
    assert (parsed.canonical, parsed.fts5, parsed.tsquery) == (canonical, fts5, tsquery)
    assert parse(parsed.canonical) == parsed.node


def test_parse_tree() -> None:
    assert parse('kremlin NOT sanc* (asset OR "frozen assets")') == And(
        include=(
            Match(("kremlin",)),
            Or((Match(("asset",)), Match(("frozen", "assets")))),
        ),
        exclude=(Match(("sanc",), prefix=True),),
    )


def test_marked_matches_leave_out_negated_terms() -> None:
    assert parse_query('kremlin NOT sanc* ("frozen assets" OR europe)').matches == (
        Match(("kremlin",)),
        Match(("frozen", "assets")),
        Match(("europe",)),
    )


@pytest.mark.parametrize(
    ("query", "reason"),
    [
        ("", "the query is empty"),
        ("   ", "the query is empty"),
        ('"frozen assets', "the quote at character 1 is never closed"),
        ('europe "frozen', "the quote at character 8 is never closed"),
        ('""', "the phrase at character 1 has no letters or digits"),
        ("AND", "AND at character 1 needs a word or phrase on its left"),
        ("OR europe", "OR at character 1 needs a word or phrase on its left"),
        ("europe OR", "OR at character 8 needs a word or phrase on its right"),
        ("europe AND", "AND at character 8 needs a word or phrase on its right"),
        ("europe AND OR russia", "AND at character 8 needs a word or phrase on its right"),
        ("NOT", "NOT at character 1 must be followed by a word, a phrase or a group"),
        ("europe NOT", "NOT at character 8 must be followed by a word, a phrase or a group"),
        ("NOT NOT europe", "NOT at character 1 must be followed by a word, a phrase or a group"),
        (
            "NOT europe",
            "NOT at character 1 has nothing to leave out from; write a NOT b, not NOT b alone",
        ),
        (
            "russia OR NOT europe",
            "NOT at character 11 has nothing to leave out from; write a NOT b, not NOT b alone",
        ),
        ("(europe", "'(' at character 1 is never closed"),
        ("europe)", "')' at character 7 has no matching '('"),
        ("()", "the parentheses at character 1 are empty"),
        ("*", "'*' at character 1 needs letters before it"),
        (
            "sa*nct",
            "'*' at character 3 is not at the end of a word; write sanct* for words"
            " starting with 'sanct'",
        ),
        (
            "europe && russia",
            "'&&' at character 8 has no letters or digits; the operators are"
            " AND, OR, NOT (in capitals)",
        ),
        ("-sanctions", "'-sanctions' at character 1: to leave out a word, write NOT sanctions"),
        ("((((((((((a))))))))))", "parentheses nest deeper than 8 levels"),
        (" ".join(["a"] * (MAX_TERMS + 1)), f"the query has more than {MAX_TERMS} terms"),
        ("a*", "the prefix a* at character 1 is shorter than 3 letters or digits"),
        ("europe OR ru*", "the prefix ru* at character 11 is shorter than 3 letters or digits"),
        ('"frozen as"*', "the prefix as* at character 1 is shorter than 3 letters or digits"),
        ("eur* rus* san* fro* ass*", "the query has more than 4 prefix terms"),
    ],
)
def test_malformed_queries_say_why(query: str, reason: str) -> None:
    with pytest.raises(QuerySyntaxError) as raised:
        parse(query)
    assert raised.value.reason == reason
