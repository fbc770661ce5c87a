"""Articles: the roundups themselves."""

from fastapi import APIRouter

from app import queries
from app.deps import ArticleDep, SessionDep
from app.problems import responses
from app.schemas import ArticleDetail

router = APIRouter(prefix="/v1/articles", tags=["articles"])


@router.get("/{slug}", response_model=ArticleDetail, responses=responses(404, 422))
def get_article(session: SessionDep, article: ArticleDep) -> ArticleDetail:
    """The whole roundup in one response: the article, and each expert's answer in printed
    order with the affiliations as printed, the stance, and the tagged arguments with their
    character spans in the answer body."""
    return queries.article_detail(session, article)
