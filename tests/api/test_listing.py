"""The keyset condition: rows strictly after a cursor, in every mix of sort directions."""

import random
from itertools import product

import pytest
from sqlalchemy import Column, Integer, MetaData, Table, create_engine, insert, select

from app.queries.paging import SortKey, after_cursor, order_by

_metadata = MetaData()
_rows = Table(
    "rows",
    _metadata,
    Column("id", Integer, primary_key=True),
    Column("a", Integer, nullable=False),
    Column("b", Integer, nullable=False),
    Column("c", Integer, nullable=False),
)


@pytest.mark.parametrize("directions", list(product([False, True], repeat=3)))
def test_after_cursor_matches_the_sort_order(directions: tuple[bool, bool, bool]) -> None:
    rng = random.Random(sum(bit << i for i, bit in enumerate(directions)))
    engine = create_engine("sqlite://")
    _metadata.create_all(engine)
    data = [
        {"id": i, "a": rng.randint(0, 3), "b": rng.randint(0, 3), "c": rng.randint(0, 3)}
        for i in range(1, 201)
    ]
    keys = [
        SortKey(name, _rows.c[name], descending)
        for name, descending in zip("abc", directions, strict=True)
    ]
    with engine.connect() as connection:
        connection.execute(insert(_rows), data)
        ordered = connection.execute(select(_rows).order_by(*order_by(keys, _rows.c.id))).all()
        for position in rng.sample(range(len(ordered)), 25):
            cursor = [ordered[position]._mapping[key.name] for key in keys]
            cursor.append(ordered[position].id)
            after = connection.execute(
                select(_rows)
                .where(after_cursor(keys, _rows.c.id, cursor))
                .order_by(*order_by(keys, _rows.c.id))
            ).all()
            assert after == ordered[position + 1 :]
    engine.dispose()


def test_after_cursor_leads_with_a_range_on_the_first_key() -> None:
    keys = [SortKey("a", _rows.c.a, True), SortKey("b", _rows.c.b, False)]
    condition = str(after_cursor(keys, _rows.c.id, [1, 2, 3]).compile())
    assert condition.startswith("rows.a <= :a_1 AND (rows.a < :a_2 OR rows.b >= :b_1 AND")
