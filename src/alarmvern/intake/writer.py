"""Writing a batch of signals in one transaction: the arm/disarm log, incidents, and the
panels' last-seen times. The caller acknowledges nothing until this has committed.

This is intake's hot path, so it talks to the driver directly where SQLAlchemy's per-row
work would dominate. Frames already stored (a resend whose ACK was lost) are neither stored
again nor allowed to open an incident again. A frame without a timestamp is a resend only
within ``RESEND_WINDOW`` of the first (see docs/intake.md).

- SQLite (here): the stored frame keys are looked up first, then one prepared INSERT is
  executed for the new rows (the database is in this process: a query costs no round trip).
- PostgreSQL (:mod:`.writer_pg`): the rows by COPY into a staging table, then one pipeline
  that stores the new ones and reads what opening incidents needs, then the commit.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.dialects import postgresql, sqlite

from alarmvern.intake import writer_pg
from alarmvern.intake.batch import (
    ALARMS,
    COLUMNS,
    OCCURRED,
    RECEIVED,
    RESEND_WINDOW,
    Written,
    family,
    first_of_each,
    open_missing,
    row,
    wanted,
)
from alarmvern.intake.directory import Directory
from alarmvern.intake.signals import Effect, Signal
from alarmvern.store.tables import panel_settings

_SQLITE_INSERT = (
    f"INSERT OR IGNORE INTO alarm_events ({', '.join(COLUMNS)}) "
    f"VALUES ({', '.join('?' for _ in COLUMNS)})"
)


def write(
    conn: Connection,
    directory: Directory,
    signals: Sequence[Signal],
    seen: dict[str, datetime],
    received_at: datetime,
) -> Written:
    """Store ``signals`` and the panels ``seen`` (account → last time) in ``conn``'s
    transaction."""
    if conn.dialect.name == "postgresql":
        return writer_pg.write(conn, directory, signals, seen, received_at)
    result = Written()
    stored = [s for s in signals if s.effect is not Effect.health]
    fresh = _not_stored_yet(conn, stored, received_at)
    rows = [row(conn, directory, s, received_at) for s in fresh]
    if rows:
        _insert(conn, rows)
    result.events, result.duplicates = len(rows), len(stored) - len(rows)
    alarms = [s for s in fresh if s.effect in ALARMS]
    result.incidents = _open_incidents(conn, directory, alarms)
    _mark_seen(conn, {a: t for a, t in seen.items() if directory.site(conn, a)[1] is not None})
    return result


def _not_stored_yet(conn: Connection, signals: list[Signal], received_at: datetime) -> list[Signal]:
    """The signals whose frames are new: not in the store, and not earlier in this batch."""
    stamped = [s.frame_key for s in signals if s.frame_key is not None and s.stamped]
    bare = [s.frame_key for s in signals if s.frame_key is not None and not s.stamped]
    known = _stored_keys(conn, stamped) if stamped else set()
    if bare:
        known |= _stored_keys(conn, bare, since=received_at - RESEND_WINDOW)
    return first_of_each(signals, known)


def _stored_keys(conn: Connection, keys: list[str], since: datetime | None = None) -> set[str]:
    """Which of ``keys`` are stored (received at ``since`` or later, if given)."""
    raw = conn.connection.driver_connection  # straight to the driver: this runs every batch
    assert raw is not None
    found: set[str] = set()
    for start in range(0, len(keys), 500):
        part: list[Any] = keys[start : start + 500]
        marks = ", ".join("?" for _ in part)
        sql = f"SELECT frame_key FROM alarm_events WHERE frame_key IN ({marks})"
        if since is not None:
            sql += " AND received_at >= ?"
            part = [*part, _sqlite(since)]
        found.update(key for (key,) in raw.execute(sql, part))
    return found


def _insert(conn: Connection, rows: list[tuple[Any, ...]]) -> None:
    raw = conn.connection.driver_connection
    assert raw is not None
    # Only the two times need converting; the received time is the batch's own.
    received = _sqlite(rows[0][RECEIVED])
    raw.executemany(
        _SQLITE_INSERT,
        [(*r[:OCCURRED], _sqlite(r[OCCURRED]), received, *r[RECEIVED + 1 :]) for r in rows],
    )


def _sqlite(value: Any) -> Any:
    # The text SQLAlchemy itself stores for a DateTime on SQLite (times are UTC here).
    if isinstance(value, datetime):
        utc = value.astimezone(UTC) if value.tzinfo is not None else value
        return utc.strftime("%Y-%m-%d %H:%M:%S.%f")
    return value


def _open_incidents(conn: Connection, directory: Directory, alarms: Iterable[Signal]) -> int:
    """Open an incident for each site with a new alarm and none of its family open
    (:func:`.batch.family`)."""
    candidates = wanted(conn, directory, alarms)
    if not candidates:
        return 0
    raw = conn.connection.driver_connection
    assert raw is not None
    sites = sorted({site for site, _ in candidates})
    open_now: set[tuple[int, str]] = set()
    for start in range(0, len(sites), 500):  # straight to the driver: this runs every batch
        part = sites[start : start + 500]
        sql = _SQLITE_OPEN.format(", ".join("?" for _ in part))
        open_now.update((int(site), family(kind)) for site, kind in raw.execute(sql, part))
    return open_missing(conn, candidates, open_now)


_SQLITE_OPEN = "SELECT site_id, kind FROM incidents WHERE closed_at IS NULL AND site_id IN ({})"


# A later time only, as on PostgreSQL (times are stored as text that sorts as it reads).
_SQLITE_SEEN = (
    "INSERT INTO account_supervision (panel_account, last_seen_at) VALUES (?, ?) "
    "ON CONFLICT (panel_account) DO UPDATE SET last_seen_at = "
    "max(account_supervision.last_seen_at, excluded.last_seen_at)"
)


def _mark_seen(conn: Connection, seen: dict[str, datetime]) -> None:
    """One row per panel, updated, never a row per heartbeat (SQLite; straight to the
    driver, as for the rows)."""
    if not seen:
        return
    raw = conn.connection.driver_connection
    assert raw is not None
    raw.executemany(_SQLITE_SEEN, [(a, _sqlite(t)) for a, t in sorted(seen.items())])


def flag_rate_limited(conn: Connection, limited: dict[str, datetime]) -> None:
    """Record when each account was last refused for its rate (``panel_settings``)."""
    if not limited:
        return
    rows = [
        {"panel_account": a, "rate_limited_at": t, "clear_timestamps_checked": False}
        for a, t in sorted(limited.items())
    ]
    dialect: Any = postgresql if conn.dialect.name == "postgresql" else sqlite
    statement = dialect.insert(panel_settings)
    statement = statement.on_conflict_do_update(
        index_elements=["panel_account"],
        set_={"rate_limited_at": statement.excluded.rate_limited_at},
    )
    conn.execute(statement, rows)
