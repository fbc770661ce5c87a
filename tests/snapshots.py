"""Whole-database snapshots, to prove that a load changed exactly what it should."""

from typing import Any

from sqlalchemy import Connection, select
from sqlmodel import Session

from app.models import metadata


def snapshot(bind: Session | Connection) -> dict[str, list[tuple[Any, ...]]]:
    return {
        table.name: [
            tuple(row) for row in bind.execute(select(table).order_by(*table.primary_key.columns))
        ]
        for table in metadata.sorted_tables
    }
