"""How much each other expert agrees with one expert: same stance on shared articles, tags."""

from collections import defaultdict

from sqlmodel import Session, col, select

from app.models import Answer, Argument, ArgumentTag, Expert, Stance, Tag, row_id
from app.queries.summary import ratio
from app.schemas import ExpertAgreement, ExpertRef, Peer


def expert_agreement(session: Session, expert: Expert) -> ExpertAgreement:
    """Every other expert, compared with `expert` across all loaded articles."""
    stances: dict[int, dict[int, Stance]] = defaultdict(dict)
    for expert_id, article_id, stance in session.exec(
        select(Answer.expert_id, Answer.article_id, Answer.stance)
    ).all():
        stances[expert_id][article_id] = Stance(stance)
    tags: dict[int, set[str]] = defaultdict(set)
    for expert_id, slug in session.exec(
        select(Answer.expert_id, Tag.slug)
        .distinct()
        .join(Argument, col(Argument.response_id) == Answer.id)
        .join(ArgumentTag, col(ArgumentTag.argument_id) == Argument.id)
        .join(Tag, col(Tag.id) == ArgumentTag.tag_id)
    ).all():
        tags[expert_id].add(slug)
    me = row_id(expert)
    mine = stances[me]
    peers = []
    for other in session.exec(select(Expert).where(Expert.id != me)).all():
        theirs = stances[row_id(other)]
        shared = [article for article in mine if article in theirs]
        same = sum(1 for article in shared if mine[article] == theirs[article])
        both, either = tags[me] & tags[row_id(other)], tags[me] | tags[row_id(other)]
        peers.append(
            Peer(
                expert=ExpertRef.model_validate(other),
                shared_articles=len(shared),
                same_stance=same,
                stance_agreement=ratio(same, len(shared)) if shared else None,
                shared_tags=sorted(both),
                tag_jaccard=ratio(len(both), len(either)),
            )
        )
    peers.sort(key=lambda p: (-p.same_stance, -len(p.shared_tags), -p.tag_jaccard, p.expert.name))
    return ExpertAgreement(
        expert=ExpertRef.model_validate(expert),
        articles=len(mine),
        tags=sorted(tags[me]),
        peers=peers,
    )
