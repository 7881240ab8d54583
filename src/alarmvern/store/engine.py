"""Opening the database: the same SQLAlchemy Core code on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError
from sqlalchemy.pool import SingletonThreadPool

from alarmvern.errors import StoreError

READ_ONLY = "alarmvern_readonly"


def normalise_url(url: str) -> str:
    """``postgresql://`` means psycopg 3 here; SQLAlchemy would otherwise pick psycopg2."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def create_store_engine(url: str, **kwargs: Any) -> Engine:
    """An engine for ``url``; SQLite gets WAL, foreign keys and durable (FULL) commits."""
    try:
        parsed = make_url(normalise_url(url))
        if parsed.get_backend_name() not in {"sqlite", "postgresql"}:
            raise StoreError(
                f"database URL: {parsed.get_backend_name()!r} is not supported; "
                "use sqlite:///path/to/file.db or postgresql://host/dbname"
            )
        if parsed.get_backend_name() == "sqlite" and not _in_memory(parsed):
            # A connection per web worker thread (anyio's pool has 40), kept: the default
            # pool of 5 + 10 overflow closed and reopened connections on every burst, and
            # each opening sets up SQLite's pragmas again. (PostgreSQL keeps the default,
            # so that many processes stay within the server's connection limit.)
            kwargs = {"pool_size": 40, "max_overflow": 10, **kwargs}
        elif parsed.query.get("mode") == "memory":
            # What SQLAlchemy picks for it today, said outright (it warns it will change).
            kwargs = {"poolclass": SingletonThreadPool, **kwargs}
        # Bound values are personal data: never in an error message or a log line.
        engine = create_engine(parsed, hide_parameters=True, **kwargs)
    except (ArgumentError, NoSuchModuleError, ValueError) as exc:
        raise StoreError(
            "database URL (--db / ALARMVERN_DATABASE_URL) is not valid: "
            f"{type(exc).__name__}; write e.g. sqlite:///data/alarmvern.db "
            "or postgresql://localhost/alarmvern"
        ) from None
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
    return engine


def _in_memory(url: URL) -> bool:
    """SQLite in memory: SQLAlchemy gives it a single connection, with no pool to size."""
    return url.database in (None, "", ":memory:") or url.query.get("mode") == "memory"


@contextmanager
def reading(engine: Engine) -> Iterator[Connection]:
    """A connection for reading only: it takes no write lock and refuses to write.

    SQLite begins a plain deferred BEGIN (a WAL snapshot that neither waits for nor blocks
    writers) with ``query_only`` set; PostgreSQL runs its transactions READ ONLY. The
    transaction is rolled back when the block ends.
    """
    options: dict[str, Any] = {READ_ONLY: True}
    if engine.dialect.name == "postgresql":
        # One snapshot for the whole block, as SQLite's WAL gives (not one per statement).
        options.update(postgresql_readonly=True, isolation_level="REPEATABLE READ")
    with engine.connect().execution_options(**options) as conn:
        yield conn


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # pysqlite's own transaction handling is switched off so that BEGIN is ours (see below).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA busy_timeout=10000")
    # Deleted rows are overwritten, not left in free pages: erased data must be gone.
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.close()


def _sqlite_begin(conn: Connection) -> None:
    if conn.get_execution_options().get(READ_ONLY, False):
        conn.exec_driver_sql("PRAGMA query_only=ON")
        conn.exec_driver_sql("BEGIN")
        return
    # Take the write lock at BEGIN, so that two writers queue instead of one failing with
    # "database is locked" when it upgrades a read transaction to a write. query_only is
    # set per transaction because the pooled connection may last have been a reader's.
    conn.exec_driver_sql("PRAGMA query_only=OFF")
    conn.exec_driver_sql("BEGIN IMMEDIATE")
