"""Schemas of the curated YAML files in seed/ (tags, organizations, annotations).

Every mapping read from YAML carries the line it starts on, so a bad value is reported as
`file:line: reason`.
"""

import re
from pathlib import Path
from typing import Any, Literal, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from app.ingest.errors import SourceError
from app.models import ArgumentKind, Stance

LINE_KEY = "__line__"
KEY_LINES = "__key_lines__"
T = TypeVar("T", bound=BaseModel)
OrganizationKind = Literal[
    "university", "think_tank", "research_unit", "government", "media", "other", "unknown"
]


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    line: int = Field(alias=LINE_KEY)
    key_lines: dict[str, int] = Field(default_factory=dict, alias=KEY_LINES, exclude=True)

    def line_of(self, key: str) -> int:
        """The line where `key` is written, or the mapping's own line."""
        return self.key_lines.get(key, self.line)


class TagSpec(_Spec):
    slug: str = Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")
    label: str
    category: str
    description: str
    patterns: tuple[str, ...] = Field(
        default=(),
        description="Regular expressions (case-insensitive, written for word stems) that the"
        " rules annotator searches each sentence for; any match assigns the tag.",
    )

    requires: tuple[str, ...] = Field(
        default=(),
        description="Regular expressions for the tag's context: when given, a sentence gets"
        " the tag only if it also contains one of them (Russia for a tag about ties with"
        " Russia).",
    )

    @field_validator("patterns", "requires")
    @classmethod
    def _patterns_compile(cls, patterns: tuple[str, ...]) -> tuple[str, ...]:
        for pattern in patterns:
            try:
                re.compile(pattern, re.IGNORECASE)
            except re.error as error:
                raise ValueError(f"invalid regular expression {pattern!r}: {error}") from None
        return patterns


class OrganizationSpec(_Spec):
    slug: str = Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")
    name: str
    short_name: str | None = None
    kind: OrganizationKind
    parent: str | None = None
    aliases: tuple[str, ...] = ()


class ExpertSpec(_Spec):
    """An expert printed under several names (seed/experts.yaml)."""

    slug: str = Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")
    name: str = Field(description="The canonical name, shown by the API.")
    variants: tuple[str, ...] = Field(default=(), description="Other names as printed.")


class ArgumentSpec(_Spec):
    text: str = Field(min_length=1)
    kind: ArgumentKind
    tags: tuple[str, ...] = Field(min_length=1)


class ResponseSpec(_Spec):
    expert: str
    stance: Stance
    stance_phrase: str | None = None
    arguments: tuple[ArgumentSpec, ...] = ()


class AnnotationSpec(_Spec):
    article: str
    annotator: Literal["curated"]
    publisher: str | None = None
    source_url: str | None = None
    responses: tuple[ResponseSpec, ...]


class StanceCaseSpec(_Spec):
    """One opening of the stance test set, with the stance a careful reader gives it."""

    opening: str = Field(min_length=1)
    stance: Stance
    kind: str = Field(alias="class")


class TopicSpec(_Spec):
    """A synthetic topic roundup: the tags its rules annotation must carry, and absurd ones."""

    file: str = Field(min_length=1)
    expected: tuple[str, ...] = Field(min_length=1)
    forbidden: tuple[str, ...] = ()


class _LineLoader(yaml.SafeLoader):
    """SafeLoader that records where each mapping and each of its keys start."""


def _mapping_with_line(loader: _LineLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    mapping: dict[Any, Any] = loader.construct_mapping(node, deep=True)
    mapping[LINE_KEY] = node.start_mark.line + 1
    mapping[KEY_LINES] = {str(key.value): key.start_mark.line + 1 for key, _ in node.value}
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping_with_line)


def read_yaml(path: Path) -> Any:
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=_LineLoader)  # noqa: S506
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark
        raise SourceError(str(path), mark.line + 1 if mark else 1, str(error.problem)) from None
    except (OSError, UnicodeDecodeError) as error:
        raise SourceError(str(path), 1, f"cannot read: {error}") from None


def validate(model: type[T], data: Any, path: Path) -> T:
    """Validate `data` as `model`, turning the first error into a SourceError with its line."""
    try:
        return model.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        line = _line_of(data, first["loc"])
        raise SourceError(str(path), line, f"{where or 'file'}: {first['msg']}") from None


def validate_list(model: type[T], data: Any, path: Path) -> list[T]:
    if not isinstance(data, list):
        raise SourceError(str(path), 1, "expected a list of entries")
    return [validate(model, item, path) for item in data]


def _line_of(data: Any, loc: tuple[int | str, ...]) -> int:
    """The line of the innermost key or mapping on the error's path."""
    line = data.get(LINE_KEY, 1) if isinstance(data, dict) else 1
    node = data
    for part in loc:
        if isinstance(node, dict):
            line = node.get(KEY_LINES, {}).get(part, line)
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            break
        if isinstance(node, dict):
            line = node.get(LINE_KEY, line)
    return int(line)
