"""Errors that point at a line of a source file."""


class ParseError(ValueError):
    """The source text is not a roundup; `line` is 1-based."""

    def __init__(self, line: int, reason: str) -> None:
        super().__init__(f"line {line}: {reason}")
        self.line = line
        self.reason = reason


class SourceError(ValueError):
    """A seed or annotation file is wrong: `path:line: reason` (`path: reason` when line is 0,
    for a file that cannot be read at all)."""

    def __init__(self, path: str, line: int, reason: str) -> None:
        super().__init__(f"{path}:{line}: {reason}" if line else f"{path}: {reason}")
        self.path = path
        self.line = line
        self.reason = reason
