"""Domain errors: what the query layer raises when a request's parameters cannot be run as
asked. They name the parameter and the reason and know nothing of HTTP; app.http.problems
maps each to a problem document, in one place."""

from collections.abc import Sequence


class QueryError(Exception):
    """A parameter the query layer cannot use: which one, and why (a reason for each of its
    values that is wrong)."""

    def __init__(self, param: str, detail: str, *reasons: str) -> None:
        super().__init__(detail)
        self.param = param
        self.detail = detail
        self.reasons = reasons


class BadCursorError(QueryError):
    """A cursor that is malformed, altered, signed with another key, or from another query."""

    def __init__(self) -> None:
        super().__init__(
            "cursor",
            "The cursor is not valid for this query; start again without it.",
            "malformed, altered or foreign",
        )


class UnknownSortError(QueryError):
    """A sort key the list does not offer, or one given twice."""


class UnknownTagError(QueryError):
    """Tag slugs, asked for as a filter, that name no tag."""

    def __init__(self, slugs: Sequence[str]) -> None:
        super().__init__("tag", "Unknown tag.", *(f"no tag with slug {slug!r}" for slug in slugs))
