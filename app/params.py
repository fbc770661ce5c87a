"""Query parameters shared by list endpoints, parsed without the database; unknown ones rejected."""

from collections.abc import Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any, Literal

from fastapi import Query, Request
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from pydantic import AfterValidator

from app.filters import ResponseFilters
from app.http.problems import InvalidParam, ProblemError
from app.models import ArgumentKind, SearchKind, Stance
from app.queries.paging import MAX_LIMIT
from app.search.grammar import QuerySyntaxError
from app.search.query import SearchQuery, parse_query

# The page size cap of the app serving the request. A validator sees only its value, so the
# cap reaches it this way: set by `max_page_size`, a dependency of every /v1 route, before
# FastAPI validates the route's own parameters.
_max_page_size: ContextVar[int] = ContextVar("max_page_size", default=MAX_LIMIT)


async def max_page_size(request: Request) -> None:
    """Let `Limit` check the app's cap (ROUNDUP_MAX_PAGE_SIZE). Async: it runs in the
    request's own context, which the validation that follows shares (a sync dependency
    would set it in a worker thread's copy)."""
    _max_page_size.set(request.app.state.settings.max_page_size)


def _within_max_page_size(limit: int) -> int:
    """The deployment may lower the page size cap below MAX_LIMIT."""
    cap = _max_page_size.get()
    if limit > cap:
        raise ValueError(f"Input should be less than or equal to {cap}")
    return limit


Limit = Annotated[
    int,
    Query(
        ge=1,
        le=MAX_LIMIT,
        description=f"Page size, 1 to {MAX_LIMIT} (or the deployment's lower cap)."
        " Larger is a 422.",
    ),
    AfterValidator(_within_max_page_size),
]
Cursor = Annotated[
    str | None,
    Query(
        max_length=1000,
        description="Opaque cursor from `next_cursor` of the previous page (same filters and"
        " sort). An altered cursor is a 400.",
    ),
]
Facets = Annotated[
    str | None,
    Query(
        max_length=200,
        description="Comma-separated facets to count over the filtered set, e.g. `stance,tag`.",
    ),
]
CommaList = Annotated[list[str], Query()]


async def reject_unknown_params(request: Request) -> None:
    """A typo such as `stnace=yes` is a 400 naming it, never a silently unfiltered list.
    (Async: it does no I/O, so it need not hop to the thread pool.)"""
    route = request.scope.get("route")
    if not isinstance(route, APIRoute):
        return
    accepted = _accepted(route.path_format, route.name, route.dependant)
    unknown = sorted(name for name in set(request.query_params) - accepted if not ignored(name))
    if unknown:
        raise ProblemError(
            400,
            f"Unknown query parameter(s): {', '.join(unknown)}.",
            invalid_params=[
                InvalidParam(
                    name=name[:100],
                    reason=f"not accepted here; accepted: {', '.join(sorted(accepted)) or 'none'}",
                )
                for name in unknown[:20]
            ],
        )


def ignored(name: str) -> bool:
    """Parameters any URL may carry and that change nothing: `_` (the cache-buster jQuery
    and others append) and `utm_*` (campaign tracking on shared links). They stay part of
    the URL, so of the ETag and the next-page Link."""
    return name == "_" or name.startswith("utm_")


_ACCEPTED: dict[tuple[str, str], frozenset[str]] = {}


def _accepted(path: str, name: str, dependant: Dependant) -> frozenset[str]:
    """Query parameter names the route declares, its dependencies' included (memoized)."""
    if (path, name) in _ACCEPTED:
        return _ACCEPTED[path, name]
    names: set[str] = set()
    pending: list[Dependant] = [dependant]
    while pending:
        dependant = pending.pop()
        names.update(str(param.alias) for param in dependant.query_params)
        pending.extend(dependant.dependencies)
    _ACCEPTED[path, name] = frozenset(names)
    return _ACCEPTED[path, name]


def split_commas(values: Sequence[str] | None) -> tuple[str, ...]:
    """`?a=x,y&a=z` -> ('x', 'y', 'z'), blanks dropped, order kept, duplicates removed."""
    found: list[str] = []
    for value in values or ():
        for part in value.split(","):
            part = part.strip()
            if part and part not in found:
                found.append(part)
    return tuple(found)


def choose_facets(value: str | None, allowed: Sequence[str]) -> tuple[str, ...]:
    names = split_commas([value] if value else [])
    bad = [name for name in names if name not in allowed]
    if bad:
        raise ProblemError(
            422,
            "Unknown facet.",
            invalid_params=[
                InvalidParam(name="facets", reason=f"{name!r} is not one of: {', '.join(allowed)}")
                for name in bad
            ],
        )
    return names


