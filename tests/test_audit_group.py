"""Stand-alone audit entries committed in groups: each caller returns once its own entry is
durable, many callers share a commit, and one bad entry fails only its own caller."""

from __future__ import annotations

import sqlite3
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from sqlalchemy import Engine, event, func, select
from sqlalchemy.exc import OperationalError

from alarmvern import audit
from alarmvern.audit import group
from alarmvern.store.tables import audit_log

CALLERS = 40


def _entries(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(audit_log)).scalar_one())


def _commits_held_at_first(engine: Engine) -> tuple[list[int], threading.Event]:
    """Count commits; the first waits for the returned event, so that others queue up."""
    commits: list[int] = []
    release = threading.Event()

    def on_commit(_conn: Any) -> None:
        commits.append(1)
        if len(commits) == 1:
            release.wait(10)

    event.listen(engine, "commit", on_commit)
    return commits, release


def _wait_until(check: Any) -> None:
    deadline = time.monotonic() + 10
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def test_callers_waiting_share_one_commit_and_the_chain_holds(engine: Engine) -> None:
    commits, release = _commits_held_at_first(engine)
    with ThreadPoolExecutor(CALLERS + 1) as pool:
        first = pool.submit(group.append_alone, engine, actor="op:1", action="look")
        _wait_until(lambda: commits)  # the first group is committing, alone
        rest = [
            pool.submit(group.append_alone, engine, actor=f"op:{n}", action="look",
                        purpose="incident:7", details={"n": n})
            for n in range(2, CALLERS + 1)
        ]  # fmt: skip
        writer = group._writers[engine]
        _wait_until(lambda: writer._queue.qsize() == CALLERS - 1)
        assert not any(f.done() for f in rest)  # nobody returns before their entry commits
        release.set()
        entries = [f.result(timeout=10) for f in [first, *rest]]
    assert len(commits) == 2
    assert sorted(e.seq for e in entries) == list(range(1, CALLERS + 1))
    assert _entries(engine) == CALLERS
    with engine.connect() as conn:
        assert audit.verify(conn) == (CALLERS, None)


def test_a_bad_entry_fails_only_its_own_caller(engine: Engine) -> None:
    commits, release = _commits_held_at_first(engine)
    with ThreadPoolExecutor(4) as pool:
        pool.submit(group.append_alone, engine, actor="op:1", action="look")
        _wait_until(lambda: commits)
        good = pool.submit(group.append_alone, engine, actor="op:2", action="look")
        bad = pool.submit(group.append_alone, engine, actor=None, action="look")  # type: ignore[arg-type]
        writer = group._writers[engine]
        _wait_until(lambda: writer._queue.qsize() == 2)
        release.set()
        assert good.result(timeout=10).actor == "op:2"
        with pytest.raises(Exception, match=r"(?i)null"):
            bad.result(timeout=10)
    assert _entries(engine) == 2


def test_the_writer_thread_ends_when_idle_and_starts_again(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(group, "IDLE_SECONDS", 0.05)
    group.append_alone(engine, actor="op:1", action="look")
    writer = group._writers[engine]
    _wait_until(lambda: writer._thread is None)
    assert group.append_alone(engine, actor="op:1", action="look").seq == 2


def test_a_locked_database_fails_the_whole_group_at_once(sqlite_engine: Engine) -> None:
    @event.listens_for(sqlite_engine, "connect")
    def impatient(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.execute("PRAGMA busy_timeout=300")

    sqlite_engine.dispose()  # the pooled connections were opened with the long timeout
    # Another process holds the write lock: a connection of its own, outside this process's
    # writer queue (store/engine.py), so the groups reach SQLite and find it locked.
    other = sqlite3.connect(sqlite_engine.url.database, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        attempts: list[str] = []

        @event.listens_for(sqlite_engine, "before_cursor_execute")
        def count(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
            if statement == "BEGIN IMMEDIATE":
                attempts.append(statement)

        with ThreadPoolExecutor(3) as pool:
            calls = [pool.submit(group.append_alone, sqlite_engine, actor="op:1", action="look")]
            _wait_until(lambda: attempts)  # the first group waits for the lock, alone
            calls += [
                pool.submit(group.append_alone, sqlite_engine, actor=f"op:{n}", action="look")
                for n in (2, 3)
            ]
            errors = [call.exception(timeout=30) for call in calls]
    finally:
        other.rollback()
        other.close()
    assert all(isinstance(error, OperationalError) for error in errors)
    assert len(attempts) == 2  # two groups, each tried once; not again entry by entry
    assert _entries(sqlite_engine) == 0
