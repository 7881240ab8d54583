"""Opening the database: the same SQLAlchemy Core code on SQLite and PostgreSQL."""

from __future__ import annotations

import contextlib
import os
import sqlite3
import threading
import time
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError
from sqlalchemy.pool import SingletonThreadPool

from alarmvern.errors import StoreError

READ_ONLY = "alarmvern_readonly"
_TURN = "alarmvern_write_turn"  # the Turn a connection holds, in its record's info
_PRIORITY: weakref.WeakSet[Engine] = weakref.WeakSet()
_QUEUES: weakref.WeakKeyDictionary[Engine, WriterQueue] = weakref.WeakKeyDictionary()
_QUEUES_LOCK = threading.Lock()
BUSY_TIMEOUT_MS = 10_000  # SQLite's busy timeout: a writer gives up on the lock past it
QUEUE_SECONDS = 10.0  # as SQLite's busy timeout: past it, a writer waits as SQLite does
# PostgreSQL: as many connections per process as SQLAlchemy's default allows (5 kept and 10
# more on demand), but all 15 kept. The default closed every connection past the fifth as
# it came back, so a worker serving 8 requests at once opened and closed a server backend
# (a process fork, its authentication and catalogue caches) on most requests. The ceiling
# per process, and so what many processes take of the server's connection limit, is the
# same as before.
PG_POOL: dict[str, Any] = {"pool_size": 15, "max_overflow": 0}


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
                f"databaseadressen: {parsed.get_backend_name()!r} støttes ikke; "
                "bruk sqlite:///sti/til/fil.db eller postgresql://vert/dbnavn",
                f"database URL: {parsed.get_backend_name()!r} is not supported; "
                "use sqlite:///path/to/file.db or postgresql://host/dbname",
                field="ALARMVERN_DATABASE_URL",
            )
        if parsed.get_backend_name() == "sqlite" and not _in_memory(parsed):
            # A connection per web worker thread (anyio's pool has 40), kept: the default
            # pool of 5 + 10 overflow closed and reopened connections on every burst, and
            # each opening sets up SQLite's pragmas again.
            kwargs = {"pool_size": 40, "max_overflow": 10, **kwargs}
            # Our driver connection class: it lets the write turn go once COMMIT or ROLLBACK
            # has really ended the transaction (SQLAlchemy's events fire before either).
            kwargs["connect_args"] = {"factory": _Connection, **kwargs.get("connect_args", {})}
        elif parsed.query.get("mode") == "memory":
            # What SQLAlchemy picks for it today, said outright (it warns it will change).
            kwargs = {"poolclass": SingletonThreadPool, **kwargs}
        elif parsed.get_backend_name() == "postgresql":
            kwargs = {**PG_POOL, **kwargs}
            if is_cluster(parsed):
                # After a failover every pooled connection is to a dead primary: test each
                # one as it is taken (one round trip), so that a web request gets a live one.
                kwargs = {"pool_pre_ping": True, **kwargs}
        # Bound values are personal data: never in an error message or a log line.
        engine = create_engine(parsed, hide_parameters=True, **kwargs)
    except (ArgumentError, NoSuchModuleError, ValueError) as exc:
        raise StoreError(
            f"databaseadressen (ALARMVERN_DATABASE_URL) er ugyldig: {type(exc).__name__}; "
            "skriv f.eks. sqlite:///data/alarmvern.db eller postgresql://localhost/alarmvern",
            f"database URL (ALARMVERN_DATABASE_URL) is not valid: {type(exc).__name__}; "
            "write e.g. sqlite:///data/alarmvern.db or postgresql://localhost/alarmvern",
            field="ALARMVERN_DATABASE_URL",
            code="bad_database_url",
        ) from None
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        event.listen(engine, "commit", _end_turn_of_foreign)
        event.listen(engine, "rollback", _end_turn_of_foreign)
        # A connection that goes back to the pool, or is dropped, still holding its turn (a
        # driver connection not of our class, a begin that failed half-way): let go then.
        event.listen(engine.pool, "checkin", _end_turn_of_record)
        event.listen(engine.pool, "invalidate", _end_turn_of_record)
    return engine


def give_priority(engine: Engine) -> None:
    """Let ``engine``'s writers (the alarm receiver's) go before every other process's.

    SQLite has one write lock, and a writer that finds it taken polls for it with pauses of
    up to 100 ms: under a stream of short web writes the receiver could poll in vain for
    seconds, and even when it waits for one web transaction only, it oversleeps the end of
    it. So writers take two ``flock`` locks on files beside the database before BEGIN:

    - ``<database>-writers.lock``, the *gate*: a priority writer holds it exclusively until
      its transaction ends; every other writer takes it shared for a moment, so it waits
      while a priority writer writes or waits to.
    - ``<database>-writing.lock``: every other writer holds it shared from before its BEGIN
      until its COMMIT or ROLLBACK has ended; a priority writer takes it exclusively after
      the gate. The kernel wakes the priority writer the moment the last web transaction in
      progress ends, and SQLite's write lock is then free: it never polls.

    So the receiver waits at most for the web transactions already begun, and for no poll.
    A priority engine's connections also never checkpoint the WAL as they commit (SQLite
    runs a checkpoint, with its disk flushes, inside the COMMIT that crosses 1,000 pages):
    :func:`checkpoint` does it from another thread, and other writers' commits as before.
    (PostgreSQL has no such lock: rows are locked, not the database, and nothing is done
    there.) SQLite offers no priority of its own and SQLAlchemy none either: this is the
    small piece that does it.
    """
    if engine.dialect.name == "sqlite" and _turn_file(engine) is not None:
        _PRIORITY.add(engine)


