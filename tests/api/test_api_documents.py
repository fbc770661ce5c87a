"""Whole-roundup documents: the AIF nodeset, schema.org JSON-LD, and the dataset dump."""

import base64
import gzip
import hashlib
from collections import Counter
from pathlib import Path
from typing import Any

import orjson
import yaml
from fastapi.testclient import TestClient

from app.config import PROJECT_DIR
from tests.support.seed_facts import SEED_EXPERTS, SEED_SLUG

TIMESTAMP = "2025-12-04 00:00:00"


def _detail(client: TestClient) -> dict[str, Any]:
    body: dict[str, Any] = client.get(f"/v1/articles/{SEED_SLUG}").json()
    return body


def test_aif_is_a_well_formed_nodeset(client: TestClient) -> None:
    response = client.get(f"/v1/articles/{SEED_SLUG}/aif")
    assert response.status_code == 200
    aif = response.json()
    assert set(aif) == {"nodes", "edges", "locutions", "participants"}
    nodes = {node["nodeID"]: node for node in aif["nodes"]}
    assert len(nodes) == len(aif["nodes"])
    assert {edge["edgeID"] for edge in aif["edges"]} == {str(i) for i in range(1, 195)}
    # The question, its locution and YA; 3 stances taken; per answer L, YA, TA; per argument
    # I, L, YA, RA.
    assert Counter(node["type"] for node in aif["nodes"]) == {
        "I": 1 + 3 + 41,
        "L": 1 + 7 + 41,
        "YA": 1 + 7 + 41,
        "TA": 7,
        "RA": 41,
    }
    assert all(node["timestamp"] == TIMESTAMP for node in aif["nodes"])
    for edge in aif["edges"]:
        assert edge["fromID"] in nodes, edge
        assert edge["toID"] in nodes, edge
        assert edge["formEdgeID"] is None
        # AIF never links two I-nodes (or two L-nodes) directly: an S-node sits between.
        assert {nodes[edge["fromID"]]["type"], nodes[edge["toID"]]["type"]} & {"RA", "YA", "TA"}
    incoming: dict[str, list[str]] = {node_id: [] for node_id in nodes}
    outgoing: dict[str, list[str]] = {node_id: [] for node_id in nodes}
    for edge in aif["edges"]:
        outgoing[edge["fromID"]].append(edge["toID"])
        incoming[edge["toID"]].append(edge["fromID"])
    for node_id, node in nodes.items():
        if node["type"] in ("RA", "YA", "TA"):
            assert (len(incoming[node_id]), len(outgoing[node_id])) == (1, 1), node

    def supported(argument_text: str) -> list[str]:
        """Texts of the I-nodes that an I-node with this text supports through an RA."""
        [premise] = [i for i, n in nodes.items() if n["type"] == "I" and n["text"] == argument_text]
        return [
            nodes[target]["text"]
            for ra in outgoing[premise]
            if nodes[ra]["type"] == "RA"
            for target in outgoing[ra]
        ]

    labels = {"yes": "Yes", "yes_conditional": "Yes, with conditions", "not_yet": "Not yet"}
    for answer in _detail(client)["responses"]:
        stance = f"Should Europe Negotiate with Russia? {labels[answer['stance']]}."
        for argument in answer["arguments"]:
            assert supported(argument["text"]) == [stance], argument["text"]


