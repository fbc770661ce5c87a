"""Bodies built from plain rows (no models on the way out) are byte for byte what their public
models serialize, on the seed and on a roundup with every optional value empty and awkward
text; and that roundup's detail is exactly what it holds."""

from datetime import UTC, date, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import BaseModel
from pydantic_core import to_json
from sqlmodel import Session

from app.models import (
    Affiliation,
    AnnotationSource,
    Answer,
    Argument,
    ArgumentKind,
    Article,
    Expert,
    Organization,
    ResponseAffiliation,
    Stance,
    row_id,
)
from app.queries.paging import Page
from app.schemas import (
    ArgumentItem,
    ArticleDetail,
    ArticleListItem,
    ArticleStanceSummary,
    ResponseItem,
)
from tests.support.seed_facts import SEED_SLUG

ODD_SLUG = "odd-roundup"
# Quotes, backslashes, control characters, markup, non-ASCII, an astral character and the
# separators JSON allows raw but JavaScript does not.
ODD_TEXT = 'Say "no"\\\t\n</script> & élan 🙂 \u2028\u2029\x7f\x1f end.'


@pytest.fixture
def odd_roundup(session: Session) -> str:
    """A roundup with no series, dek, credit, disclaimer or source URL, one answer without a
    stance phrase, printed with a parentless organization with no short name and with a role
    alone (no organization), and one argument without tags."""
    article = Article(
        slug=ODD_SLUG,
        series=None,
        title="Odd: " + ODD_TEXT,
        question=ODD_TEXT,
        dek=None,
        published_on=date(2030, 1, 2),
        publisher="Nobody",
        image_credit=None,
        disclaimer=None,
        source_url=None,
        source_sha256="0" * 64,
        loaded_at=datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC),
    )
    expert = Expert(slug="odd-expert", name="Zoë Ödd")
    organization = Organization(slug="odd-org", name="Odd Org", short_name=None, kind="other")
    session.add_all([article, expert, organization])
    session.flush()
    affiliation = Affiliation(
        expert_id=row_id(expert), organization_id=row_id(organization), role="Nobody"
    )
    response = Answer(
        article_id=row_id(article),
        expert_id=row_id(expert),
        position=1,
        printed_name="Zoë Ödd",
        affiliation_line="Nobody, Odd Org",
        body=ODD_TEXT,
        stance=Stance.UNCLEAR,
        stance_phrase=None,
        stance_source=AnnotationSource.RULES,
        word_count=9,
    )
    role_alone = Affiliation(expert_id=row_id(expert), organization_id=None, role="Author")
    session.add_all([affiliation, role_alone, response])
    session.flush()
    session.add_all(
        [
            ResponseAffiliation(
                response_id=row_id(response), position=1, affiliation_id=row_id(affiliation)
            ),
            ResponseAffiliation(
                response_id=row_id(response), position=2, affiliation_id=row_id(role_alone)
            ),
            Argument(
                response_id=row_id(response),
                position=1,
                text=ODD_TEXT,
                start=0,
                end=len(ODD_TEXT),
                kind=ArgumentKind.PREDICTION,
                annotation_source=AnnotationSource.RULES,
            ),
        ]
    )
    session.flush()
    return ODD_SLUG


def model_bytes(model: type[BaseModel], body: bytes) -> bytes:
    """What `model` serializes for the data in `body`."""
    return to_json(model.model_validate_json(body))


@pytest.mark.parametrize("slug", [SEED_SLUG, ODD_SLUG])
@pytest.mark.parametrize(
    ("path", "model"),
    [
        ("/v1/articles/{slug}", ArticleDetail),
        ("/v1/articles/{slug}/summary", ArticleStanceSummary),
        ("/v1/articles?limit=500", Page[ArticleListItem]),
        ("/v1/responses?article={slug}", Page[ResponseItem]),
        ("/v1/responses?article={slug}&limit=2", Page[ResponseItem]),
        ("/v1/arguments?article={slug}", Page[ArgumentItem]),
        ("/v1/arguments?article={slug}&limit=3", Page[ArgumentItem]),
    ],
)
def test_body_is_the_models_own_bytes(
    client: TestClient, odd_roundup: str, slug: str, path: str, model: type[BaseModel]
) -> None:
    response = client.get(path.format(slug=slug), headers={"Accept-Encoding": "identity"})
    assert response.status_code == 200
    assert response.content == model_bytes(model, response.content)


def test_odd_roundup_detail(client: TestClient, odd_roundup: str) -> None:
    body: dict[str, Any] = client.get(f"/v1/articles/{odd_roundup}").json()
    assert body == {
        "slug": ODD_SLUG,
        "series": None,
        "title": "Odd: " + ODD_TEXT,
        "question": ODD_TEXT,
        "dek": None,
        "published_on": "2030-01-02",
        "publisher": "Nobody",
        "image_credit": None,
        "source_url": None,
        "disclaimer": None,
        "source_sha256": "0" * 64,
        "loaded_at": "2030-01-02T03:04:05Z",
        "responses": [
            {
                "position": 1,
                "expert": {"slug": "odd-expert", "name": "Zoë Ödd"},
                "affiliation_line": "Nobody, Odd Org",
                "affiliations": [
                    {
                        "role": "Nobody",
                        "organization": {
                            "slug": "odd-org",
                            "name": "Odd Org",
                            "short_name": None,
                            "kind": "other",
                            "parent": None,
                        },
                    },
                    {"role": "Author", "organization": None},
                ],
                "stance": "unclear",
                "stance_phrase": None,
                "stance_source": "rules",
                "word_count": 9,
                "body": ODD_TEXT,
                "arguments": [
                    {
                        "position": 1,
                        "text": ODD_TEXT,
                        "start": 0,
                        "end": len(ODD_TEXT),
                        "kind": "prediction",
                        "annotation_source": "rules",
                        "tags": [],
                    }
                ],
            }
        ],
    }


def test_a_roundup_without_answers(client: TestClient, session: Session) -> None:
    session.add(
        Article(
            slug="empty",
            title="Empty",
            question="Anyone?",
            published_on=date(2030, 1, 1),
            publisher="Nobody",
            source_sha256="1" * 64,
            loaded_at=datetime(2030, 1, 1, tzinfo=UTC),
        )
    )
    session.flush()
    detail = client.get("/v1/articles/empty")
    assert detail.json()["responses"] == []
    assert detail.content == model_bytes(ArticleDetail, detail.content)
    summary = client.get("/v1/articles/empty/summary")
    assert summary.json()["response_count"] == 0
    assert summary.content == model_bytes(ArticleStanceSummary, summary.content)
