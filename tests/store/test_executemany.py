"""The store's bulk writes: SQLite rows of plain values go straight to the driver, anything a
column type must convert (JSON) goes through SQLAlchemy, and both store the same thing."""

from __future__ import annotations

from sqlalchemy import bindparam, event, insert, select, update

from wirewatch.store import _executemany
from wirewatch.store.schema import actors, mention_cells


def _statements(store):
    """(SQL, executemany, compiled by SQLAlchemy) of every statement the store's engine sends
    to the driver."""
    seen: list[tuple[str, bool, bool]] = []

    @event.listens_for(store.engine, "before_cursor_execute")
    def record(conn, cursor, statement, parameters, context, executemany):
        seen.append((statement, executemany, context.compiled is not None))

    return seen


def test_plain_rows_go_to_the_driver_in_one_executemany(store):
    rows = [{"cell": f"c{i}", "mention_id": f"m{i}"} for i in range(50)]
    seen = _statements(store)
    with store.engine.begin() as conn:
        _executemany(conn, insert(mention_cells), rows)
        # An update keyed by a bound parameter, as the relink assigns ids.
        stmt = (
            update(mention_cells)
            .where(mention_cells.c.mention_id == bindparam("k"))
            .values({"cell": bindparam("v")})
        )
        _executemany(conn, stmt, [{"k": "m3", "v": "moved"}, {"k": "m4", "v": "c44"}])
    with store.engine.connect() as conn:
        stored = dict(conn.execute(select(mention_cells.c.mention_id, mention_cells.c.cell)).all())
    assert len(stored) == 50
    assert stored["m0"] == "c0" and stored["m3"] == "moved" and stored["m4"] == "c44"
    # One executemany per call, sent as driver SQL: SQLAlchemy compiled no statement for it,
    # so it did not process the rows' parameters one by one.
    writes = [w for w in seen if w[0].startswith(("INSERT", "UPDATE"))]
    assert writes == [
        ("INSERT INTO mention_cells (cell, mention_id) VALUES (?, ?)", True, False),
        ("UPDATE mention_cells SET cell=? WHERE mention_cells.mention_id = ?", True, False),
    ]


def test_json_columns_keep_sqlalchemy_conversion(store):
    seen = _statements(store)
    rows = [
        {"id": "a:1", "name": "Alpha", "kind": "person", "stats": {"names": {"Alpha": 2}}},
        {"id": "a:2", "name": "Beta", "kind": "person", "stats": None},
    ]
    with store.engine.begin() as conn:
        _executemany(conn, insert(actors), rows)
    with store.engine.connect() as conn:
        got = {r.id: r.stats for r in conn.execute(select(actors.c.id, actors.c.stats))}
        raw = dict(conn.exec_driver_sql("SELECT id, stats FROM actors").all())
    assert got == {"a:1": {"names": {"Alpha": 2}}, "a:2": None}
    assert raw["a:1"] == '{"names":{"Alpha":2}}'  # serialised (orjson, compact), not a repr
    assert [w[2] for w in seen if w[0].startswith("INSERT")] == [True]


def test_reassign_writes_only_the_rows_that_change(store):
    from wirewatch.store import _reassign
    from wirewatch.store.schema import articles

    rows = [
        {"id": f"a{i}", "text": "x", "content_hash": f"h{i}", "ingested_at": "2026-12-01"}
        for i in range(5)
    ]
    with store.engine.begin() as conn:
        _executemany(conn, insert(articles), rows)
        _reassign(conn, articles, ("id",), "story", {("a0",): "s1", ("a1",): "s1", ("a2",): "s2"})
    sizes: list[int] = []

    @event.listens_for(store.engine, "before_cursor_execute")
    def record(conn, cursor, statement, parameters, context, executemany):
        if statement.startswith("UPDATE"):
            sizes.append(len(parameters) if executemany else 1)

    with store.engine.begin() as conn:
        # a0 keeps its story, a1 moves, a2 loses its story, a3 gains one, a4 stays without
        _reassign(conn, articles, ("id",), "story", {("a0",): "s1", ("a1",): "s2", ("a3",): "s3"})
        stored = dict(conn.execute(select(articles.c.id, articles.c.story)).all())
    assert stored == {"a0": "s1", "a1": "s2", "a2": None, "a3": "s3", "a4": None}
    assert sizes == [3]  # the three rows that change, in one executemany; no table-wide UPDATE


def test_fast_reads_give_what_sqlalchemy_gives(store):
    from wirewatch.store import _fast_rows

    rows = [
        {"id": f"a:{i}", "name": f"Name {i}", "kind": "person",
         "stats": {"names": {f"Name {i}": i}} if i % 3 else None}
        for i in range(700)
    ]  # fmt: skip
    wanted = [f"a:{i}" for i in range(0, 700, 2)] + ["a:missing"]
    stmt = (
        select(actors.c.id, actors.c.stats, actors.c.name)
        .where(actors.c.id.in_(wanted), actors.c.kind == "person")
        .order_by(actors.c.id)
    )
    with store.engine.begin() as conn:
        _executemany(conn, insert(actors), rows)
        seen = _statements(store)
        # Inside the transaction that wrote them, before it commits.
        fast = [tuple(r) for r in _fast_rows(conn, stmt)]
        assert [s for s in seen if s[0].startswith("SELECT")] == []  # the driver's own cursor
        slow = [tuple(r) for r in conn.execute(stmt)]
    assert fast == slow
    assert len(fast) == 350
    assert dict((r[0], r[1]) for r in fast)["a:2"] == {"names": {"Name 2": 2}}  # JSON decoded
    assert dict((r[0], r[1]) for r in fast)["a:0"] is None
