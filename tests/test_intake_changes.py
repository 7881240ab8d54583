"""A change to an incident made through another connection pool (another process, in
``serve --workers N``) reaches a console's stream within a second: LISTEN/NOTIFY on
PostgreSQL, the polled step counter on SQLite."""

from __future__ import annotations

import asyncio
import time

from sqlalchemy import Engine, create_engine

from alarmvern.intake import changes
from alarmvern.intake import incidents as inc
from tests import builders as b


def test_a_change_in_another_process_is_heard_within_a_second(engine: Engine) -> None:
    with engine.begin() as conn:
        site = b.site(conn, b.account(conn, b.person(conn)))
    other = create_engine(engine.url.render_as_string(hide_password=False))  # another "process"
    watcher = changes.Watcher(engine)

    async def hear() -> float:
        stream = watcher.changes().__aiter__()
        first = await stream.__anext__()
        await asyncio.sleep(0.3)  # the listener is up
        start = time.monotonic()
        with other.begin() as conn:
            inc.open_incident(conn, account_id=None, site_id=site, kind="fire", at=b.T0)
        heard = await asyncio.wait_for(stream.__anext__(), timeout=2)
        assert heard > first
        return time.monotonic() - start

    try:
        assert asyncio.run(hear()) < 1.0
    finally:
        watcher.stop()
        other.dispose()


def test_a_rolled_back_change_is_not_told(engine: Engine) -> None:
    with engine.begin() as conn:
        site = b.site(conn, b.account(conn, b.person(conn)))
    watcher = changes.Watcher(engine)
    before = watcher.version
    try:
        with engine.connect() as conn, conn.begin() as txn:
            inc.open_incident(conn, account_id=None, site_id=site, kind="fire", at=b.T0)
            txn.rollback()
        time.sleep(0.6)
        assert watcher.version == before
    finally:
        watcher.stop()
