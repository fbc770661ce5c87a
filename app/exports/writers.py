"""The download bodies: CSV rows (flattened by a list's columns) and NDJSON lines."""

import csv
import io
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, TypeVar

from pydantic import BaseModel

Item = TypeVar("Item", bound=BaseModel)
Columns = Sequence[tuple[str, Callable[[Item], object]]]


def csv_lines(columns: Columns[Item], items: Iterable[Item], chunk: int = 100) -> Iterator[bytes]:
    """RFC 4180: a header row, CRLF line ends, fields quoted when needed, UTF-8."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([name for name, _ in columns])
    for count, item in enumerate(items, start=1):
        writer.writerow([cell(get(item)) for _, get in columns])
        if count % chunk == 0:
            yield _drain(buffer)
    yield _drain(buffer)


def ndjson_lines(columns: Columns[Item], items: Iterable[Item]) -> Iterator[bytes]:
    """Each item whole, as in the JSON list (the columns are the CSV's flattening)."""
    for item in items:
        yield item.model_dump_json().encode() + b"\n"


def cell(value: Any) -> str:
    """A CSV field: null is empty, lists are joined with ';'."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return ";".join(cell(part) for part in value)
    if hasattr(value, "isoformat"):
        return str(value.isoformat())
    return str(value)


def _drain(buffer: io.StringIO) -> bytes:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text.encode()
