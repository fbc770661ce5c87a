"""Stance summaries, expert agreement and corpus stats, checked by hand against the seed.

The seed roundup's curated stances: yes = Anghel, Gabuev, Rumer; yes_conditional = Kobzova,
Sasse, Meister; not_yet = Greene. So p = (3/7, 3/7, 1/7) and:
  modal share  = 3/7                                   = 0.4286 (yes and yes_conditional tie)
  Herfindahl   = (9 + 9 + 1) / 49 = 19/49              = 0.3878
  entropy      = log2 7 - (6/7) log2 3 = 2.8074 - 1.3585 = 1.4488 bits
  consensus    = 1 - 1.4488 / log2 6 = 1 - 1.4488 / 2.5850 = 0.4395
"""

from typing import Any

from fastapi.testclient import TestClient

from app.models import Stance
from app.queries.summary import consensus
from tests.support.seed_facts import SEED_DATE, SEED_EXPERTS, SEED_SLUG, SEED_TITLE

ARTICLE = {
    "slug": SEED_SLUG,
    "title": SEED_TITLE,
    "published_on": SEED_DATE,
}
EXPERTS = {slug: {"slug": slug, "name": slug.replace("-", " ").title()} for slug in SEED_EXPERTS}
LABELS = {
    "yes": "Yes",
    "yes_conditional": "Yes, with conditions",
    "not_yet": "Not yet",
    "no": "No",
    "mixed": "Mixed",
    "unclear": "Unclear",
}


def _shares(counts: dict[str, int], total: int) -> list[dict[str, Any]]:
    return [
        {
            "stance": stance,
            "label": label,
            "count": counts.get(stance, 0),
            "share": round(counts.get(stance, 0) / total, 4),
        }
        for stance, label in LABELS.items()
    ]


def test_article_summary(client: TestClient) -> None:
    body = client.get(f"/v1/articles/{SEED_SLUG}/summary").json()
    tags = body.pop("tags")
    matrix = body.pop("matrix")
    assert body == {
        "article": ARTICLE,
        "question": "Should Europe Negotiate with Russia?",
        "response_count": 7,
        "stances": [
            {
                "stance": "yes",
                "label": "Yes",
                "count": 3,
                "share": 0.4286,
                "experts": [
                    EXPERTS["veronica-anghel"],
                    EXPERTS["alexander-gabuev"],
                    EXPERTS["eugene-rumer"],
                ],
            },
            {
                "stance": "yes_conditional",
                "label": "Yes, with conditions",
                "count": 3,
                "share": 0.4286,
                "experts": [
                    EXPERTS["jana-kobzova"],
                    EXPERTS["gwendolyn-sasse"],
                    EXPERTS["stefan-meister"],
                ],
            },
            {
                "stance": "not_yet",
                "label": "Not yet",
                "count": 1,
                "share": 0.1429,
                "experts": [EXPERTS["samuel-greene"]],
            },
            *(
                {"stance": s, "label": LABELS[s], "count": 0, "share": 0.0, "experts": []}
                for s in ("no", "mixed", "unclear")
            ),
        ],
        "consensus": {
            "modal_stances": ["yes", "yes_conditional"],
            "plurality_stance": None,
            "majority_stance": None,
            "modal_share": 0.4286,
            "herfindahl": 0.3878,
            "entropy_bits": 1.4488,
            "consensus": 0.4395,
        },
    }
    # Ranked by experts who raised the tag, then arguments carrying it, then slug.
    assert [(t["tag"]["slug"], t["expert_count"], t["argument_count"]) for t in tags] == [
        ("seat-at-the-table", 7, 9),
        ("united-states", 6, 13),
        ("european-agency", 6, 11),
        ("security-guarantees", 4, 8),
        ("frozen-assets", 4, 4),
        ("military-aid", 3, 4),
        ("sanctions", 3, 4),
        ("peace-plan", 3, 3),
        ("negotiation-channel", 2, 4),
        ("sequencing", 2, 4),
        ("deterrence", 2, 2),
        ("energy-and-trade", 2, 2),
        ("european-unity", 2, 2),
        ("territory", 2, 2),
        ("china", 1, 2),
        ("rearmament", 1, 1),
        ("ukraine-funding", 1, 1),
        ("ukraine-integration", 1, 1),
    ]
    assert tags[4] == {
        "tag": {"slug": "frozen-assets", "label": "Frozen assets", "category": "instrument"},
        "expert_count": 4,
        "argument_count": 4,
        "experts": ["jana-kobzova", "gwendolyn-sasse", "stefan-meister", "eugene-rumer"],
    }
    assert matrix["tags"] == [t["tag"]["slug"] for t in tags]
    assert [(r["expert"], r["stance"]) for r in matrix["rows"]] == [
        (EXPERTS["veronica-anghel"], "yes"),
        (EXPERTS["samuel-greene"], "not_yet"),
        (EXPERTS["jana-kobzova"], "yes_conditional"),
        (EXPERTS["alexander-gabuev"], "yes"),
        (EXPERTS["gwendolyn-sasse"], "yes_conditional"),
        (EXPERTS["stefan-meister"], "yes_conditional"),
        (EXPERTS["eugene-rumer"], "yes"),
    ]
    # Columns in the order above: seat-at-the-table, united-states, european-agency, ...
    assert {r["expert"]["slug"]: r["counts"] for r in matrix["rows"]} == {
        "veronica-anghel": [1, 3, 2, 1, 0, 0, 1, 0, 0, 0, 1, 0, 0, 1, 2, 0, 0, 0],
        "samuel-greene": [1, 1, 0, 4, 0, 0, 0, 1, 0, 3, 1, 0, 1, 0, 0, 0, 0, 0],
        "jana-kobzova": [1, 0, 2, 0, 1, 1, 1, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0],
        "alexander-gabuev": [2, 2, 1, 0, 0, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0],
        "gwendolyn-sasse": [2, 3, 1, 1, 1, 1, 2, 1, 0, 1, 0, 1, 0, 1, 0, 0, 0, 0],
        "stefan-meister": [1, 1, 3, 2, 1, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 1, 1],
        "eugene-rumer": [1, 3, 2, 0, 1, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0],
    }
    # Each column adds up to the tag's argument count.
    assert [sum(c) for c in zip(*(r["counts"] for r in matrix["rows"]), strict=True)] == [
        t["argument_count"] for t in tags
    ]


