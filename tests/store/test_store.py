import threading

from sqlalchemy import inspect

from wirewatch.engine import ingest
from wirewatch.store import Store
from wirewatch.store.records import article_records, event_records

ARTICLE = (
    '{"id": "n1", "published": "2024-09-02T10:00:00+09:00", "outlet": "Harbor Ledger", '
    '"text": "Japanese Foreign Minister Yoko Kamikawa met Philippine Foreign Secretary '
    'Enrique Manalo in Manila on Monday."}\n'
)


def test_open_migrates_and_is_versioned(tmp_path):
    store = Store.open(str(tmp_path / "a.db"))
    assert store.schema_version() == "0011"
    tables = set(inspect(store.engine).get_table_names())
    assert {"articles", "mentions", "events", "actors", "alembic_version", "ledger_state"} <= tables
    assert Store.open(str(tmp_path / "a.db")).schema_version() == "0011"
    assert "actors" in {c["name"] for c in inspect(store.engine).get_columns("stories")}


def test_sqlite_ddl_is_transactional(tmp_path):
    # A migration killed half-way must leave no half schema: DDL rolls back like DML.
    store = Store.open(str(tmp_path / "a.db"))
    try:
        with store.engine.begin() as conn:
            conn.exec_driver_sql("CREATE TABLE half_migrated (x INTEGER)")
            raise RuntimeError("killed")
    except RuntimeError:
        pass
    assert "half_migrated" not in inspect(store.engine).get_table_names()


def test_sqlite_runs_in_wal_mode(store):
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"


def test_reingest_adds_nothing_and_copies_are_duplicates(tmp_path, store, analyser):
    src = tmp_path / "in.jsonl"
    src.write_text(ARTICLE, encoding="utf-8")
    first = ingest([src], store, analyser)
    assert (first.new, first.failed) == (1, 0)
    events_before = list(event_records(store))
    assert events_before
    again = ingest([src], store, analyser)
    assert (again.new, again.unchanged) == (0, 1)
    assert list(event_records(store)) == events_before

    copy = tmp_path / "copy.jsonl"
    copy.write_text(ARTICLE.replace('"n1"', '"n1-syndicated"'), encoding="utf-8")
    third = ingest([copy], store, analyser)
    assert third.duplicate == 1
    arts = {a["id"]: a for a in article_records(store)}
    assert arts["n1-syndicated"]["duplicate_of"] == "n1"
    events_after = list(event_records(store))
    assert [e["articles"] for e in events_after] == [e["articles"] for e in events_before]


def test_same_id_different_text_in_one_input_is_an_error(tmp_path, store, analyser):
    src = tmp_path / "in.jsonl"
    src.write_text(ARTICLE + ARTICLE.replace("on Monday", "on Tuesday"), encoding="utf-8")
    summary = ingest([src], store, analyser)
    assert summary.new == 1 and summary.failed == 1
    assert summary.errors[0].code.name == "E016"


def test_ids_stay_stable_when_an_earlier_report_arrives(tmp_path, store, analyser):
    later = tmp_path / "later.jsonl"
    later.write_text(
        '{"id": "late", "published": "2024-09-03T10:00:00+00:00", "outlet": "Pacific Wire", '
        '"text": "Yoko Kamikawa, Japan\'s foreign minister, met Enrique Manalo, the Philippine '
        'foreign secretary, in Manila on Monday."}\n',
        encoding="utf-8",
    )
    ingest([later], store, analyser)
    before = {e["id"]: set(e["articles"]) for e in event_records(store)}
    story_before = {a["id"]: a["story"] for a in article_records(store)}
    earlier = tmp_path / "earlier.jsonl"
    earlier.write_text(ARTICLE.replace('"n1"', '"early"'), encoding="utf-8")
    ingest([earlier], store, analyser)
    after = {e["id"]: set(e["articles"]) for e in event_records(store)}
    merged = [eid for eid, arts in after.items() if arts == {"early", "late"}]
    assert merged and merged[0] in before  # the event kept its id and gained a source
    assert {a["id"]: a["story"] for a in article_records(store)}["late"] == story_before["late"]


def test_process_pool_gives_the_same_ledger(tmp_path, analyser):
    from wirewatch.engine.runners import ProcessPool

    src = tmp_path / "in.jsonl"
    lines = [ARTICLE] + [
        ARTICLE.replace('"n1"', f'"n{k}"').replace("on Monday", f"on Monday with {k} aides")
        for k in range(2, 6)
    ]
    src.write_text("".join(lines), encoding="utf-8")
    serial = Store.open(str(tmp_path / "serial.db"))
    ingest([src], serial, analyser)
    pooled = Store.open(str(tmp_path / "pooled.db"))
    with ProcessPool(2, chunk_size=2) as pool:
        ingest([src], pooled, pool)
    assert list(event_records(pooled)) == list(event_records(serial))


def _snapshot_holds(store: Store, analyser: object, tmp_path) -> None:
    from sqlalchemy import func, select

    from wirewatch.store.schema import articles

    def count() -> int:
        with store.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(articles)).scalar_one())

    first = tmp_path / "first.jsonl"
    first.write_text(ARTICLE, encoding="utf-8")
    ingest([first], store, analyser)  # type: ignore[arg-type]
    with store.snapshot():
        assert count() == 1
        more = tmp_path / "more.jsonl"
        more.write_text(ARTICLE.replace('"n1"', '"n2"').replace("Monday", "Friday"), "utf-8")
        # Another thread, as another request would be: it writes and commits meanwhile.
        writer = threading.Thread(target=ingest, args=([more], store, analyser))
        writer.start()
        writer.join()
        assert count() == 1  # still the state the snapshot began with
    assert count() == 2


def test_snapshot_reads_one_state_sqlite(tmp_path, analyser):
    _snapshot_holds(Store.open(str(tmp_path / "snap.db")), analyser, tmp_path)


def test_snapshot_reads_one_state_postgres(tmp_path, analyser, fresh_pg_url):
    _snapshot_holds(Store.open(fresh_pg_url), analyser, tmp_path)


def test_the_version_probe_never_waits_for_a_server_that_does_not_answer():
    """A server asks the probe in its event loop: with a database server that takes the TCP
    connection and never answers, every call returns None at once, and one background thread
    (not one per call) keeps trying to connect."""
    import socket
    import time
    from types import SimpleNamespace

    from sqlalchemy import create_engine

    from wirewatch.store import VersionProbe

    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)  # the kernel completes the handshake; nobody reads or answers
    port = silent.getsockname()[1]
    engine = create_engine(
        f"postgresql+psycopg://nobody@127.0.0.1:{port}/none", connect_args={"connect_timeout": 5}
    )
    try:
        probe = VersionProbe(SimpleNamespace(engine=engine), connect_now=False)
        started = time.monotonic()
        answers = [probe() for _ in range(50)]
        assert time.monotonic() - started < 1.0
        assert answers == [None] * 50
        trying = [t for t in threading.enumerate() if t.name == "wirewatch-version-probe"]
        assert len(trying) == 1
    finally:
        silent.close()
        engine.dispose()
