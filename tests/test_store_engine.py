"""Read-only connections: on SQLite they take no write lock; on both databases they cannot write."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import DBAPIError, OperationalError

from alarmvern.store.engine import create_store_engine, reading

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
