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


# The columns that name a row where its surrogate id may differ between two databases.
NATURAL_KEYS = {
    "article": ("slug",),
    "expert": ("slug",),
    "organization": ("slug",),
    "tag": ("slug",),
    "response": ("article_id", "expert_id"),
    "affiliation": ("expert_id", "organization_id", "role"),
    "argument": ("response_id", "position"),
}
_KIND_TABLES = {"article": "article", "response": "response", "argument": "argument"}


def natural_snapshot(bind: Session | Connection) -> dict[str, list[tuple[Any, ...]]]:
    """Every table's rows with surrogate ids left out and each reference to a row replaced by
    that row's natural key (`loaded_at` and the data version left out too: they are times)."""
    keys: dict[str, dict[int, tuple[Any, ...]]] = {}
    found: dict[str, list[tuple[Any, ...]]] = {}
    for table in metadata.sorted_tables:
        if table.name in ("dataset_state", "deployment_secret"):  # times; random per database
            continue
        targets = {fk.parent.name: fk.column.table.name for fk in table.foreign_keys}
        keys[table.name] = {}
        rows = []
        for row in bind.execute(select(table).order_by(*table.primary_key.columns)):
            values = dict(row._mapping)
            for column, target in targets.items():
                if values[column] is not None:
                    values[column] = keys[target][values[column]]
            if table.name == "search_document":
                values["item_id"] = keys[_KIND_TABLES[str(values["kind"])]][values["item_id"]]
            if table.name in NATURAL_KEYS:
                keys[table.name][values["id"]] = tuple(
                    values[column] for column in NATURAL_KEYS[table.name]
                )
            for surrogate in ("id", "loaded_at"):
                if table.name in NATURAL_KEYS or table.name == "search_document":
                    values.pop(surrogate, None)
            rows.append(tuple(sorted(values.items())))
        found[table.name] = sorted(rows, key=repr)
    return found
