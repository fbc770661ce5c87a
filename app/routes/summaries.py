"""Where the panel stands: per-article stance summaries, expert agreement, corpus stats."""

from fastapi import APIRouter, Response

from app.deps import ExpertDep, SessionDep, Slug, found_or_404
from app.http.problems import responses
from app.queries import agreement, stats, summary
from app.routes import V1_DEPENDENCIES, json_response
from app.schemas import ArticleStanceSummary, ExpertAgreement, Stats

router = APIRouter(prefix="/v1", tags=["summaries"], dependencies=V1_DEPENDENCIES)


@router.get(
    "/articles/{slug}/summary",
    response_model=ArticleStanceSummary,
    responses=responses(400, 404, 422),
)
def article_summary(session: SessionDep, slug: Slug, response: Response) -> Response:
    """Stance counts and shares (every stance, zeros included), the modal, plurality and
    majority stance, consensus measures (modal share, Herfindahl index, Shannon entropy,
    1 - normalized entropy; formulas in docs/api.md#summaries), the tags ranked by how many
    experts raised them, and an expert x tag matrix of argument counts for a heat map."""
    found = summary.article_summary(session, slug)
    return json_response(found_or_404(found, "article", slug), response)


@router.get(
    "/experts/{slug}/agreement",
    response_model=ExpertAgreement,
    responses=responses(400, 404, 422),
)
def expert_agreement(session: SessionDep, expert: ExpertDep, response: Response) -> Response:
    """Every other expert compared with this one across all loaded articles: the articles
    both answered, how often with the same stance, and the tags both raised (with the
    Jaccard index of their tag sets). Closest first."""
    return json_response(agreement.expert_agreement(session, expert), response)


@router.get("/stats", response_model=Stats, responses=responses(400))
def corpus_stats(session: SessionDep, response: Response) -> Response:
    """Corpus totals, and the stance distribution overall, by organization kind (of the
    top-level organization each answer was printed with) and by series."""
    return json_response(stats.stats(session), response)
