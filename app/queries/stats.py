"""Corpus totals and stance distributions by organization kind and by series."""

from collections import Counter, defaultdict

from sqlalchemy import func
from sqlmodel import Session, col, select

from app.models import (
    Affiliation,
    Answer,
    Argument,
    Article,
    Expert,
    Organization,
    ResponseAffiliation,
    Stance,
    Tag,
    row_id,
)
from app.queries.summary import stance_shares
from app.schemas import GroupStances, Stats


def stats(session: Session) -> Stats:
    totals = {
        name: session.exec(select(func.count()).select_from(model)).one()
        for name, model in (
            ("articles", Article),
            ("experts", Expert),
            ("organizations", Organization),
            ("responses", Answer),
            ("arguments", Argument),
            ("tags", Tag),
        )
    }
    totals["words"] = session.exec(select(func.coalesce(func.sum(Answer.word_count), 0))).one()
    answers = session.exec(
        select(Answer, Article.series).join(Article, col(Article.id) == Answer.article_id)
    ).all()
    kinds = _top_level_kinds(session)
    by_kind: dict[str | None, list[tuple[int, Stance]]] = defaultdict(list)
    by_series: dict[str | None, list[tuple[int, Stance]]] = defaultdict(list)
    for response, series in answers:
        answer = (response.article_id, Stance(response.stance))
        # An answer printed with no organization at all counts in the null group.
        groups: list[str | None] = [*sorted(kinds[row_id(response)])] or [None]
        for kind in groups:
            by_kind[kind].append(answer)
        by_series[series].append(answer)
    return Stats(
        totals=totals,
        stances=stance_shares(Counter(Stance(response.stance) for response, _ in answers)),
        by_organization_kind=_groups(by_kind),
        by_series=_groups(by_series),
    )


def _top_level_kinds(session: Session) -> dict[int, set[str]]:
    """For each response, the kinds of the top-level organizations it was printed with."""
    organizations = {row_id(org): org for org in session.exec(select(Organization)).all()}

    def root_kind(org_id: int) -> str:
        org = organizations[org_id]
        seen = {org_id}
        while org.parent_id is not None and org.parent_id not in seen:
            seen.add(org.parent_id)
            org = organizations[org.parent_id]
        return org.kind

    kinds: dict[int, set[str]] = defaultdict(set)
    for response_id, org_id in session.exec(
        select(ResponseAffiliation.response_id, Affiliation.organization_id).join(
            Affiliation, col(Affiliation.id) == ResponseAffiliation.affiliation_id
        )
    ).all():
        if org_id is not None:
            kinds[response_id].add(root_kind(org_id))
    return kinds


def _groups(groups: dict[str | None, list[tuple[int, Stance]]]) -> list[GroupStances]:
    """Largest group first, then by name (null last)."""
    return [
        GroupStances(
            group=name,
            articles=len({article_id for article_id, _ in rows}),
            responses=len(rows),
            stances=stance_shares(Counter(stance for _, stance in rows)),
        )
        for name, rows in sorted(
            groups.items(), key=lambda item: (-len(item[1]), item[0] is None, item[0] or "")
        )
    ]