def test_aif_dialogue_and_participants(client: TestClient) -> None:
    aif = client.get(f"/v1/articles/{SEED_SLUG}/aif").json()
    assert aif["nodes"][:6] == [
        {
            "nodeID": "1",
            "text": "Should Europe Negotiate with Russia?",
            "type": "I",
            "timestamp": TIMESTAMP,
        },
        {
            "nodeID": "2",
            "text": "Carnegie Europe: Should Europe Negotiate with Russia?",
            "type": "L",
            "timestamp": TIMESTAMP,
        },
        {"nodeID": "3", "text": "Pure Questioning", "type": "YA", "timestamp": TIMESTAMP},
        {
            "nodeID": "4",
            "text": "Should Europe Negotiate with Russia? Yes.",
            "type": "I",
            "timestamp": TIMESTAMP,
        },
        {
            "nodeID": "5",
            "text": "Veronica Anghel: Yes, of course Europe should be negotiating with Russia",
            "type": "L",
            "timestamp": TIMESTAMP,
        },
        {"nodeID": "6", "text": "Default Transition", "type": "TA", "timestamp": TIMESTAMP},
    ]
    assert aif["edges"][:4] == [
        {"edgeID": "1", "fromID": "2", "toID": "3", "formEdgeID": None},
        {"edgeID": "2", "fromID": "3", "toID": "1", "formEdgeID": None},
        {"edgeID": "3", "fromID": "2", "toID": "6", "formEdgeID": None},
        {"edgeID": "4", "fromID": "6", "toID": "5", "formEdgeID": None},
    ]
    assert aif["participants"] == [
        {"participantID": str(i), "firstname": first, "surname": last}
        for i, (first, last) in enumerate(
            [
                ("Veronica", "Anghel"),
                ("Samuel", "Greene"),
                ("Jana", "Kobzova"),
                ("Alexander", "Gabuev"),
                ("Gwendolyn", "Sasse"),
                ("Stefan", "Meister"),
                ("Eugene", "Rumer"),
            ],
            start=1,
        )
    ]
    nodes = {node["nodeID"]: node for node in aif["nodes"]}
    asserted_by: dict[str, list[str]] = {}
    for edge in aif["edges"]:
        source, target = nodes[edge["fromID"]], nodes[edge["toID"]]
        if source["type"] == "L" and target["type"] == "YA":
            [claim] = [e["toID"] for e in aif["edges"] if e["fromID"] == target["nodeID"]]
            if nodes[claim]["text"].startswith("Should Europe Negotiate with Russia? "):
                asserted_by.setdefault(nodes[claim]["text"], []).append(source["text"])
    # One I-node per stance taken, asserted by each expert who took it, in their own words.
    assert asserted_by == {
        "Should Europe Negotiate with Russia? Yes.": [
            "Veronica Anghel: Yes, of course Europe should be negotiating with Russia",
            "Alexander Gabuev: it is high time to establish lines of communication between"
            " Brussels and Moscow",
            "Eugene Rumer: Yes.",
        ],
        "Should Europe Negotiate with Russia? Not yet.": ["Samuel Greene: Yes, but not yet."],
        "Should Europe Negotiate with Russia? Yes, with conditions.": [
            "Jana Kobzova: This can change only if the Europeans start using their leverage.",
            "Gwendolyn Sasse: Europe can only play a role in negotiations if it delivers on three"
            " things",
            "Stefan Meister: If Europe wants a seat in negotiations on own future, it has to take"
            " more responsibility for impacting Moscow’s cost-benefit calculation",
        ],
    }
    people = {p["participantID"]: f"{p['firstname']} {p['surname']}" for p in aif["participants"]}
    assert len(aif["locutions"]) == 7 + 41
    for locution in aif["locutions"]:
        assert nodes[locution["nodeID"]]["type"] == "L"
        assert nodes[locution["nodeID"]]["text"].startswith(people[locution["personID"]] + ": ")
        assert (locution["start"], locution["end"], locution["source"]) == (None, None, None)


