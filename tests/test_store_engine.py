"""Read-only connections: on SQLite they take no write lock; on both databases they cannot write.
And SQLite's writers: one at a time per process, the alarm receiver's first."""

from __future__ import annotations

import contextlib
import fcntl
import os
import threading
import time
from collections.abc import Callable

import pytest
from sqlalchemy import Connection, Engine, event, text
from sqlalchemy.exc import DBAPIError, OperationalError

from alarmvern.store import engine as engine_module
from alarmvern.store.engine import (
    checkpoint,
    create_store_engine,
    give_priority,
    reading,
    writer_queue,
)

INSERT = text("INSERT INTO probe (n) VALUES (:n)")
COUNT = text("SELECT count(*) FROM probe")


@pytest.fixture
def sqlite_probe(sqlite_engine: Engine) -> Engine:
    _create_probe(sqlite_engine)
    return sqlite_engine


@pytest.fixture
def pg_probe(pg_engine: Engine) -> Engine:
    _create_probe(pg_engine)
    return pg_engine


def _create_probe(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE probe (n INTEGER NOT NULL)"))
        conn.execute(INSERT, {"n": 1})


def _impatient(conn: Connection) -> Connection:
    """Gives up on a lock after 100 ms; set on the raw connection, so no transaction begins."""
    raw = conn.connection.driver_connection
    assert raw is not None
    raw.execute("PRAGMA busy_timeout=100")
    return conn


def _count(conn: Connection) -> int:
    return int(conn.execute(COUNT).scalar_one())


def test_sqlite_reader_is_not_blocked_by_an_open_write_transaction(
    sqlite_probe: Engine,
) -> None:
    with sqlite_probe.connect() as writer:
        writer.execute(INSERT, {"n": 2})
        with reading(sqlite_probe) as reader:
            _impatient(reader)
            assert _count(reader) == 1
        writer.commit()
    with reading(sqlite_probe) as reader:
        assert _count(reader) == 2


def test_sqlite_second_writer_waits_for_the_write_lock(sqlite_probe: Engine) -> None:
    with sqlite_probe.connect() as writer, sqlite_probe.connect() as other:
        writer.execute(INSERT, {"n": 2})
        _impatient(other)
        start = time.monotonic()
        with pytest.raises(OperationalError, match="database is locked"):
            other.execute(COUNT)
        assert time.monotonic() - start >= 0.09


def test_sqlite_reader_refuses_to_write(sqlite_probe: Engine) -> None:
    with reading(sqlite_probe) as reader, pytest.raises(OperationalError, match="readonly"):
        reader.execute(INSERT, {"n": 2})


def test_sqlite_pooled_connection_writes_again_after_a_reader(sqlite_probe: Engine) -> None:
    with reading(sqlite_probe) as reader:
        used = reader.connection.dbapi_connection
        assert _count(reader) == 1
    with sqlite_probe.begin() as conn:
        assert conn.connection.dbapi_connection is used
        conn.execute(INSERT, {"n": 2})
    with reading(sqlite_probe) as reader:
        assert _count(reader) == 2


def test_sqlite_query_only_is_set_only_when_it_changes(sqlite_probe: Engine) -> None:
    """Readers after readers on one pooled connection set ``query_only`` once (#15 item 5);
    the writer after them switches it off, and the reader after that on again."""
    with reading(sqlite_probe) as reader:
        driver = reader.connection.driver_connection
        assert _count(reader) == 1  # (the transaction begins with its first statement)
    said: list[str] = []
    driver.set_trace_callback(said.append)  # type: ignore[union-attr]
    try:
        for _ in range(3):
            with reading(sqlite_probe) as reader:
                assert reader.connection.driver_connection is driver
                assert _count(reader) == 1
        with sqlite_probe.begin() as conn:
            conn.execute(INSERT, {"n": 2})
        with reading(sqlite_probe) as reader, pytest.raises(OperationalError, match="readonly"):
            reader.execute(INSERT, {"n": 3})
    finally:
        driver.set_trace_callback(None)  # type: ignore[union-attr]
    pragmas = [s for s in said if s.startswith("PRAGMA query_only")]
    assert pragmas == ["PRAGMA query_only=OFF", "PRAGMA query_only=ON"]


@pytest.mark.postgres
def test_postgresql_reader_reads_and_refuses_to_write(pg_probe: Engine) -> None:
    with reading(pg_probe) as reader:
        assert _count(reader) == 1
        with pytest.raises(DBAPIError, match="read-only transaction"):
            reader.execute(INSERT, {"n": 2})


@pytest.mark.postgres
def test_postgresql_connection_writes_again_after_a_reader(pg_probe: Engine) -> None:
    with reading(pg_probe) as reader:
        assert _count(reader) == 1
    with pg_probe.begin() as conn:
        conn.execute(INSERT, {"n": 2})
    with reading(pg_probe) as reader:
        assert _count(reader) == 2


def test_postgresql_reader_sees_one_snapshot(pg_probe: Engine) -> None:
    with reading(pg_probe) as reader:
        assert _count(reader) == 1
        with pg_probe.begin() as writer:
            writer.execute(INSERT, {"n": 2})
        assert _count(reader) == 1  # what was committed since is not seen half-way
    with reading(pg_probe) as reader:
        assert _count(reader) == 2


@pytest.mark.postgres
def test_postgresql_reads_keep_their_prepared_statements(pg_probe: Engine) -> None:
    """psycopg prepares a statement at its fifth use on a connection, and forgets every one
    at a ROLLBACK: reads must end otherwise, or nothing a page runs is ever prepared."""
    for _ in range(8):
        with reading(pg_probe) as reader:
            _count(reader)
    prepared = text("SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE '%probe%'")
    with reading(pg_probe) as reader:
        assert reader.execute(prepared).scalar_one() == 1


@pytest.mark.postgres
def test_postgresql_keeps_the_connections_a_burst_opened(pg_probe: Engine) -> None:
    """Each connection a burst of requests opened stays in the pool, up to the same ceiling
    per process as SQLAlchemy's default (5 + 10): closing those past the fifth had the next
    burst open server backends again."""
    with contextlib.ExitStack() as stack:
        for _ in range(8):
            stack.enter_context(reading(pg_probe))
    assert pg_probe.pool.checkedin() == 8  # type: ignore[attr-defined]
    size, overflow = pg_probe.pool.size(), pg_probe.pool._max_overflow  # type: ignore[attr-defined]
    assert size + overflow == 15


@pytest.mark.parametrize(
    "url", ["sqlite://", "sqlite:///:memory:", "sqlite:///file:probe?mode=memory&uri=true"]
)
def test_sqlite_in_memory_opens_without_a_pool_to_size(url: str) -> None:
    engine = create_store_engine(url)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT 1")).scalar_one() == 1
    engine.dispose()


def test_a_libpq_multi_host_url_names_every_node_and_tests_pooled_connections() -> None:
    from alarmvern.store.engine import is_cluster, normalise_url

    url = "postgresql://alarmvern@db-a:5432,db-b:5433/av?target_session_attrs=read-write"
    assert normalise_url(url) == (
        "postgresql+psycopg://alarmvern@/av?host=db-a:5432&host=db-b:5433"
        "&target_session_attrs=read-write"
    )
    engine = create_store_engine(url)
    try:
        assert is_cluster(engine.url)
        _, params = engine.dialect.create_connect_args(engine.url)
        assert (params["host"], params["port"]) == ("db-a,db-b", "5432,5433")
        assert params["target_session_attrs"] == "read-write"
        assert engine.pool._pre_ping  # type: ignore[attr-defined]
    finally:
        engine.dispose()
    single = create_store_engine("postgresql://alarmvern@db-a/av")
    assert not is_cluster(single.url) and normalise_url("postgresql://u@h/d").endswith("@h/d")
    single.dispose()


# -- the writer queue and the receiver's priority (SQLite) ----------------------------------

ROWS = text("SELECT n FROM probe ORDER BY rowid")


def _gate_taken(engine: Engine) -> bool:
    """Whether a priority writer holds the gate (a shared lock on it cannot be had now)."""
    fd = os.open(f"{engine.url.database}-writers.lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)
    return False


def _until(condition: Callable[[], bool], seconds: float = 60.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "the condition never came true"
        time.sleep(0.01)


def _thread(target: Callable[[], None]) -> threading.Thread:
    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    return thread


def test_sqlite_a_transaction_ended_by_another_thread_frees_the_writer_queue(
    sqlite_probe: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A write begun in one thread and committed in another (a pool clean-up, a connection
    handed on) lets its place in the queue go: a thread-owned lock refused that, and every
    later writer of the process waited QUEUE_SECONDS for a place nobody held."""
    monkeypatch.setattr(engine_module, "QUEUE_SECONDS", 3600.0)
    conn = sqlite_probe.connect()
    conn.execute(INSERT, {"n": 2})  # begins here, and takes the place
    assert writer_queue(sqlite_probe).busy()
    _thread(conn.commit).join(60)
    assert not writer_queue(sqlite_probe).busy()
    wrote = threading.Event()

    def write() -> None:
        with sqlite_probe.begin() as other:
            other.execute(INSERT, {"n": 3})
        wrote.set()

    _thread(write).join(60)  # without the fix: an hour's wait for the queue
    conn.close()
    assert wrote.is_set()
    with reading(sqlite_probe) as reader:
        assert list(reader.execute(ROWS).scalars()) == [1, 2, 3]


def test_sqlite_a_writer_keeps_its_turn_until_the_commit_has_ended(sqlite_probe: Engine) -> None:
    """SQLAlchemy's commit event fires before the COMMIT: the queue (and, for the receiver,
    the gate) is let go only once SQLite's write lock is free, so nobody polls for it."""
    receiver = create_store_engine(str(sqlite_probe.url))
    give_priority(receiver)
    seen: list[tuple[bool, bool]] = []

    def at_commit(_conn: Connection) -> None:
        seen.append((writer_queue(sqlite_probe).busy(), _gate_taken(sqlite_probe)))

    try:
        for engine in (sqlite_probe, receiver):
            event.listen(engine, "commit", at_commit)
            with engine.begin() as conn:
                conn.execute(INSERT, {"n": 2})
            assert not writer_queue(sqlite_probe).busy() and not _gate_taken(sqlite_probe)
        assert seen == [(True, False), (False, True)]
    finally:
        receiver.dispose()


def test_sqlite_the_receiver_writes_before_web_writers_that_come_after_it(
    sqlite_probe: Engine,
) -> None:
    """The receiver waits only for the web write in progress (and not in SQLite's busy
    handler); a web writer of another process that comes while it waits goes after it."""
    receiver = create_store_engine(str(sqlite_probe.url))
    other_process = create_store_engine(str(sqlite_probe.url))
    give_priority(receiver)
    began, go = threading.Event(), threading.Event()

    def web_in_progress() -> None:
        with sqlite_probe.begin() as conn:
            conn.execute(INSERT, {"n": 10})
            began.set()
            go.wait(60)

    def write(engine: Engine, n: int) -> Callable[[], None]:
        def run() -> None:
            with engine.begin() as conn:
                conn.execute(INSERT, {"n": n})

        return run

    try:
        first = _thread(web_in_progress)
        assert began.wait(60)
        intake = _thread(write(receiver, 20))
        _until(lambda: _gate_taken(sqlite_probe))  # the receiver waits for the web's write
        later = _thread(write(other_process, 30))
        time.sleep(0.2)  # (the later writer waits at the gate; if it did not, it would win)
        go.set()
        for thread in (first, intake, later):
            thread.join(60)
        with reading(sqlite_probe) as reader:
            assert list(reader.execute(ROWS).scalars()) == [1, 10, 20, 30]
    finally:
        go.set()
        receiver.dispose()
        other_process.dispose()


def test_sqlite_the_receiver_leaves_checkpoints_to_others(sqlite_probe: Engine) -> None:
    """A checkpoint inside the receiver's COMMIT would flush the database file before the
    ACK: its connections never run one; :func:`checkpoint` does, from elsewhere."""
    receiver = create_store_engine(str(sqlite_probe.url))
    give_priority(receiver)
    try:
        with receiver.begin() as conn:
            conn.execute(INSERT, {"n": 2})
            assert conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar_one() == 0
        with sqlite_probe.begin() as conn:
            assert conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar_one() == 1000
        checkpoint(receiver)
        with sqlite_probe.connect() as conn:
            raw = conn.connection.driver_connection
            assert raw is not None
            busy, frames, copied = raw.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        assert busy == 0 and frames == copied  # nothing was left in the WAL to copy
    finally:
        receiver.dispose()