def _enum_values(name: str, values: tuple[str, ...], enum: Any) -> tuple[Any, ...]:
    allowed = [member.value for member in enum]
    bad = [value for value in values if value not in allowed]
    if bad:
        raise ProblemError(
            422,
            f"Unknown {name} value.",
            invalid_params=[
                InvalidParam(name=name, reason=f"{value!r} is not one of: {', '.join(allowed)}")
                for value in bad
            ],
        )
    return tuple(enum(value) for value in values)


@dataclass(frozen=True)
class FilterParams:
    """The response filters as the request gives them, split; `filters` finishes the parse
    once the tags are known to exist and the organizations' units are known."""

    article: tuple[str, ...]
    expert: tuple[str, ...]
    organization: tuple[str, ...]
    stance: tuple[str, ...]
    tag: tuple[str, ...]
    tag_match: Literal["any", "all"]
    published_from: date | None
    published_to: date | None

    def filters(self, organization_ids: tuple[int, ...]) -> ResponseFilters:
        """The typed filters. The stances are checked here, after the tag lookup, so that a
        request with an unknown tag and an unknown stance is answered about the tag."""
        return ResponseFilters(
            article=self.article,
            expert=self.expert,
            organization=self.organization,
            organization_ids=organization_ids,
            stance=_enum_values("stance", self.stance, Stance),
            tag=self.tag,
            tag_match=self.tag_match,
            published_from=self.published_from,
            published_to=self.published_to,
        )


async def response_filter_params(
    article: Annotated[
        list[str] | None, Query(description="Article slug(s); repeat or comma-separate.")
    ] = None,
    expert: Annotated[
        list[str] | None, Query(description="Expert slug(s); repeat or comma-separate.")
    ] = None,
    organization: Annotated[
        list[str] | None,
        Query(
            description="Organization slug(s): responses printed with that organization or"
            " any of its units."
        ),
    ] = None,
    stance: Annotated[
        list[str] | None,
        Query(description="Stance(s), comma-separated: " + ", ".join(s.value for s in Stance)),
    ] = None,
    tag: Annotated[
        list[str] | None,
        Query(description="Tag slug(s), repeatable; matches any of them unless `tag_match=all`."),
    ] = None,
    tag_match: Annotated[
        Literal["any", "all"], Query(description="Whether every tag must match, or any.")
    ] = "any",
    published_from: Annotated[
        date | None, Query(description="Articles published on or after this date.")
    ] = None,
    published_to: Annotated[
        date | None, Query(description="Articles published on or before this date.")
    ] = None,
) -> FilterParams:
    """The filters /v1/responses, /v1/arguments and /v1/search share (app.deps.FiltersDep
    looks up what they name). No I/O: async, so it need not hop to the thread pool."""
    return FilterParams(
        article=split_commas(article),
        expert=split_commas(expert),
        organization=split_commas(organization),
        stance=split_commas(stance),
        tag=split_commas(tag),
        tag_match=tag_match,
        published_from=published_from,
        published_to=published_to,
    )


async def argument_kinds(
    kind: Annotated[
        list[str] | None,
        Query(description="Argument kind(s): " + ", ".join(k.value for k in ArgumentKind)),
    ] = None,
) -> tuple[ArgumentKind, ...]:
    return _enum_values("kind", split_commas(kind), ArgumentKind)


QUERY_HELP = (
    'Full-text query: words (all must match), "a phrase", prefix*, AND, OR, NOT (capitals)'
    ' and (parentheses), e.g. `"frozen assets" OR sanct*`. Case, accents and punctuation'
    " are ignored. See docs/api.md#search."
)


def _text_query(value: str) -> SearchQuery:
    try:
        return parse_query(value)
    except QuerySyntaxError as error:
        raise ProblemError(
            422,
            "The search query is malformed.",
            invalid_params=[InvalidParam(name="q", reason=error.reason)],
        ) from None


async def optional_text_query(
    q: Annotated[str | None, Query(max_length=500, description=QUERY_HELP)] = None,
) -> SearchQuery | None:
    return None if q is None else _text_query(q)


async def required_text_query(
    q: Annotated[str, Query(max_length=500, description=QUERY_HELP)],
) -> SearchQuery:
    return _text_query(q)


async def search_kinds(
    kind: Annotated[
        list[str] | None,
        Query(
            alias="type",
            description="Hit type(s): "
            + ", ".join(k.value for k in SearchKind)
            + ". Default: all.",
        ),
    ] = None,
) -> tuple[SearchKind, ...]:
    return _enum_values("type", split_commas(kind), SearchKind) or tuple(SearchKind)