def test_jsonld(client: TestClient) -> None:
    response = client.get(f"/v1/articles/{SEED_SLUG}/jsonld")
    assert response.headers["content-type"] == "application/ld+json"
    document = response.json()
    question = document.pop("mainEntity")
    base = "/v1"  # relative: no ROUNDUP_PUBLIC_BASE_URL (tests/http/test_public_urls.py)
    assert document == {
        "@context": "https://schema.org",
        "@type": "Article",
        "@id": f"{base}/articles/{SEED_SLUG}",
        "headline": "Taking the Pulse: Should Europe Negotiate with Russia?",
        "description": (
            "By negotiating directly with the Kremlin, the Trump administration has broken the"
            " taboo on diplomatic contacts with Russia. With Ukrainian and European security at"
            " stake, is it time for Brussels to open its own communication channel to Moscow?"
        ),
        "datePublished": "2025-12-04",
        "publisher": {
            "@type": "Organization",
            "@id": f"{base}/organizations/carnegie-europe",
            "name": "Carnegie Europe",
        },
        "isPartOf": {"@type": "CreativeWorkSeries", "name": "Taking the Pulse"},
        "contributor": [{"@id": f"{base}/experts/{slug}"} for slug in SEED_EXPERTS],
    }
    answers = question.pop("suggestedAnswer")
    assert question == {
        "@type": "Question",
        "@id": f"{base}/articles/{SEED_SLUG}#question",
        "name": "Should Europe Negotiate with Russia?",
        "text": "Should Europe Negotiate with Russia?",
        "answerCount": 7,
    }
    detail = _detail(client)
    assert [a["text"] for a in answers] == [r["body"] for r in detail["responses"]]
    assert [c["text"] for a in answers for c in a["hasPart"]] == [
        arg["text"] for r in detail["responses"] for arg in r["arguments"]
    ]
    gabuev = answers[3]
    claims = gabuev.pop("hasPart")
    gabuev.pop("text")
    assert gabuev == {
        "@type": "Answer",
        "@id": f"{base}/articles/{SEED_SLUG}#response-4",
        "position": 4,
        "abstract": "it is high time to establish lines of communication between Brussels and"
        " Moscow",
        "wordCount": 190,
        "author": {
            "@type": "Person",
            "@id": f"{base}/experts/alexander-gabuev",
            "name": "Alexander Gabuev",
            "jobTitle": ["Director"],
            "affiliation": [
                {
                    "@type": "Organization",
                    "@id": f"{base}/organizations/carnegie-russia-eurasia-center",
                    "name": "Carnegie Russia Eurasia Center",
                    "parentOrganization": {
                        "@type": "Organization",
                        "@id": f"{base}/organizations/carnegie-endowment-for-international-peace",
                        "name": "Carnegie Endowment for International Peace",
                        "alternateName": "CEIP",
                    },
                }
            ],
        },
        "keywords": [
            {
                "@type": "DefinedTerm",
                "termCode": "yes",
                "name": "Yes",
                "inDefinedTermSet": {
                    "@type": "DefinedTermSet",
                    "@id": "/openapi.json#/components/schemas/Stance",
                    "name": "Roundup stances",
                },
            }
        ],
    }
    assert claims[1] == {
        "@type": "Claim",
        "@id": f"{base}/articles/{SEED_SLUG}#response-4-argument-2",
        "position": 2,
        "text": detail["responses"][3]["arguments"][1]["text"],
        "author": {"@id": f"{base}/experts/alexander-gabuev"},
        "keywords": [
            {
                "@type": "DefinedTerm",
                "termCode": "claim",
                "name": "Claim",
                "inDefinedTermSet": {
                    "@type": "DefinedTermSet",
                    "@id": "/openapi.json#/components/schemas/ArgumentKind",
                    "name": "Roundup argument kinds",
                },
            },
            *(
                {
                    "@type": "DefinedTerm",
                    "@id": f"{base}/tags/{slug}",
                    "termCode": slug,
                    "name": label,
                    "url": f"{base}/tags/{slug}",
                    "inDefinedTermSet": {
                        "@type": "DefinedTermSet",
                        "@id": f"{base}/tags",
                        "name": "Roundup tags",
                    },
                }
                for slug, label in (
                    ("negotiation-channel", "Negotiation channel"),
                    ("united-states", "United States"),
                )
            ),
        ],
    }


def test_unknown_article_documents_are_404(client: TestClient) -> None:
    for suffix in ("aif", "jsonld", "summary"):
        response = client.get(f"/v1/articles/nothing/{suffix}")
        assert (response.status_code, response.json()["detail"]) == (
            404,
            "No article with slug 'nothing'.",
        )