def checkpoint(engine: Engine) -> None:
    """SQLite: copy the WAL's committed pages into the database file (a PASSIVE checkpoint:
    it takes no write lock, and waits for no reader or writer). Nothing on PostgreSQL."""
    if engine.dialect.name != "sqlite" or _in_memory(engine.url):
        return
    raw = engine.raw_connection()
    try:
        driver = raw.driver_connection
        assert driver is not None
        driver.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()  # no BEGIN: autocommit
    finally:
        raw.close()


def _in_memory(url: URL) -> bool:
    """SQLite in memory: SQLAlchemy gives it a single connection, with no pool to size."""
    return url.database in (None, "", ":memory:") or url.query.get("mode") == "memory"


@contextmanager
def reading(engine: Engine) -> Iterator[Connection]:
    """A connection for reading only: it takes no write lock and refuses to write.

    SQLite begins a plain deferred BEGIN (a WAL snapshot that neither waits for nor blocks
    writers) with ``query_only`` set; PostgreSQL runs its transactions READ ONLY. SQLite's
    transaction is rolled back when the block ends; PostgreSQL's is committed, which for a
    read-only one is the same (see below), and rolled back if the block raises.
    """
    options: dict[str, Any] = {READ_ONLY: True}
    postgresql = engine.dialect.name == "postgresql"
    if postgresql:
        # One snapshot for the whole block, as SQLite's WAL gives (not one per statement).
        options.update(postgresql_readonly=True, isolation_level="REPEATABLE READ")
    with engine.connect().execution_options(**options) as conn:
        yield conn
        if postgresql and conn.in_transaction():
            # psycopg forgets (and deallocates) a connection's prepared statements at every
            # ROLLBACK, so reads ended that way never reached its threshold for preparing
            # one: every statement was parsed and planned anew. A COMMIT keeps them.
            conn.commit()


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # pysqlite's own transaction handling is switched off so that BEGIN is ours (see below).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    # Deleted rows are overwritten, not left in free pages: erased data must be gone.
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.close()


def _sqlite_begin(conn: Connection) -> None:
    driver = conn.connection.driver_connection
    if conn.get_execution_options().get(READ_ONLY, False):
        _query_only(driver, True)
        driver.execute("BEGIN")  # type: ignore[union-attr]  # a plain statement: no result
        return
    # Take the write lock at BEGIN, so that two writers queue instead of one failing with
    # "database is locked" when it upgrades a read transaction to a write. query_only is
    # switched off here because the pooled connection may last have been a reader's.
    _query_only(driver, False)
    priority = conn.engine in _PRIORITY
    if priority and not getattr(driver, "checkpoints_left", False):
        conn.exec_driver_sql("PRAGMA wal_autocheckpoint=0")  # see give_priority
        with contextlib.suppress(AttributeError):  # a driver connection not of our class
            driver.checkpoints_left = True  # type: ignore[union-attr]
    turn = _take_turn(conn.engine, priority)
    if turn is not None:
        conn.info[_TURN] = turn
        with contextlib.suppress(AttributeError):
            driver.turn = turn  # type: ignore[union-attr]  # let go by its COMMIT/ROLLBACK
    try:
        if priority and turn is not None:
            _begin_first(conn)
        else:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
    except BaseException:
        _end_turn(conn)
        raise


def _query_only(driver: Any, on: bool) -> None:
    """SQLite's ``query_only`` as a transaction needs it: set only when the connection's
    last transaction needed the other (a statement saved on most of them). A driver
    connection not of our class cannot say what it has: it gets the statement each time."""
    if getattr(driver, "query_only", None) is on:
        return
    driver.execute(f"PRAGMA query_only={'ON' if on else 'OFF'}")
    with contextlib.suppress(AttributeError):
        driver.query_only = on


class _Connection(sqlite3.Connection):
    """pysqlite's connection, which lets its write turn go once COMMIT or ROLLBACK returned:
    not before, as SQLAlchemy's commit and rollback events would (they fire first), for the
    receiver would then find SQLite's write lock still taken, and poll for it."""

    turn: Turn | None = None
    query_only = False  # SQLite's pragma as last set on this connection (off when opened)
    checkpoints_left = False  # wal_autocheckpoint=0 set (a priority engine's connection)

    def commit(self) -> None:
        try:
            super().commit()
        finally:
            if not self.in_transaction:
                self._let_go()

    def rollback(self) -> None:
        try:
            super().rollback()
        finally:
            self._let_go()

    def close(self) -> None:
        try:
            super().close()
        finally:
            self._let_go()

    def _let_go(self) -> None:
        turn, self.turn = self.turn, None
        if turn is not None:
            turn.release()


