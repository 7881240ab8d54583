"""Audit entries that stand alone, committed in groups: many looks, one disk flush.

Most entries commit with what they record (:func:`alarmvern.audit.append` in the caller's
transaction). A look at data (an operator opening a site, a refusal) changes nothing but
the log, so its entry needs a transaction of its own, and every commit costs a flush to
disk (SQLite with ``synchronous=FULL``, PostgreSQL's WAL). Under load those commits queue
for the write lock one by one.

So one writer thread per engine takes the entries that arrive while it commits the last
group and commits them together. Each caller still returns only once its own entry is
durable, and gets the entry back. If a group fails over an entry, its entries are tried
one by one, so one bad entry fails only its own caller; if the database fails (a lock
timeout, a lost connection), every caller in the group gets that error at once.
"""

from __future__ import annotations

import contextlib
import queue
import threading
import weakref
from collections.abc import Mapping
from concurrent.futures import Future
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError

from alarmvern.audit.anchor import AnchorError, anchor
from alarmvern.audit.log import AuditEntry, Entry, append_many

MAX_GROUP = 500
IDLE_SECONDS = 2.0  # the writer thread ends after this long without work


@dataclass(frozen=True)
class _Pending:
    fields: dict[str, Any]
    result: Future[AuditEntry]


class GroupWriter:
    """Commits stand-alone audit entries for one engine, in groups."""

    def __init__(self, engine: Engine) -> None:
        # Weak: the registry below is keyed weakly by the engine, which a strong reference
        # from its own value would keep alive for ever.
        self._engine = weakref.ref(engine)
        self._queue: queue.SimpleQueue[_Pending] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def append(self, **fields: Any) -> AuditEntry:
        """Append one entry (the fields of :func:`alarmvern.audit.append`) once durable."""
        pending = _Pending(fields, Future())
        with self._lock:
            self._queue.put(pending)
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="alarmvern-audit-group", daemon=True
                )
                self._thread.start()
        return pending.result.result()

    def _run(self) -> None:
        while True:
            group = self._next_group()
            if not group:
                return
            self._commit(group)

    def _next_group(self) -> list[_Pending]:
        """The waiting entries (at most MAX_GROUP); empty once idle, and the thread ends."""
        try:
            first = self._queue.get(timeout=IDLE_SECONDS)
        except queue.Empty:
            with self._lock:  # an entry put while we decided to end starts a new thread
                if self._queue.empty():
                    self._thread = None
                    return []
            first = self._queue.get()
        group = [first]
        while len(group) < MAX_GROUP:
            try:
                group.append(self._queue.get_nowait())
            except queue.Empty:
                break
        return group

    def _commit(self, group: list[_Pending]) -> None:
        engine = self._engine()
        try:
            if engine is None:  # cannot happen while a caller waits with it; be safe
                raise RuntimeError("the audit log's engine is gone")
            with engine.begin() as conn:
                entries = append_many(conn, [Entry(**pending.fields) for pending in group])
        except OperationalError as exc:
            # The database is the trouble (a lock timeout, a lost connection), not an entry:
            # tried one by one, each would wait as long again.
            for pending in group:
                pending.result.set_exception(exc)
            return
        except Exception as exc:
            if len(group) == 1:
                group[0].result.set_exception(exc)
                return
            for pending in group:  # find the bad entry: only its caller fails
                self._commit([pending])
            return
        for pending, entry in zip(group, entries, strict=True):
            pending.result.set_result(entry)
        # Then the new head, outside the database (if the engine is protected), with no
        # caller waiting for it: the group's last entry, committed, so no read for it. The
        # entries are durable already: if the file cannot be written (or its first line was
        # altered, which verify reports), the next anchor records them, and the thread
        # lives on to commit the next group.
        last = entries[-1]
        with contextlib.suppress(OSError, AnchorError):
            anchor(engine, (last.seq, last.hash))


_writers: weakref.WeakKeyDictionary[Engine, GroupWriter] = weakref.WeakKeyDictionary()
_writers_lock = threading.Lock()


def append_alone(
    engine: Engine,
    *,
    actor: str,
    action: str,
    subject: str | None = None,
    purpose: str | None = None,
    details: Mapping[str, Any] | None = None,
    at: datetime | None = None,
) -> AuditEntry:
    """Append an entry in a transaction of its own (shared with others waiting); durable
    when this returns.

    Not from inside a write transaction on the same engine: the writer would wait for the
    caller's lock while the caller waits for the writer. There, use :func:`audit.append`.
    """
    with _writers_lock:
        writer = _writers.get(engine)
        if writer is None:
            writer = _writers[engine] = GroupWriter(engine)
    return writer.append(
        actor=actor, action=action, subject=subject, purpose=purpose, details=details, at=at
    )
