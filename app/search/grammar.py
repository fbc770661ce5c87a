"""The search query language, parsed into nodes. Anything malformed is a QuerySyntaxError.

    query   := or
    or      := and ("OR" and)*
    and     := unary (["AND"] unary)*          juxtaposition means AND
    unary   := ["NOT"] primary
    primary := word | word* | "a phrase" | "a phrase"* | "(" or ")"

AND, OR and NOT are operators only in capitals. A conjunction needs at least one term that
is not negated (`a NOT b`, never `NOT b` alone): both engines can only subtract from a match.
A word with inner punctuation (`cost-benefit`, `Moscow’s`, `U.S.`) is the phrase of its parts.
A prefix needs at least MIN_PREFIX letters or digits, and a query at most MAX_PREFIXES of them.
"""

from dataclasses import dataclass
from enum import Enum

from app.search.nodes import And, Match, Node, Or
from app.search.text import tokens

MAX_TERMS = 20
MAX_DEPTH = 8
# A prefix expands to every indexed word it starts; short ones expand to most of the index.
MIN_PREFIX = 3
MAX_PREFIXES = 4


class QuerySyntaxError(ValueError):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class Kind(Enum):
    TERM = "term"
    LPAREN = "("
    RPAREN = ")"
    AND = "AND"
    OR = "OR"
    NOT = "NOT"
    END = "end"


@dataclass(frozen=True)
class Lexeme:
    kind: Kind
    position: int
    match: Match | None = None


_OPERATORS = {"AND": Kind.AND, "OR": Kind.OR, "NOT": Kind.NOT}
_STOPS = set(' \t\r\n"()')


def parse(query: str) -> Node:
    """`query` as nodes; raises QuerySyntaxError naming the character at fault (1-based)."""
    return _Parser(list(_lex(query))).parse()


def _lex(query: str) -> list[Lexeme]:
    lexemes: list[Lexeme] = []
    index = 0
    while index < len(query):
        char = query[index]
        position = index + 1
        if char.isspace():
            index += 1
        elif char in "()":
            lexemes.append(Lexeme(Kind.LPAREN if char == "(" else Kind.RPAREN, position))
            index += 1
        elif char == '"':
            close = query.find('"', index + 1)
            if close == -1:
                raise QuerySyntaxError(f"the quote at character {position} is never closed")
            inner = query[index + 1 : close]
            index = close + 1
            prefix = query.startswith("*", index)
            index += prefix
            words = tuple(token.term for token in tokens(inner))
            if not words:
                raise QuerySyntaxError(
                    f"the phrase at character {position} has no letters or digits"
                )
            lexemes.append(Lexeme(Kind.TERM, position, Match(words, prefix)))
        else:
            end = index
            while end < len(query) and query[end] not in _STOPS and not query[end].isspace():
                end += 1
            lexemes.append(_word(query[index:end], position))
            index = end
    lexemes.append(Lexeme(Kind.END, len(query) + 1))
    return lexemes


def _word(raw: str, position: int) -> Lexeme:
    if raw in _OPERATORS:
        return Lexeme(_OPERATORS[raw], position)
    prefix = raw.endswith("*")
    body = raw[:-1] if prefix else raw
    if "*" in body:
        raise QuerySyntaxError(
            f"'*' at character {position + body.index('*')} is not at the end of a word;"
            " write sanct* for words starting with 'sanct'"
        )
    words = tuple(token.term for token in tokens(body))
    if body[:1] in ("-", "!") and words:
        raise QuerySyntaxError(
            f"{raw!r} at character {position}: to leave out a word, write NOT {body[1:]}"
        )
    if not words:
        if prefix and not body:
            raise QuerySyntaxError(f"'*' at character {position} needs letters before it")
        raise QuerySyntaxError(
            f"{raw!r} at character {position} has no letters or digits;"
            " the operators are AND, OR, NOT (in capitals)"
        )
    return Lexeme(Kind.TERM, position, Match(words, prefix))