def _turn_file(engine: Engine, suffix: str = "-writers.lock") -> str | None:
    database = engine.url.database
    if _in_memory(engine.url) or not database or not hasattr(os, "O_RDWR"):
        return None
    return f"{database}{suffix}"


_NESTED = object()  # WriterQueue.take: this thread has a write open already


class WriterQueue:
    """One writer at a time in this process, waiting in a lock rather than polling SQLite:
    else every web thread that passed the gate would poll for the write lock beside the
    receiver, and it could lose to them again and again.

    The place is let go by whichever thread ends the transaction (a pool clean-up, a
    commit in another thread than the BEGIN): a thread-owned lock would refuse that, and
    every later writer would wait ``QUEUE_SECONDS`` for a place nobody holds. A thread that
    opens a second write while its first is open does not queue behind itself: it waits for
    SQLite, as it always did.
    """

    def __init__(self) -> None:
        self._free = threading.Condition()
        self._holder: object | None = None
        self._thread: int | None = None

    def take(self, timeout: float) -> object | None:
        """A place (a token for :meth:`give_back`); ``_NESTED`` when this thread holds one
        already; None when none came free in ``timeout`` seconds."""
        me = threading.get_ident()
        with self._free:
            if self._holder is not None and self._thread == me:
                return _NESTED
            if not self._free.wait_for(lambda: self._holder is None, timeout):
                return None
            self._holder, self._thread = object(), me
            return self._holder

    def give_back(self, token: object) -> None:
        with self._free:
            if self._holder is token:
                self._holder = self._thread = None
                self._free.notify()

    def busy(self) -> bool:
        with self._free:
            return self._holder is not None


def writer_queue(engine: Engine) -> WriterQueue:
    with _QUEUES_LOCK:
        return _QUEUES.setdefault(engine, WriterQueue())


@dataclass
class Turn:
    """What a writer holds until its transaction ends: its place in this process's queue
    and the descriptors of its ``flock`` locks. Released once, from any thread."""

    queue: WriterQueue | None = None
    token: object | None = None
    fds: list[int] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def release(self) -> None:
        with self._lock:
            fds, self.fds = self.fds, []
            queue, token, self.queue, self.token = self.queue, self.token, None, None
        for fd in fds:
            os.close(fd)  # closing the descriptor lets its lock go
        if queue is not None and token is not None:
            queue.give_back(token)


def _take_turn(engine: Engine, priority: bool) -> Turn | None:
    """Before a write: the receiver's writers take the gate; the others queue in this
    process and wait while the gate is taken (see :func:`give_priority`)."""
    try:
        import fcntl
    except ImportError:  # not a POSIX system: no priority
        return None
    gate = _turn_file(engine)
    if gate is None:
        return None
    turn = Turn()
    if not priority:
        queue = writer_queue(engine)
        turn.token = queue.take(QUEUE_SECONDS)
        if turn.token is _NESTED:
            return None  # a second write of this thread's, while its first is open
        if turn.token is not None:
            turn.queue = queue
    try:
        fd = os.open(gate, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            # The receiver's: held until the transaction ends. The others': waits while the
            # receiver writes or waits to write, and lets go at once.
            fcntl.flock(fd, fcntl.LOCK_EX if priority else fcntl.LOCK_SH)
        except BaseException:
            os.close(fd)
            raise
        if priority:
            turn.fds.append(fd)
        else:
            os.close(fd)
        return turn
    except BaseException:
        turn.release()
        raise


def _begin_first(conn: Connection) -> None:
    """BEGIN IMMEDIATE for a priority writer: tried every few milliseconds while a web
    transaction begun before the gate closed ends, instead of SQLite's busy handler, which
    sleeps ever longer (up to 100 ms a time) and so oversleeps the moment the lock is free.
    Past ``QUEUE_SECONDS`` it fails, as SQLite's busy timeout would."""
    driver = conn.connection.driver_connection
    assert driver is not None
    deadline = time.monotonic() + QUEUE_SECONDS
    pause = 0.0005
    driver.execute("PRAGMA busy_timeout=0")
    try:
        while time.monotonic() < deadline:
            try:
                # On the driver itself: a failure through SQLAlchemy would roll back (and so
                # let go of the gate) before the next try.
                driver.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) and "busy" not in str(exc):
                    raise
            time.sleep(pause)
            pause = min(pause * 2, 0.002)
        conn.exec_driver_sql("BEGIN IMMEDIATE")  # the last try: its error is SQLAlchemy's
    finally:
        driver.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")


def _end_turn(conn: Connection) -> None:
    _release(conn.info)


def _end_turn_of_foreign(conn: Connection) -> None:
    """A driver connection not of our class cannot let go after its COMMIT: let go now."""
    if not isinstance(conn.connection.driver_connection, _Connection):
        _release(conn.info)


def _end_turn_of_record(_dbapi_connection: Any, record: Any, *_more: Any) -> None:
    if record is not None:
        _release(record.info)


def _release(info: dict[Any, Any]) -> None:
    turn = info.pop(_TURN, None)
    if turn is not None:
        turn.release()
