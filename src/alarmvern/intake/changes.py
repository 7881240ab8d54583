"""Telling the operator consoles that an incident changed, across processes.

Every change to an incident is a row in ``incident_steps`` (opened, taken, each step,
closed), so the newest step's id is the queue's version: a console that saw version N and
hears of a larger one fetches again.

How a process hears of it:

- PostgreSQL: each step sends ``NOTIFY alarmvern_incidents`` in its own transaction (it is
  delivered on commit, so nobody hears of a step that is rolled back), and one thread per
  process LISTENs on a connection of its own.
- SQLite has no notifications. One thread per process reads ``max(id)`` of
  ``incident_steps`` every quarter second in a read snapshot (a primary-key lookup that
  takes no lock), whatever writes it: the receiver, a web worker or the CLI.

The waiting is done by that one thread; a console's stream only waits on an asyncio event,
so a hundred open consoles cost one database connection, not a hundred.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import AsyncIterator

from sqlalchemy import Connection, Engine, func, select, text

from alarmvern.store.engine import reading
from alarmvern.store.tables import incident_steps

CHANNEL = "alarmvern_incidents"
POLL_SECONDS = 0.25  # SQLite: how often the version is read
LISTEN_TIMEOUT = 5.0  # PostgreSQL: read the version anyway this often (a lost connection)


def notify(conn: Connection, incident_id: int) -> None:
    """Say, on commit, that the incident changed (PostgreSQL; SQLite is polled)."""
    notify_many(conn, [incident_id])


def notify_many(conn: Connection, incident_ids: list[int]) -> None:
    """:func:`notify` for each of ``incident_ids``, in one statement."""
    if conn.dialect.name == "postgresql" and incident_ids:
        conn.execute(
            text("SELECT pg_notify(:channel, id::text) FROM unnest(CAST(:ids AS bigint[])) id"),
            {"channel": CHANNEL, "ids": incident_ids},
        )


def version(conn: Connection) -> int:
    """The id of the newest incident step: larger after every change."""
    found = conn.execute(select(func.max(incident_steps.c.id))).scalar()
    return int(found or 0)


class Watcher:
    """One per process and database: a thread that hears of changes and wakes the streams."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.version = self._read()
        self._waiting: set[tuple[asyncio.AbstractEventLoop, asyncio.Event]] = set()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="incident-changes", daemon=True)
        self._thread.start()

    async def changes(self) -> AsyncIterator[int]:
        """The version now, then each larger one as it comes (changes close together are
        told once)."""
        seen = self.version
        yield seen
        while not self._stop.is_set():
            event = asyncio.Event()
            entry = (asyncio.get_running_loop(), event)
            with self._lock:
                self._waiting.add(entry)
            try:
                if self.version == seen:
                    await event.wait()
            finally:
                with self._lock:
                    self._waiting.discard(entry)
            if self.version != seen:
                seen = self.version
                yield seen

    def stop(self) -> None:
        self._stop.set()
        self._wake()

    def _read(self) -> int:
        with reading(self.engine) as conn:
            return version(conn)

    def _changed(self) -> None:
        found = self._read()
        if found != self.version:
            self.version = found
            self._wake()

    def _wake(self) -> None:
        with self._lock:
            waiting = list(self._waiting)
        for loop, event in waiting:
            with contextlib.suppress(RuntimeError):  # a loop that has closed
                loop.call_soon_threadsafe(event.set)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                if self.engine.dialect.name == "postgresql":
                    self._listen()
                else:
                    self._changed()
                    self._stop.wait(POLL_SECONDS)
            except Exception:  # the database went away for a moment: try again shortly
                self._stop.wait(1.0)

    def _listen(self) -> None:
        raw = self.engine.raw_connection()
        try:
            driver = raw.driver_connection
            assert driver is not None
            driver.autocommit = True
            driver.execute(f"LISTEN {CHANNEL}")
            self._changed()  # what happened before the LISTEN
            while not self._stop.is_set():
                # Back after the first notification or the timeout; the version is read
                # either way (so nothing is missed around a reconnection).
                for _note in driver.notifies(timeout=LISTEN_TIMEOUT, stop_after=1):
                    pass
                self._changed()
        finally:
            raw.invalidate()  # a connection in autocommit with a LISTEN goes back to no pool


_watchers: dict[int, Watcher] = {}
_watchers_lock = threading.Lock()


def watcher(engine: Engine) -> Watcher:
    """The process's watcher of ``engine`` (started on first use)."""
    with _watchers_lock:
        found = _watchers.get(id(engine))
        if found is None:
            found = _watchers[id(engine)] = Watcher(engine)
        return found
