"""The parsed search query: words and phrases combined with AND, OR and NOT."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Match:
    """Consecutive folded words (one for a plain term); `prefix` applies to the last one."""

    words: tuple[str, ...]
    prefix: bool = False


@dataclass(frozen=True)
class And:
    """Every `include` matches and no `exclude` does; `include` is never empty."""

    include: tuple["Node", ...]
    exclude: tuple["Node", ...] = ()


@dataclass(frozen=True)
class Or:
    options: tuple["Node", ...]


Node = Match | And | Or
