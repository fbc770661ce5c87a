"""Where a panel stands: stance counts and shares, consensus measures, tags by expert."""

import math
from collections import Counter, defaultdict
from collections.abc import Mapping

from sqlalchemy import func
from sqlmodel import Session, col, select

from app.filters import STANCE_LABELS
from app.models import Argument, ArgumentTag, Article, Expert, Response, Stance, Tag, row_id
from app.schemas import (
    ArticleRef,
    ArticleStanceSummary,
    Consensus,
    ExpertRef,
    StanceShare,
    StanceWithExperts,
    TagMatrix,
    TagMatrixRow,
    TagRef,
    TagUse,
)

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


def article_summary(session: Session, article: Article) -> ArticleStanceSummary:
    answers = session.exec(
        select(Response, Expert)
        .join(Expert, col(Expert.id) == Response.expert_id)
        .where(Response.article_id == article.id)
        .order_by(col(Response.position))
    ).all()
    by_stance: dict[Stance, list[ExpertRef]] = defaultdict(list)
    for response, expert in answers:
        by_stance[Stance(response.stance)].append(ExpertRef.model_validate(expert))
    counts = {stance: len(experts) for stance, experts in by_stance.items()}
    tagged: dict[int, Counter[int]] = defaultdict(Counter)
    tags: dict[int, Tag] = {}
    for expert_id, tag, count in session.exec(
        select(Response.expert_id, Tag, func.count(col(Argument.id)))
        .join(Argument, col(Argument.response_id) == Response.id)
        .join(ArgumentTag, col(ArgumentTag.argument_id) == Argument.id)
        .join(Tag, col(Tag.id) == ArgumentTag.tag_id)
        .where(Response.article_id == article.id)
        .group_by(col(Response.expert_id), col(Tag.id))
    ).all():
        tagged[expert_id][row_id(tag)] = count
        tags[row_id(tag)] = tag
    order = [row_id(expert) for _, expert in answers]
    uses = sorted(
        (
            TagUse(
                tag=TagRef.model_validate(tag),
                expert_count=sum(1 for e in order if tagged[e][tag_id]),
                argument_count=sum(tagged[e][tag_id] for e in order),
                experts=[expert.slug for _, expert in answers if tagged[row_id(expert)][tag_id]],
            )
            for tag_id, tag in tags.items()
        ),
        key=lambda use: (-use.expert_count, -use.argument_count, use.tag.slug),
    )
    tag_ids = {tag.slug: tag_id for tag_id, tag in tags.items()}
    return ArticleStanceSummary(
        article=ArticleRef.model_validate(article),
        question=article.question,
        response_count=len(answers),
        stances=[
            StanceWithExperts(**share.model_dump(), experts=by_stance[share.stance])
            for share in stance_shares(counts)
        ],
        consensus=consensus(counts),
        tags=uses,
        matrix=TagMatrix(
            tags=[use.tag.slug for use in uses],
            rows=[
                TagMatrixRow(
                    expert=ExpertRef.model_validate(expert),
                    stance=response.stance,
                    counts=[tagged[row_id(expert)][tag_ids[use.tag.slug]] for use in uses],
                )
                for response, expert in answers
            ],
        ),
    )
