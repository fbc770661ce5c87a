"""Content negotiation: a 406 when `Accept` rules out every media type a route can produce.

A route produces its response class's media type (application/json) and every media type
documented in its `responses=` (problem documents: application/problem+json). An export
route declares another type by documenting it, e.g.
`responses={200: {"content": {"text/csv": {}}}}`; `preferred()` then picks the client's best.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

from fastapi import Request
from fastapi.datastructures import DefaultPlaceholder
from fastapi.routing import APIRoute, APIRouter

from app.http.problems import PROBLEM_JSON, ProblemError

DEFAULT_TYPES = ("application/json", PROBLEM_JSON)
Call = TypeVar("Call", bound=Callable[..., Any])
# Dependencies that let a route answer with more media types than it documents.
_EXTRA_TYPES: dict[Callable[..., Any], tuple[str, ...]] = {}


def also_produces(*media_types: str) -> Callable[[Call], Call]:
    """Mark a dependency: routes that use it can also answer with `media_types`."""

    def mark(call: Call) -> Call:
        _EXTRA_TYPES[call] = media_types
        return call

    return mark


@dataclass(frozen=True)
class MediaRange:
    type: str
    subtype: str
    q: float

    def matches(self, media_type: str) -> int:
        """How specifically this range matches `media_type`: 0 not at all, 3 exactly."""
        main, _, sub = media_type.partition("/")
        if self.type == "*":
            return 1
        if self.type != main:
            return 0
        if self.subtype == "*":
            return 2
        return 3 if self.subtype == sub else 0


def parse_accept(header: str) -> list[MediaRange]:
    """`text/csv;q=0.5, */*;q=0.1` -> media ranges; unreadable parts are skipped."""
    ranges: list[MediaRange] = []
    for part in header.split(",")[:50]:
        media, *params = (piece.strip() for piece in part.split(";"))
        main, slash, sub = media.lower().partition("/")
        if not slash or not main or not sub or (main == "*" and sub != "*"):
            continue
        q = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = min(max(float(value.strip()), 0.0), 1.0)
                except ValueError:
                    q = 1.0
        ranges.append(MediaRange(main, sub, q))
    return ranges


def quality(ranges: list[MediaRange], media_type: str) -> float:
    """The q of the most specific range matching `media_type` (RFC 9110 12.5.1)."""
    best = max(ranges, key=lambda r: r.matches(media_type), default=None)
    if best is None or best.matches(media_type) == 0:
        return 0.0
    return best.q


def preferred(accept: str | None, offered: Iterable[str]) -> str | None:
    """The offered type the client likes best (ties: offer order), or None if none is
    acceptable. No or an unreadable Accept header accepts anything: the first offer."""
    offers = list(offered)
    ranges = parse_accept(accept or "")
    if not ranges:
        return offers[0] if offers else None
    scored = [(quality(ranges, offer), -index, offer) for index, offer in enumerate(offers)]
    q, _, offer = max(scored, default=(0.0, 0, ""))
    return offer if q > 0 else None


def accept_key(accept: str, offered: Iterable[str]) -> str:
    """What of `accept` can change a response among `offered` types: the q-value each would
    get (which decides the type chosen, export formats included). Accept headers that differ
    only in what no route reads (order of equal ranges, unknown types, spacing) give the same
    key."""
    ranges = parse_accept(accept)
    return ",".join(f"{quality(ranges, offer):g}" for offer in offered) if ranges else ""


_PRODUCES: dict[tuple[str, str], tuple[str, ...]] = {}


def produces(route: APIRoute) -> tuple[str, ...]:
    """Media types `route` can answer with (memoized), its response class's first."""
    key = (route.path_format, route.name)
    if key not in _PRODUCES:
        response_class = route.response_class
        if isinstance(response_class, DefaultPlaceholder):
            response_class = response_class.value
        own = getattr(response_class, "media_type", None)
        found = [str(own)] if own else []
        for response in route.responses.values():
            found.extend(str(media) for media in response.get("content", {}))
        for dependency in route.dependant.dependencies:
            found.extend(_EXTRA_TYPES.get(dependency.call, ()) if dependency.call else ())
        # A response class without a media type (the downloads) produces what it documents.
        downloads = own is None and any(media != PROBLEM_JSON for media in found)
        found.extend(DEFAULT_TYPES[1:] if downloads else DEFAULT_TYPES)
        _PRODUCES[key] = tuple(dict.fromkeys(found))
    return _PRODUCES[key]


def all_produced(routes: Iterable[object]) -> tuple[str, ...]:
    """Every media type any of `routes` can answer with."""
    found: dict[str, None] = {}
    for route in routes:
        if isinstance(route, APIRoute):
            found.update(dict.fromkeys(produces(route)))
        elif isinstance(original := getattr(route, "original_router", None), APIRouter):
            found.update(dict.fromkeys(all_produced(original.routes)))  # an included router
    return tuple(found)


async def require_acceptable(request: Request) -> None:
    """406 when the client accepts none of the media types this route produces."""
    accept = request.headers.get("accept")
    route = request.scope.get("route")
    if not accept or not isinstance(route, APIRoute):
        return
    offered = produces(route)
    if preferred(accept, offered) is None:
        raise ProblemError(
            406,
            f"This resource is available as: {', '.join(offered)}.",
        )
