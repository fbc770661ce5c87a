"""Where a panel stands: stance counts and shares, consensus measures, tags by expert."""

import math
from collections import Counter, defaultdict
from collections.abc import Mapping
from typing import Any

from sqlalchemy import BindParameter, bindparam, func, select
from sqlmodel import Session

from app.filters import STANCE_LABELS
from app.models import Answer, Argument, ArgumentTag, Article, Expert, Stance, Tag
from app.queries.common import plain_rows, table
from app.schemas import Consensus, StanceShare

PLACES = 4


def ratio(part: int, whole: int) -> float:
    """part / whole rounded to PLACES decimals; 0 when whole is 0."""
    return round(part / whole, PLACES) if whole else 0.0


def stance_shares(counts: Mapping[Stance, int]) -> list[StanceShare]:
    """Every stance in enum order, zeros included."""
    total = sum(counts.values())
    return [
        StanceShare(
            stance=stance,
            label=STANCE_LABELS[stance],
            count=counts.get(stance, 0),
            share=ratio(counts.get(stance, 0), total),
        )
        for stance in Stance
    ]


def consensus(counts: Mapping[Stance, int]) -> Consensus:
    """Concentration measures over the shares p of the six stances (docs/api.md#summaries)."""
    total = sum(counts.values())
    top = max(counts.values(), default=0)
    modal = [stance for stance in Stance if top and counts.get(stance, 0) == top]
    plurality = modal[0] if len(modal) == 1 else None
    shares = [count / total for count in counts.values() if count] if total else []
    entropy = -sum(p * math.log2(p) for p in shares)
    return Consensus(
        modal_stances=modal,
        plurality_stance=plurality,
        majority_stance=plurality if 2 * top > total else None,
        modal_share=ratio(top, total),
        herfindahl=round(sum(p * p for p in shares), PLACES),
        entropy_bits=round(entropy, PLACES) + 0.0,
        consensus=round(1 - entropy / math.log2(len(Stance)), PLACES) if total else 0.0,
    )


_ARTICLE, _RESPONSE, _EXPERT = table(Article), table(Answer), table(Expert)
_ARGUMENT, _ARGUMENT_TAG, _TAG = table(Argument), table(ArgumentTag), table(Tag)
_ARTICLE_ID: BindParameter[int] = bindparam("article_id")

# The statements of article_summary, built once.
_ARTICLE_BY_SLUG = select(
    _ARTICLE.c.id,
    _ARTICLE.c.slug,
    _ARTICLE.c.title,
    _ARTICLE.c.published_on,
    _ARTICLE.c.question,
).where(_ARTICLE.c.slug == bindparam("slug"))
_ANSWERS = (
    select(_RESPONSE.c.stance, _EXPERT.c.id, _EXPERT.c.slug, _EXPERT.c.name)
    .join(_EXPERT, _EXPERT.c.id == _RESPONSE.c.expert_id)
    .where(_RESPONSE.c.article_id == _ARTICLE_ID)
    .order_by(_RESPONSE.c.position)
)
_TAGS_BY_EXPERT = (
    select(
        _RESPONSE.c.expert_id,
        _TAG.c.slug,
        _TAG.c.label,
        _TAG.c.category,
        func.count(_ARGUMENT.c.id),
    )
    .join(_ARGUMENT, _ARGUMENT.c.response_id == _RESPONSE.c.id)
    .join(_ARGUMENT_TAG, _ARGUMENT_TAG.c.argument_id == _ARGUMENT.c.id)
    .join(_TAG, _TAG.c.id == _ARGUMENT_TAG.c.tag_id)
    .where(_RESPONSE.c.article_id == _ARTICLE_ID)
    .group_by(_RESPONSE.c.expert_id, _TAG.c.id, _TAG.c.slug, _TAG.c.label, _TAG.c.category)
)


def article_summary(session: Session, slug: str) -> dict[str, Any] | None:
    """ArticleStanceSummary as plain data (keys in the model's field order), or None when no
    article has the slug: three statements, no ORM objects, no validation of the whole."""
    found = plain_rows(session, _ARTICLE_BY_SLUG, slug=slug)
    if not found:
        return None
    article_id, article_slug, title, published_on, question = found[0]
    answers = plain_rows(session, _ANSWERS, article_id=article_id)
    by_stance: dict[Stance, list[dict[str, str]]] = defaultdict(list)
    for stance, _, expert_slug, name in answers:
        by_stance[Stance(stance)].append({"slug": expert_slug, "name": name})
    counts = {stance: len(experts) for stance, experts in by_stance.items()}
    tagged: dict[int, Counter[str]] = defaultdict(Counter)
    tags: dict[str, dict[str, str]] = {}
    for expert_id, tag_slug, label, category, count in plain_rows(
        session, _TAGS_BY_EXPERT, article_id=article_id
    ):
        tagged[expert_id][tag_slug] = count
        tags[tag_slug] = {"slug": tag_slug, "label": label, "category": category}
    uses: list[dict[str, Any]] = []
    for tag_slug, tag in tags.items():
        experts = [answer.slug for answer in answers if tagged[answer.id][tag_slug]]
        arguments = sum(tagged[answer.id][tag_slug] for answer in answers)
        uses.append(
            {
                "tag": tag,
                "expert_count": len(experts),
                "argument_count": arguments,
                "experts": experts,
            }
        )
    uses.sort(key=lambda use: (-use["expert_count"], -use["argument_count"], use["tag"]["slug"]))
    columns = [use["tag"]["slug"] for use in uses]
    return {
        "article": {"slug": article_slug, "title": title, "published_on": published_on},
        "question": question,
        "response_count": len(answers),
        "stances": [
            {**share.model_dump(), "experts": by_stance[share.stance]}
            for share in stance_shares(counts)
        ],
        "consensus": consensus(counts).model_dump(),
        "tags": uses,
        "matrix": {
            "tags": columns,
            "rows": [
                {
                    "expert": {"slug": answer.slug, "name": answer.name},
                    "stance": answer.stance,
                    "counts": [tagged[answer.id][column] for column in columns],
                }
                for answer in answers
            ],
        },
    }
