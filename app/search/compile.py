"""Parsed queries -> FTS5 MATCH syntax, PostgreSQL tsquery syntax, and a canonical form.

Words are folded letters and digits only (see app.search.text), so quoting them needs no
escaping. Compound operands are always parenthesized: precedence never decides anything.
"""

from collections.abc import Iterator

from app.search.nodes import Match, Node, Or


def to_fts5(node: Node) -> str:
    """For `search_fts MATCH ?`: `"frozen assets"`, `"sanct"*`, `(a) NOT (b)`."""
    if isinstance(node, Match):
        return '"' + " ".join(node.words) + '"' + ("*" if node.prefix else "")
    if isinstance(node, Or):
        return " OR ".join(_group(to_fts5(option), option) for option in node.options)
    included = " AND ".join(_group(to_fts5(part), part) for part in node.include)
    if not node.exclude:
        return included
    excluded = " OR ".join(_group(to_fts5(part), part) for part in node.exclude)
    return f"({included}) NOT ({excluded})"


def to_tsquery(node: Node) -> str:
    """For `to_tsquery('simple', ?)`: `'frozen' <-> 'assets'`, `'sanct':*`, `a & !(b)`."""
    if isinstance(node, Match):
        words = [f"'{word}'" for word in node.words]
        if node.prefix:
            words[-1] += ":*"
        return " <-> ".join(words)
    if isinstance(node, Or):
        return " | ".join(_group(to_tsquery(option), option) for option in node.options)
    parts = [_group(to_tsquery(part), part) for part in node.include]
    parts += [f"!({to_tsquery(part)})" for part in node.exclude]
    return " & ".join(parts)


def canonical(node: Node) -> str:
    """How the query was understood, in the query language itself."""
    if isinstance(node, Match):
        text = " ".join(node.words)
        quoted = f'"{text}"' if len(node.words) > 1 else text
        return quoted + ("*" if node.prefix else "")
    if isinstance(node, Or):
        return " OR ".join(_group(canonical(option), option) for option in node.options)
    parts = [_group(canonical(part), part) for part in node.include]
    parts += [f"NOT {_group(canonical(part), part)}" for part in node.exclude]
    return " AND ".join(parts)


def positive_matches(node: Node) -> Iterator[Match]:
    """The words and phrases a hit contains (those under NOT are absent): what snippets mark."""
    if isinstance(node, Match):
        yield node
    elif isinstance(node, Or):
        for option in node.options:
            yield from positive_matches(option)
    else:
        for part in node.include:
            yield from positive_matches(part)


def _group(text: str, node: Node) -> str:
    return text if isinstance(node, Match) else f"({text})"