def test_dump(client: TestClient) -> None:
    response = client.get("/v1/dump")
    assert response.headers["content-type"] == "application/gzip"
    assert response.headers["content-disposition"] == (
        'attachment; filename="roundup-dump.jsonl.gz"'
    )
    digest = base64.b64encode(hashlib.sha256(response.content).digest()).decode()
    assert response.headers["repr-digest"] == f"sha-256=:{digest}:"
    first, rest = gzip.decompress(response.content).split(b"\n", 1)
    header = orjson.loads(first)
    meta = client.get("/v1/meta").json()
    assert header == {
        "type": "dump",
        "format": "roundup-dump/1",
        "data_version": meta["data_version"],
        "as_of": meta["last_loaded_at"].replace("Z", "+00:00"),
        "records": {
            "argument": 41,
            "article": 1,
            "expert": 7,
            "organization": 44,
            "response": 7,
            "tag": 38,
        },
        "content_sha256": hashlib.sha256(rest).hexdigest(),
        "license": header["license"],
        "attribution": [
            "Taking the Pulse: Should Europe Negotiate with Russia? Carnegie Europe, 2025-12-04."
        ],
    }
    assert "Attribution is required" in header["license"]
    assert "MIT License" in header["license"]
    records = [orjson.loads(line) for line in rest.splitlines()]
    assert [r["type"] for r in records[:1]] == ["organization"]
    assert Counter(r["type"] for r in records) == header["records"]
    greene = next(r for r in records if r["type"] == "response" and r["expert"] == "samuel-greene")
    assert {k: v for k, v in greene.items() if k != "body"} == {
        "type": "response",
        "article": SEED_SLUG,
        "expert": "samuel-greene",
        "position": 2,
        "affiliation_line": "Professor of Russian Politics, King’s College London",
        "affiliations": [
            {"role": "Professor of Russian Politics", "organization": "kings-college-london"}
        ],
        "stance": "not_yet",
        "stance_phrase": "Yes, but not yet.",
        "stance_source": "curated",
        "word_count": greene["word_count"],
    }
    bodies = {(r["article"], r["expert"]): r["body"] for r in records if r["type"] == "response"}
    for argument in (r for r in records if r["type"] == "argument"):
        body = bodies[argument["article"], argument["expert"]]
        assert body[argument["start"] : argument["end"]] == argument["text"]
    assert next(
        r for r in records if r["slug"] == "robert-schuman-centre-for-advanced-studies"
    ) == {
        "type": "organization",
        "slug": "robert-schuman-centre-for-advanced-studies",
        "name": "Robert Schuman Centre for Advanced Studies",
        "short_name": "RSCAS",
        "kind": "research_unit",
        "parent": "european-university-institute",
    }


def test_dump_is_the_same_bytes_for_the_same_data(client: TestClient) -> None:
    first = client.get("/v1/dump")
    second = client.get("/v1/dump")
    assert (first.content, first.headers["etag"]) == (second.content, second.headers["etag"])
    cached = client.get("/v1/dump", headers={"If-None-Match": first.headers["etag"]})
    assert cached.status_code == 304


def test_the_dump_is_also_served_as_octet_stream(client: TestClient) -> None:
    """Generic clients (openapi-python-client among them) know binary as octet-stream."""
    gzip = client.get("/v1/dump")
    octets = client.get("/v1/dump", headers={"Accept": "application/octet-stream"})
    assert gzip.headers["content-type"] == "application/gzip"
    assert octets.headers["content-type"] == "application/octet-stream"
    assert octets.content == gzip.content
    assert octets.headers["repr-digest"] == gzip.headers["repr-digest"]
    refused = client.get("/v1/dump", headers={"Accept": "application/json"})
    assert (refused.status_code, refused.json()["detail"]) == (
        406,
        "This resource is available as: application/gzip, application/octet-stream,"
        " application/problem+json.",
    )


def test_citation_file() -> None:
    citation = yaml.safe_load(Path(PROJECT_DIR / "CITATION.cff").read_text(encoding="utf-8"))
    assert citation["cff-version"] == "1.2.0"
    assert citation["license"] == "MIT"
    assert {"message", "title", "authors", "type"} <= set(citation)
    [source] = citation["references"]
    assert (source["title"], source["publisher"]["name"], source["date-published"]) == (
        "Taking the Pulse: Should Europe Negotiate with Russia?",
        "Carnegie Europe",
        "2025-12-04",
    )
