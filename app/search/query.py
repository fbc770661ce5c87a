"""A search query parsed once and compiled for both engines."""

from dataclasses import dataclass, field

from app.search.compile import canonical, positive_matches, to_fts5, to_tsquery
from app.search.grammar import parse
from app.search.nodes import Match, Node


@dataclass(frozen=True)
class SearchQuery:
    node: Node
    canonical: str = field(init=False)
    fts5: str = field(init=False)
    tsquery: str = field(init=False)
    matches: tuple[Match, ...] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "canonical", canonical(self.node))
        object.__setattr__(self, "fts5", to_fts5(self.node))
        object.__setattr__(self, "tsquery", to_tsquery(self.node))
        object.__setattr__(self, "matches", tuple(positive_matches(self.node)))


def parse_query(text: str) -> SearchQuery:
    """Raises app.search.grammar.QuerySyntaxError for malformed input."""
    return SearchQuery(parse(text))
