"""Keep `search_document` in step with an article's rows (called by the loader on every load).

Rows are derived data: they are compared with what the article's rows say and written only
where they differ, so loading the same document twice writes nothing. The FTS5 table follows
`search_document` through triggers (SQLite); the GIN index follows it by itself (PostgreSQL).
"""

from typing import Any

from sqlmodel import Session, col, select

from app.models import Answer, Argument, Article, SearchDocument, SearchKind, row_id
from app.search.text import terms


def article_text(article: Article) -> str:
    return article_text_of(article.title, article.dek)


def article_text_of(title: str, dek: str | None) -> str:
    """What an article's search document holds: its title and dek."""
    return "\n\n".join(part for part in (title, dek) if part)


def sync_article(session: Session, article: Article) -> int:
    """Insert, update and delete the article's search documents; returns how many changed."""
    wanted = _documents(session, article)
    existing = {
        (row.kind, row.item_id): row
        for row in session.exec(
            select(SearchDocument).where(SearchDocument.article_id == article.id)
        )
    }
    changes = 0
    for key, stale in existing.items():
        if key not in wanted:
            session.delete(stale)
            changes += 1
    for (kind, item_id), values in wanted.items():
        row = existing.get((kind, item_id))
        if row is None:
            session.add(SearchDocument(kind=kind, item_id=item_id, **values))
            changes += 1
        elif any(getattr(row, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(row, name, value)
            changes += 1
    session.flush()
    return changes


def _documents(session: Session, article: Article) -> dict[tuple[SearchKind, int], dict[str, Any]]:
    """What the index should hold for `article`, in a stable order (article, answers, arguments)."""
    article_id = row_id(article)
    found: dict[tuple[SearchKind, int], dict[str, Any]] = {}

    def add(kind: SearchKind, item_id: int, text: str, response_id: int | None = None) -> None:
        found[kind, item_id] = {
            "article_id": article_id,
            "response_id": response_id,
            "argument_id": item_id if kind is SearchKind.ARGUMENT else None,
            "text": text,
            "terms": terms(text),
        }

    add(SearchKind.ARTICLE, article_id, article_text(article))
    for response in session.exec(
        select(Answer).where(Answer.article_id == article_id).order_by(col(Answer.position))
    ):
        add(SearchKind.RESPONSE, row_id(response), response.body, row_id(response))
    for argument in session.exec(
        select(Argument)
        .join(Answer, col(Answer.id) == Argument.response_id)
        .where(Answer.article_id == article_id)
        .order_by(col(Answer.position), col(Argument.position))
    ):
        add(SearchKind.ARGUMENT, row_id(argument), argument.text, argument.response_id)
    return found
