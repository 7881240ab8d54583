"""Opening the database: the same SQLAlchemy Core code on SQLite and PostgreSQL."""

from __future__ import annotations

import contextlib
import os
import threading
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError
from sqlalchemy.pool import SingletonThreadPool

from alarmvern.errors import StoreError

READ_ONLY = "alarmvern_readonly"
_TURN = "alarmvern_priority_turn"  # the held priority lock's descriptor, in conn.info
_QUEUED = "alarmvern_writer_queue"  # the in-process writers' lock this connection holds
_PRIORITY: weakref.WeakSet[Engine] = weakref.WeakSet()
_WRITERS: weakref.WeakKeyDictionary[Engine, threading.RLock] = weakref.WeakKeyDictionary()
_WRITERS_LOCK = threading.Lock()
QUEUE_SECONDS = 10.0  # as SQLite's busy timeout: past it, a writer waits as SQLite does


def normalise_url(url: str) -> str:
    """``postgresql://`` means psycopg 3 here; SQLAlchemy would otherwise pick psycopg2.

    A libpq multi-host URL (``postgresql://user@db1:5432,db2:5432/alarmvern?
    target_session_attrs=read-write``, a cluster's nodes) is written the way SQLAlchemy reads
    one, each host as a ``host=`` query parameter; libpq then tries them in turn.
    """
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return _multi_host("postgresql+psycopg://" + url[len(prefix) :])
    if url.startswith("postgresql+psycopg://"):
        return _multi_host(url)
    return url


def _multi_host(url: str) -> str:
    scheme, rest = url.split("://", 1)
    netloc, _, tail = rest.partition("/")
    user, at, hosts = netloc.rpartition("@")
    if "," not in hosts:
        return url
    database, _, query = tail.partition("?")
    params = [f"host={host}" for host in hosts.split(",") if host]
    if query:
        params.append(query)
    return f"{scheme}://{user}{at}/{database}?{'&'.join(params)}"


def is_cluster(url: URL) -> bool:
    """A URL naming several PostgreSQL hosts: the nodes of a cluster that fails over."""
    hosts = url.query.get("host")
    return isinstance(hosts, tuple) and len(hosts) > 1


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
        elif is_cluster(parsed):
            # After a failover every pooled connection is to a dead primary: test each one
            # as it is taken (one round trip), so that a web request gets a live one.
            kwargs = {"pool_pre_ping": True, **kwargs}
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
        event.listen(engine, "commit", _end_turn)
        event.listen(engine, "rollback", _end_turn)
        # A connection that goes back to the pool, or is dropped, without either: let go too.
        event.listen(engine.pool, "checkin", _end_turn_of_record)
        event.listen(engine.pool, "invalidate", _end_turn_of_record)
    return engine


def give_priority(engine: Engine) -> None:
    """Let ``engine``'s writers (the alarm receiver's) go before every other process's.

    SQLite has one write lock, and a writer that finds it taken polls for it with pauses of
    up to 100 ms: under a stream of short web writes the receiver could poll in vain for
    seconds. So a priority writer first takes an exclusive ``flock`` on a file beside the
    database and holds it until its transaction ends; every other writer, before it begins,
    waits for a shared lock on that file (and lets it go at once). The receiver then waits
    at most for the one web transaction in progress. (PostgreSQL has no such lock: rows are
    locked, not the database, and nothing is done there.) SQLite offers no priority of its
    own and SQLAlchemy none either: this is the small piece that does it.
    """
    if engine.dialect.name == "sqlite" and _turn_file(engine) is not None:
        _PRIORITY.add(engine)


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
    _take_turn(conn)
    try:
        conn.exec_driver_sql("BEGIN IMMEDIATE")
    except BaseException:
        _end_turn(conn)
        raise


def _turn_file(engine: Engine) -> str | None:
    database = engine.url.database
    if _in_memory(engine.url) or not database or not hasattr(os, "O_RDWR"):
        return None
    return f"{database}-writers.lock"


def _take_turn(conn: Connection) -> None:
    """Before a write: the receiver's writers take the priority lock; others wait for it."""
    try:
        import fcntl
    except ImportError:  # not a POSIX system: no priority
        return
    path = _turn_file(conn.engine)
    if path is None:
        return
    if conn.engine not in _PRIORITY:
        _queue(conn)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    if conn.engine in _PRIORITY:
        fcntl.flock(fd, fcntl.LOCK_EX)  # held until the transaction ends (_end_turn)
        conn.info[_TURN] = fd
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_SH)  # waits while the receiver writes or wants to
    finally:
        os.close(fd)


def _queue(conn: Connection) -> None:
    """One writer at a time in this process, waiting in a lock rather than polling SQLite:
    else every web thread that passed the turn would poll for the write lock beside the
    receiver, and it could lose to them again and again. (Re-entrant: a thread that opens
    a second write while in one waits for SQLite, as it always did.)"""
    with _WRITERS_LOCK:
        lock = _WRITERS.setdefault(conn.engine, threading.RLock())
    if lock.acquire(timeout=QUEUE_SECONDS):
        conn.info[_QUEUED] = lock


def _end_turn(conn: Connection) -> None:
    _release(conn.info)


def _end_turn_of_record(_dbapi_connection: Any, record: Any, *_more: Any) -> None:
    if record is not None:
        _release(record.info)


def _release(info: dict[Any, Any]) -> None:
    fd = info.pop(_TURN, None)
    if fd is not None:
        os.close(fd)  # closing the descriptor lets the lock go
    lock = info.pop(_QUEUED, None)
    if lock is not None:
        # RuntimeError: let go by another thread than took it (a pool clean-up)
        with contextlib.suppress(RuntimeError):
            lock.release()
