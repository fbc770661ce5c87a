"""Full-text search over articles, answers and arguments: ranked hits with snippets."""

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, and_, case, false, func, or_, select
from sqlmodel import Session, col

from app.filters import (
    ResponseFilters,
    argument_conditions,
    article_conditions,
    response_conditions,
)
from app.models import Answer, Argument, Article, Expert, SearchDocument, SearchKind, Stance
from app.queries.common import ARGUMENT, IDS, RESPONSE, plain_rows, table
from app.queries.paging import IdPage, cursor_secret, decode_offset, encode_offset
from app.schemas import ArticleRef, ExpertRef, SearchHit
from app.search.query import SearchQuery
from app.search.snippets import snippet
from app.search.sql import count_matches, scored_matches

_KIND_ORDER = {SearchKind.ARTICLE: 0, SearchKind.RESPONSE: 1, SearchKind.ARGUMENT: 2}
# A query matching more texts than this ranks the MAX_RANKED most recently indexed ones only:
# ranking every match of a common word costs a worker seconds on a large corpus.
MAX_RANKED = 10_000
# Pages reach the best MAX_DEPTH hits (`total` still counts every match): a cursor cannot make
# one request rank and read every match.
MAX_DEPTH = 1000


@dataclass(frozen=True)
class SearchPage(IdPage):
    truncated: bool = False


def search(
    session: Session,
    query: SearchQuery,
    filters: ResponseFilters,
    kinds: tuple[SearchKind, ...],
    *,
    limit: int,
    cursor: str | None,
) -> tuple[list[SearchHit], SearchPage]:
    """Hits by relevance (bm25 on SQLite, ts_rank on PostgreSQL); ties: articles, answers,
    arguments, then index order. Filters are those of /v1/responses (/v1/arguments for
    argument hits); article hits only survive the filters that can describe an article.
    When the words match more than MAX_RANKED texts, only the MAX_RANKED most recently
    indexed are ranked, filtered and counted (`truncated`)."""
    context = _context(query, filters, kinds)
    secret = cursor_secret(session)
    offset = 0 if cursor is None else decode_offset(cursor, context, secret, MAX_DEPTH - 1)
    limit = min(limit, MAX_DEPTH - offset)
    dialect = session.get_bind().dialect.name
    matched = session.execute(count_matches(query, dialect, MAX_RANKED + 1)).scalar_one()
    newest = MAX_RANKED if matched > MAX_RANKED else None
    found = None
    if filters == ResponseFilters() and set(kinds) == set(SearchKind):
        matches = scored_matches(query, dialect, newest)
        found = _unfiltered(session, matches, min(matched, MAX_RANKED), offset + limit + 1)
    if found is None:
        found = _filtered(session, query, filters, kinds, dialect, newest, offset + limit + 1)
    total, ranked = found
    ids = ranked[offset:]
    next_cursor = None
    if len(ids) > limit:
        ids = ids[:limit]
        if offset + limit < MAX_DEPTH:
            next_cursor = encode_offset(offset + limit, context, secret)
    return _hits(session, query, ids), SearchPage(ids, total, next_cursor, newest is not None)


# Rows ranked past the page by the unfiltered search, to see where the page's last score ends.
_MARGIN = 50


def _unfiltered(
    session: Session, matches: Select[Any], total: int, wanted: int
) -> tuple[int, list[int]] | None:
    """Without filters, the full-text index alone ranks the hits (no joins): the `wanted`
    best by score, then by kind and id among equal scores, with `total`, the number of
    `matches` (already counted). None when more rows share the boundary score than were read
    (the caller then ranks in SQL)."""
    ranked = matches.subquery()
    rows = list(
        session.execute(
            select(ranked.c.id, ranked.c.score)
            .order_by(ranked.c.score.desc(), ranked.c.id)
            .limit(wanted + _MARGIN)
        )
    )
    if len(rows) == wanted + _MARGIN and rows[-1].score == rows[wanted - 1].score:
        return None  # rows not read may tie with the last wanted one
    kinds = {
        row.id: SearchKind(row.kind)
        for row in session.execute(
            select(col(SearchDocument.id), col(SearchDocument.kind)).where(
                col(SearchDocument.id).in_([row.id for row in rows])
            )
        )
    }
    rows.sort(key=lambda row: (-row.score, _KIND_ORDER[kinds[row.id]], row.id))
    return total, [row.id for row in rows[:wanted]]


