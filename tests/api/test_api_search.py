"""GET /v1/search, and `q` on the list endpoints: the same hits on SQLite and PostgreSQL."""

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.ingest.seed import seed
from app.queries import search as search_queries
from tests.support.seed_facts import SEED_DATE, SEED_EXPERTS, SEED_SLUG, SEED_TITLE

ARTICLE = {
    "slug": SEED_SLUG,
    "title": SEED_TITLE,
    "published_on": SEED_DATE,
}


def _search(client: TestClient, **params: Any) -> dict[str, Any]:
    response = client.get("/v1/search", params={"limit": 100, **params})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def _keys(body: dict[str, Any]) -> list[tuple[str, str | None, int | None]]:
    """(type, expert, argument position) of each hit, in ranked order."""
    return [
        (hit["type"], hit["expert"]["slug"] if hit["expert"] else None, hit["argument_position"])
        for hit in body["items"]
    ]


def _by_place(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Hits in printed order: ranks differ between engines, the hits themselves must not."""
    return sorted(items, key=lambda h: (h["response_position"] or 0, h["argument_position"] or 0))


def test_phrase_finds_exactly_the_answers_that_use_it(client: TestClient) -> None:
    body = _search(client, q='"frozen assets"', type="response")
    assert (body["query"], body["total"], body["next_cursor"]) == ('"frozen assets"', 3, None)
    assert _by_place(body["items"]) == [
        {
            "type": "response",
            "article": ARTICLE,
            "expert": {"slug": "jana-kobzova", "name": "Jana Kobzova"},
            "stance": "yes_conditional",
            "response_position": 3,
            "argument_position": None,
            "snippet": "…the Kremlin cares about what happens with Russian <mark>frozen assets"
            "</mark> in Europe. Sanctions continue to dent the country’s economic foundations."
            " Front-loading military aid to Ukraine ahead of a…",
        },
        {
            "type": "response",
            "article": ARTICLE,
            "expert": {"slug": "stefan-meister", "name": "Stefan Meister"},
            "stance": "yes_conditional",
            "response_position": 6,
            "argument_position": None,
            "snippet": "…to provide security guarantees, to use the Russian <mark>frozen assets"
            "</mark>, and to develop long-term funding for Kyiv. In the case of the latter,"
            " Eurobonds could be an option. If…",
        },
        {
            "type": "response",
            "article": ARTICLE,
            "expert": {"slug": "eugene-rumer", "name": "Eugene Rumer"},
            "stance": "yes",
            "response_position": 7,
            "argument_position": None,
            "snippet": "…stop dithering and break the impasse over Russian <mark>frozen assets"
            "</mark> held in Belgium. Once available, those same <mark>frozen assets</mark>"
            " should be used to keep supporting Ukraine with purchases of U…",
        },
    ]


def test_phrase_hits_answers_and_their_arguments(client: TestClient) -> None:
    body = _search(client, q='"frozen assets"')
    assert body["total"] == 6
    assert sorted(_keys(body), key=str) == sorted(
        [
            ("argument", "jana-kobzova", 4),
            ("argument", "stefan-meister", 4),
            ("argument", "eugene-rumer", 4),
            ("response", "jana-kobzova", None),
            ("response", "stefan-meister", None),
            ("response", "eugene-rumer", None),
        ],
        key=str,
    )
    arguments = {
        hit["expert"]["slug"]: hit["snippet"] for hit in body["items"] if hit["type"] == "argument"
    }
    assert arguments == {
        "jana-kobzova": "Despite all its propaganda, the Kremlin cares about what happens with"
        " Russian <mark>frozen assets</mark> in Europe.",
        "stefan-meister": "…for Brussels to define what it is willing and able to do to provide"
        " security guarantees, to use the Russian <mark>frozen assets</mark>, and to develop"
        " long-term funding for Kyiv.",
        "eugene-rumer": "Once available, those same <mark>frozen assets</mark> should be used to"
        " keep supporting Ukraine with purchases of U.S. weapons, also supporting American job"
        " creation.",
    }


def test_a_phrase_matches_only_those_words_in_that_order(client: TestClient) -> None:
    # Gwendolyn Sasse writes "unfreezing Russian assets": not "frozen assets", not "frozen".
    assert _search(client, q="frozen", expert="gwendolyn-sasse")["total"] == 0
    assert _search(client, q='"assets frozen"')["total"] == 0
    body = _search(client, q='"russian assets"')
    assert _by_place(body["items"]) == [
        {
            "type": "response",
            "article": ARTICLE,
            "expert": {"slug": "gwendolyn-sasse", "name": "Gwendolyn Sasse"},
            "stance": "yes_conditional",
            "response_position": 5,
            "argument_position": None,
            "snippet": "…dependence on oil and gas exports, and unfreezing <mark>Russian assets"
            "</mark> at the December 18-19 European Council . The latter goes against"
            " Washington’s and Moscow’s wishes, but would make…",
        },
        {
            "type": "argument",
            "article": ARTICLE,
            "expert": {"slug": "gwendolyn-sasse", "name": "Gwendolyn Sasse"},
            "stance": "yes_conditional",
            "response_position": 5,
            "argument_position": 5,
            "snippet": "new sanctions targeting Russia’s dependence on oil and gas exports, and"
            " unfreezing <mark>Russian assets</mark> at the December 18-19 European Council",
        },
    ]


def test_prefix_hits_are_ranked_by_relevance(client: TestClient) -> None:
    body = _search(client, q="sanct*")
    # Short arguments outrank the longer answers that contain them, on both engines.
    assert _keys(body) == [
        ("argument", "jana-kobzova", 5),
        ("argument", "gwendolyn-sasse", 2),
        ("argument", "gwendolyn-sasse", 5),
        ("argument", "veronica-anghel", 3),
        ("response", "gwendolyn-sasse", None),
        ("response", "jana-kobzova", None),
        ("response", "veronica-anghel", None),
    ]
    assert body["items"][0]["snippet"] == (
        "<mark>Sanctions</mark> continue to dent the country’s economic foundations."
    )


@pytest.mark.parametrize(
    ("query", "experts"),
    [
        (
            "frozen OR sanct*",
            [
                "veronica-anghel",
                "jana-kobzova",
                "gwendolyn-sasse",
                "stefan-meister",
                "eugene-rumer",
            ],
        ),
        ("frozen sanct*", ["jana-kobzova"]),
        ("frozen AND sanct*", ["jana-kobzova"]),
        ('frozen NOT "frozen assets"', []),
        ("(sanctions OR assets) NOT frozen", ["veronica-anghel", "gwendolyn-sasse"]),
        ("Moscow's", ["veronica-anghel", "gwendolyn-sasse", "stefan-meister"]),
        ("Moscow’s", ["veronica-anghel", "gwendolyn-sasse", "stefan-meister"]),
        ("MOSCOW’S BARGAINING", ["veronica-anghel"]),
        ("cost-benefit", ["stefan-meister"]),
        ('"cost benefit"', ["stefan-meister"]),
        ("U.S.", ["alexander-gabuev", "stefan-meister", "eugene-rumer"]),
        (
            "ukraine",
            list(SEED_EXPERTS),
        ),
        ("ukrain", []),
    ],
)
def test_operators_apostrophes_and_punctuation(
    client: TestClient, query: str, experts: list[str]
) -> None:
    body = _search(client, q=query, type="response")
    assert [h["expert"]["slug"] for h in _by_place(body["items"])] == experts


def test_marks_follow_the_query(client: TestClient) -> None:
    body = _search(client, q="Moscow's bargaining", type="argument")
    assert [h["snippet"] for h in body["items"]] == [
        "The point of European diplomacy must be to worsen <mark>Moscow’s</mark>"
        " <mark>bargaining</mark> position both with Washington and Beijing, not to appease"
        " Russian President Vladimir Putin."
    ]


def test_article_hits(client: TestClient) -> None:
    body = _search(client, q="kremlin", type="article")
    assert body["items"] == [
        {
            "type": "article",
            "article": ARTICLE,
            "expert": None,
            "stance": None,
            "response_position": None,
            "argument_position": None,
            "snippet": "…Negotiate with Russia? By negotiating directly with the <mark>Kremlin"
            "</mark>, the Trump administration has broken the taboo on diplomatic contacts with"
            " Russia. With Ukrainian and European security at stake, is it…",
        }
    ]
    assert _search(client, q="kremlin", type="article", article=SEED_SLUG)["total"] == 1
    assert _search(client, q="kremlin", type="article", article="other")["total"] == 0
    # Filters that describe answers leave no article standing.
    assert _search(client, q="kremlin", type="article", stance="yes")["total"] == 0


def test_filters_are_those_of_the_lists(client: TestClient) -> None:
    yes = _search(client, q="negotiat*", type="argument", stance="yes")
    assert sorted(_keys(yes), key=str) == sorted(
        [
            ("argument", "eugene-rumer", 3),
            ("argument", "veronica-anghel", 4),
            ("argument", "alexander-gabuev", 4),
        ],
        key=str,
    )
    tagged = _search(client, q="negotiat*", type="argument", tag="seat-at-the-table")
    assert sorted(_keys(tagged), key=str) == sorted(
        [
            ("argument", "gwendolyn-sasse", 1),
            ("argument", "samuel-greene", 1),
            ("argument", "alexander-gabuev", 4),
            ("argument", "gwendolyn-sasse", 4),
            ("argument", "stefan-meister", 5),
        ],
        key=str,
    )
    answers = _search(client, q="negotiat*", type="response", tag="seat-at-the-table")
    assert [h["expert"]["slug"] for h in _by_place(answers["items"])] == [
        "veronica-anghel",
        "samuel-greene",
        "alexander-gabuev",
        "gwendolyn-sasse",
        "stefan-meister",
        "eugene-rumer",
    ]
    kinds = _search(client, q="negotiat*", type="article,response", expert="eugene-rumer")
    assert _keys(kinds) == [("response", "eugene-rumer", None)]


def test_pages_add_up_to_the_whole(client: TestClient) -> None:
    everything = _search(client, q="ukraine")
    assert everything["total"] == 19
    seen: list[dict[str, Any]] = []
    params: dict[str, Any] = {"q": "ukraine", "limit": 5}
    while True:
        response = client.get("/v1/search", params=params)
        assert response.headers["X-Total-Count"] == "19"
        body = response.json()
        seen.extend(body["items"])
        if body["next_cursor"] is None:
            assert "Link" not in response.headers
            break
        assert response.headers["Link"].endswith('>; rel="next"')
        params["cursor"] = body["next_cursor"]
    assert seen == everything["items"]


@pytest.mark.parametrize("query", ["ukraine", "europe*", "russia OR sanctions", '"frozen assets"'])
@pytest.mark.parametrize("limit", [1, 3, 100])
def test_unfiltered_ranking_is_the_filtered_ranking(
    client: TestClient, monkeypatch: pytest.MonkeyPatch, query: str, limit: int
) -> None:
    """Without filters the index alone ranks hits; ties (by kind, then id) are settled after
    it. A date filter that keeps everything ranks every match in SQL instead, and so does the
    fallback taken when the boundary score is shared past the rows read: all three agree."""
    fast = client.get("/v1/search", params={"q": query, "limit": limit}).json()
    joined = client.get(
        "/v1/search", params={"q": query, "limit": limit, "published_from": "1900-01-01"}
    ).json()
    monkeypatch.setattr(search_queries, "_MARGIN", 0)
    fallback = client.get("/v1/search", params={"q": query, "limit": limit}).json()
    assert fast["total"] > limit or limit == 100
    assert fast["items"] == joined["items"] == fallback["items"]
    assert fast["total"] == joined["total"] == fallback["total"]


def test_cursors_belong_to_their_query(client: TestClient) -> None:
    cursor = client.get("/v1/search", params={"q": "ukraine", "limit": 5}).json()["next_cursor"]
    for params in ({"q": "europe", "cursor": cursor}, {"q": "ukraine", "cursor": cursor + "x"}):
        response = client.get("/v1/search", params=params)
        assert response.status_code == 400
        assert response.json()["detail"] == (
            "The cursor is not valid for this query; start again without it."
        )


@pytest.mark.parametrize(
    ("query", "reason"),
    [
        ('"frozen assets', "the quote at character 1 is never closed"),
        ("sanctions OR", "OR at character 11 needs a word or phrase on its right"),
        ("AND", "AND at character 1 needs a word or phrase on its left"),
        (
            "NOT sanctions",
            "NOT at character 1 has nothing to leave out from; write a NOT b, not NOT b alone",
        ),
        ("", "the query is empty"),
    ],
)
def test_malformed_queries_are_422_problems(client: TestClient, query: str, reason: str) -> None:
    for path in ("/v1/search", "/v1/responses", "/v1/arguments"):
        response = client.get(path, params={"q": query})
        assert response.status_code == 422
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json() == {
            "type": "about:blank",
            "title": "Unprocessable Entity",
            "status": 422,
            "detail": "The search query is malformed.",
            "instance": path,
            "invalid_params": [{"name": "q", "reason": reason}],
        }


def test_search_parameters_are_checked(client: TestClient) -> None:
    missing = client.get("/v1/search")
    assert (missing.status_code, missing.json()["invalid_params"]) == (
        422,
        [{"name": "q", "reason": "Field required"}],
    )
    bad_type = client.get("/v1/search", params={"q": "europe", "type": "expert"})
    assert (bad_type.status_code, bad_type.json()["invalid_params"]) == (
        422,
        [{"name": "type", "reason": "'expert' is not one of: article, response, argument"}],
    )
    too_long = client.get("/v1/search", params={"q": "a" * 501})
    assert too_long.status_code == 422
    typo = client.get("/v1/search", params={"q": "europe", "stnace": "yes"})
    assert (typo.status_code, typo.json()["detail"]) == (
        400,
        "Unknown query parameter(s): stnace.",
    )


def test_q_filters_responses_and_arguments(client: TestClient) -> None:
    responses = client.get("/v1/responses", params={"q": '"frozen assets"', "facets": "stance"})
    body = responses.json()
    assert [(r["position"], r["expert"]["slug"]) for r in body["items"]] == [
        (3, "jana-kobzova"),
        (6, "stefan-meister"),
        (7, "eugene-rumer"),
    ]
    assert body["facets"] == {
        "stance": [
            {"value": "yes_conditional", "label": "Yes, with conditions", "count": 2},
            {"value": "yes", "label": "Yes", "count": 1},
        ]
    }
    arguments = client.get("/v1/arguments", params={"q": "sanct*", "stance": "yes_conditional"})
    assert [(a["expert"]["slug"], a["position"]) for a in arguments.json()["items"]] == [
        ("jana-kobzova", 5),
        ("gwendolyn-sasse", 2),
        ("gwendolyn-sasse", 5),
    ]
    none = client.get("/v1/arguments", params={"q": "frozen", "expert": "gwendolyn-sasse"})
    assert none.json()["total"] == 0


def test_list_cursors_carry_the_query(client: TestClient) -> None:
    first = client.get("/v1/arguments", params={"q": "ukraine", "limit": 5}).json()
    assert first["total"] == 12
    other = client.get("/v1/arguments", params={"q": "russia", "cursor": first["next_cursor"]})
    assert other.status_code == 400


def test_the_index_follows_every_load(
    client: TestClient, session: Session, seed_copy: Path
) -> None:
    source = seed_copy / f"{SEED_SLUG}.txt"
    text = source.read_text(encoding="utf-8")
    source.write_text(
        text.replace("Eurobonds could be an option", "Stability bonds could be an option"),
        encoding="utf-8",
    )
    version = client.get("/v1/meta").json()["data_version"]

    report = seed(session, [seed_copy], seed_copy)

    # The article (its hash), the answer and the spans of the two arguments after the edit
    # change; of the indexed texts only the answer does.
    assert (str(report), report.reindexed) == ("0 inserted, 4 updated, 0 deleted", 1)
    assert _search(client, q="eurobonds")["total"] == 0
    assert _keys(_search(client, q='"stability bonds"')) == [("response", "stefan-meister", None)]
    assert client.get("/v1/meta").json()["data_version"] != version
    again = seed(session, [seed_copy], seed_copy)
    assert (str(again), again.reindexed) == ("0 inserted, 0 updated, 0 deleted", 0)