class _Parser:
    def __init__(self, lexemes: list[Lexeme]) -> None:
        self.lexemes = lexemes
        self.index = 0
        self.depth = 0
        self.terms = 0
        self.prefixes = 0

    def peek(self) -> Lexeme:
        return self.lexemes[self.index]

    def take(self) -> Lexeme:
        lexeme = self.lexemes[self.index]
        self.index += 1
        return lexeme

    def parse(self) -> Node:
        if self.peek().kind is Kind.END:
            raise QuerySyntaxError("the query is empty")
        node = self.or_()
        stray = self.peek()
        if stray.kind is Kind.RPAREN:
            raise QuerySyntaxError(f"')' at character {stray.position} has no matching '('")
        return node

    def or_(self) -> Node:
        options = [self.and_()]
        while self.peek().kind is Kind.OR:
            operator = self.take()
            self.need_right_operand(operator)
            options.append(self.and_())
        return options[0] if len(options) == 1 else Or(tuple(options))

    def and_(self) -> Node:
        include: list[Node] = []
        exclude: list[Node] = []
        start = self.peek()
        self.unary(include, exclude)
        while self.peek().kind not in (Kind.END, Kind.RPAREN, Kind.OR):
            if self.peek().kind is Kind.AND:
                self.need_right_operand(self.take())
            self.unary(include, exclude)
        if not include:
            raise QuerySyntaxError(
                f"NOT at character {start.position} has nothing to leave out from;"
                " write a NOT b, not NOT b alone"
            )
        if len(include) == 1 and not exclude:
            return include[0]
        return And(tuple(include), tuple(exclude))

    def unary(self, include: list[Node], exclude: list[Node]) -> None:
        if self.peek().kind is not Kind.NOT:
            include.append(self.primary())
            return
        operator = self.take()
        if self.peek().kind not in (Kind.TERM, Kind.LPAREN):
            raise QuerySyntaxError(
                f"NOT at character {operator.position} must be followed by a word,"
                " a phrase or a group"
            )
        exclude.append(self.primary())

    def primary(self) -> Node:
        lexeme = self.take()
        if lexeme.kind is Kind.TERM and lexeme.match is not None:
            self.terms += 1
            if self.terms > MAX_TERMS:
                raise QuerySyntaxError(f"the query has more than {MAX_TERMS} terms")
            if lexeme.match.prefix:
                self.count_prefix(lexeme.match, lexeme.position)
            return lexeme.match
        if lexeme.kind is Kind.LPAREN:
            return self.group(lexeme)
        if lexeme.kind is Kind.RPAREN:
            raise QuerySyntaxError(f"')' at character {lexeme.position} has no matching '('")
        if lexeme.kind is Kind.END:
            raise QuerySyntaxError("the query ends where a word or phrase is expected")
        raise QuerySyntaxError(
            f"{lexeme.kind.value} at character {lexeme.position} needs a word or phrase on its left"
        )

    def count_prefix(self, match: Match, position: int) -> None:
        if len(match.words[-1]) < MIN_PREFIX:
            raise QuerySyntaxError(
                f"the prefix {match.words[-1]}* at character {position} is shorter than"
                f" {MIN_PREFIX} letters or digits"
            )
        self.prefixes += 1
        if self.prefixes > MAX_PREFIXES:
            raise QuerySyntaxError(f"the query has more than {MAX_PREFIXES} prefix terms")

    def group(self, opening: Lexeme) -> Node:
        if self.peek().kind is Kind.RPAREN:
            raise QuerySyntaxError(f"the parentheses at character {opening.position} are empty")
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise QuerySyntaxError(f"parentheses nest deeper than {MAX_DEPTH} levels")
        node = self.or_()
        if self.take().kind is not Kind.RPAREN:
            raise QuerySyntaxError(f"'(' at character {opening.position} is never closed")
        self.depth -= 1
        return node

    def need_right_operand(self, operator: Lexeme) -> None:
        if self.peek().kind not in (Kind.TERM, Kind.LPAREN, Kind.NOT):
            raise QuerySyntaxError(
                f"{operator.kind.value} at character {operator.position} needs a word or"
                " phrase on its right"
            )