def _filtered(
    session: Session,
    query: SearchQuery,
    filters: ResponseFilters,
    kinds: tuple[SearchKind, ...],
    dialect: str,
    newest: int | None,
    wanted: int,
) -> tuple[int, list[int]]:
    """Every match joined to what the filters read, ranked in SQL: the `wanted` best and the
    number of matches (counted by the same query, a window over the rows before the limit)."""
    matches = scored_matches(query, dialect, newest).subquery()
    branches = {
        SearchKind.ARTICLE: article_conditions(filters),
        SearchKind.RESPONSE: response_conditions(filters),
        SearchKind.ARGUMENT: argument_conditions(filters),
    }
    kind = col(SearchDocument.kind)
    statement = (
        select(col(SearchDocument.id), func.count().over().label("total"))
        .join(matches, matches.c.id == SearchDocument.id)
        .join(Article, col(Article.id) == SearchDocument.article_id)
        .outerjoin(Answer, col(Answer.id) == SearchDocument.response_id)
        .outerjoin(Expert, col(Expert.id) == Answer.expert_id)
        .outerjoin(Argument, col(Argument.id) == SearchDocument.argument_id)
        .where(or_(false(), *(and_(kind == k, *branches[k]) for k in kinds)))
    )
    ordered = statement.order_by(
        matches.c.score.desc(),
        case(_KIND_ORDER, value=kind),
        col(SearchDocument.id),
    )
    rows = session.execute(ordered.limit(wanted)).all()
    return (rows[0].total if rows else 0), [row.id for row in rows]


@dataclass
class RankedHits:
    """Every hit of a search from `cursor` on, for a download: ranked by one query on the
    first call, then read in batches by id (batch cursors are positions in that ranking)."""

    session: Session
    query: SearchQuery
    filters: ResponseFilters
    kinds: tuple[SearchKind, ...]
    ranked: list[int] | None = None
    total: int = 0

    def __call__(self, *, limit: int, cursor: str | None) -> tuple[list[SearchHit], IdPage]:
        if self.ranked is None:
            start, self.total, self.ranked = 0, *self._rank(cursor)
        else:
            start = int(cursor or 0)
        ids = self.ranked[start : start + limit]
        following = start + limit if start + limit < len(self.ranked) else None
        page = IdPage(ids, self.total, None if following is None else str(following))
        return _hits(self.session, self.query, ids), page

    def _rank(self, cursor: str | None) -> tuple[int, list[int]]:
        context = _context(self.query, self.filters, self.kinds)
        secret = cursor_secret(self.session)
        offset = 0 if cursor is None else decode_offset(cursor, context, secret, MAX_DEPTH - 1)
        dialect = self.session.get_bind().dialect.name
        matched = self.session.execute(
            count_matches(self.query, dialect, MAX_RANKED + 1)
        ).scalar_one()
        newest = MAX_RANKED if matched > MAX_RANKED else None
        total, ranked = _filtered(
            self.session, self.query, self.filters, self.kinds, dialect, newest, MAX_RANKED
        )
        return total, ranked[offset:]


def _context(query: SearchQuery, filters: ResponseFilters, kinds: tuple[SearchKind, ...]) -> str:
    return repr(("search", query.canonical, filters.fingerprint(), kinds))


# What a hit shows, as plain rows (no ORM objects): one statement, built once.
_DOCUMENT, _ARTICLE, _EXPERT = table(SearchDocument), table(Article), table(Expert)
_HIT_ROWS = (
    select(
        _DOCUMENT.c.id,
        _DOCUMENT.c.kind,
        _DOCUMENT.c.text,
        _ARTICLE.c.slug.label("article_slug"),
        _ARTICLE.c.title.label("article_title"),
        _ARTICLE.c.published_on,
        _EXPERT.c.slug.label("expert_slug"),
        _EXPERT.c.name.label("expert_name"),
        RESPONSE.c.stance,
        RESPONSE.c.position.label("response_position"),
        ARGUMENT.c.position.label("argument_position"),
    )
    .join(_ARTICLE, _ARTICLE.c.id == _DOCUMENT.c.article_id)
    .outerjoin(RESPONSE, RESPONSE.c.id == _DOCUMENT.c.response_id)
    .outerjoin(_EXPERT, _EXPERT.c.id == RESPONSE.c.expert_id)
    .outerjoin(ARGUMENT, ARGUMENT.c.id == _DOCUMENT.c.argument_id)
    .where(_DOCUMENT.c.id.in_(IDS))
)


def _hits(session: Session, query: SearchQuery, ids: list[int]) -> list[SearchHit]:
    """The hits `ids`, in that order, built from plain rows without validation (the values
    come from typed columns)."""
    rows = {row.id: row for row in plain_rows(session, _HIT_ROWS, ids=ids)}
    hits = []
    for document_id in ids:
        row = rows.get(document_id)
        if row is None:
            continue  # deleted by a load since it was ranked (downloads read in batches)
        expert = None
        if row.expert_slug is not None:
            expert = ExpertRef.model_construct(slug=row.expert_slug, name=row.expert_name)
        hits.append(
            SearchHit.model_construct(
                type=SearchKind(row.kind),
                article=ArticleRef.model_construct(
                    slug=row.article_slug, title=row.article_title, published_on=row.published_on
                ),
                expert=expert,
                stance=None if row.stance is None else Stance(row.stance),
                response_position=row.response_position,
                argument_position=row.argument_position,
                snippet=snippet(row.text, query.matches),
            )
        )
    return hits