def test_consensus_edge_cases() -> None:
    unanimous = consensus({Stance.NO: 4})
    assert unanimous.model_dump() == {
        "modal_stances": [Stance.NO],
        "plurality_stance": Stance.NO,
        "majority_stance": Stance.NO,
        "modal_share": 1.0,
        "herfindahl": 1.0,
        "entropy_bits": 0.0,
        "consensus": 1.0,
    }
    # 2 of 5 is the plurality but not a majority.
    plurality = consensus({Stance.YES: 2, Stance.NO: 1, Stance.MIXED: 1, Stance.UNCLEAR: 1})
    assert (plurality.plurality_stance, plurality.majority_stance) == (Stance.YES, None)
    # Evenly split over all six stances: entropy log2 6, consensus 0.
    even = consensus(dict.fromkeys(Stance, 1))
    assert (even.entropy_bits, even.consensus, even.herfindahl) == (2.585, 0.0, 0.1667)
    assert consensus({}).model_dump() == {
        "modal_stances": [],
        "plurality_stance": None,
        "majority_stance": None,
        "modal_share": 0.0,
        "herfindahl": 0.0,
        "entropy_bits": 0.0,
        "consensus": 0.0,
    }


def test_expert_agreement(client: TestClient) -> None:
    # Kobzova's tags: energy-and-trade, european-agency, european-unity, frozen-assets,
    # military-aid, sanctions, seat-at-the-table (7). Sasse shares 6 of her 11: 6 / 12 = 0.5.
    body = client.get("/v1/experts/jana-kobzova/agreement").json()

    def peer(slug: str, same: int, shared: list[str], jaccard: float) -> dict[str, Any]:
        return {
            "expert": EXPERTS[slug],
            "shared_articles": 1,
            "same_stance": same,
            "stance_agreement": float(same),
            "shared_tags": shared,
            "tag_jaccard": jaccard,
        }

    assert body == {
        "expert": EXPERTS["jana-kobzova"],
        "articles": 1,
        "tags": [
            "energy-and-trade",
            "european-agency",
            "european-unity",
            "frozen-assets",
            "military-aid",
            "sanctions",
            "seat-at-the-table",
        ],
        "peers": [
            peer(
                "gwendolyn-sasse",
                1,
                [
                    "energy-and-trade",
                    "european-agency",
                    "frozen-assets",
                    "military-aid",
                    "sanctions",
                    "seat-at-the-table",
                ],
                0.5,
            ),
            peer(
                "stefan-meister",
                1,
                ["european-agency", "frozen-assets", "seat-at-the-table"],
                0.2308,  # 3 / (7 + 9 - 3)
            ),
            peer(
                "eugene-rumer",
                0,
                ["european-agency", "frozen-assets", "military-aid", "seat-at-the-table"],
                0.4444,  # 4 / (7 + 6 - 4)
            ),
            peer(
                "veronica-anghel",
                0,
                ["european-agency", "sanctions", "seat-at-the-table"],
                0.25,  # 3 / (7 + 8 - 3)
            ),
            peer(
                "alexander-gabuev",
                0,
                ["european-agency", "seat-at-the-table"],
                0.2222,  # 2 / (7 + 4 - 2)
            ),
            peer(
                "samuel-greene",
                0,
                ["european-unity", "seat-at-the-table"],
                0.1667,  # 2 / (7 + 7 - 2)
            ),
        ],
    }


def test_unknown_expert_agreement_is_404(client: TestClient) -> None:
    response = client.get("/v1/experts/nobody/agreement")
    assert (response.status_code, response.json()["detail"]) == (
        404,
        "No expert with slug 'nobody'.",
    )


def test_stats(client: TestClient) -> None:
    body = client.get("/v1/stats").json()
    words = sum(r["word_count"] for r in client.get("/v1/responses").json()["items"])
    assert body == {
        "totals": {
            "articles": 1,
            "experts": 7,
            "organizations": 44,
            "responses": 7,
            "arguments": 41,
            "tags": 38,
            "words": words,
        },
        "stances": _shares({"yes": 3, "yes_conditional": 3, "not_yet": 1}, 7),
        # Top-level organizations: Anghel (Robert Schuman Centre -> EUI) and Greene (King's)
        # at universities; the other five at think tanks (ECFR, Carnegie units, DGAP).
        "by_organization_kind": [
            {
                "group": "think_tank",
                "articles": 1,
                "responses": 5,
                "stances": _shares({"yes": 2, "yes_conditional": 3}, 5),
            },
            {
                "group": "university",
                "articles": 1,
                "responses": 2,
                "stances": _shares({"yes": 1, "not_yet": 1}, 2),
            },
        ],
        "by_series": [
            {
                "group": "Taking the Pulse",
                "articles": 1,
                "responses": 7,
                "stances": _shares({"yes": 3, "yes_conditional": 3, "not_yet": 1}, 7),
            }
        ],
    }
    assert words == 1396
