"""Writing a batch of signals on PostgreSQL: three round trips, whatever its size.

1. ``CREATE TEMP TABLE IF NOT EXISTS`` a staging table of this connection's own (a no-op
   once made; its rows go at the commit, or with a rollback).
2. The batch's rows, into it by ``COPY … (FORMAT BINARY)``: psycopg writes binary rows in C,
   where binding them as seventeen arrays (``unnest``) cost about 35 µs a row in Python,
   in the receiver's one interpreter, which its event loop shares.
3. Everything else at once (psycopg's pipeline mode), the answers coming at its end: a
   single ``INSERT … SELECT FROM`` the staging table ``WHERE NOT EXISTS (stored key) ON
   CONFLICT DO NOTHING RETURNING frame_key`` stores the new rows and says which they were,
   the open incidents of the batch's alarm sites are read, and the last-seen times are
   upserted. Only an incident that must be opened costs more (its step and audit entry).

The commit is the last round trip, with ``synchronous_commit`` as the server has it (on).

The stored-key check is a subquery the planner may not turn into a join (``OFFSET 0``): as
a join it read the whole month's partition into a hash table for every batch (96,000 rows:
55 of a batch's 90 ms), a plan it takes while the table's statistics lag its growth; as a
subquery it is an index probe per row, whatever the table holds.

``ON CONFLICT DO NOTHING`` makes two receivers storing the same resend at once store it
once: the second waits for the first's commit and skips the row. Likewise a lock per alarm
site, taken before the open incidents are read, makes two receivers with alarms from one
site open one incident between them, and a lock per frame key without a timestamp makes a
bare resend reaching both at once stored once.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from alarmvern.intake.batch import (
    ALARMS,
    COLUMNS,
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
from alarmvern.store import partitions
from alarmvern.store.tables import alarm_events

# The staging table's columns: an event's, and whether its frame had a timestamp. Text where
# the event's column is varchar(n): the INSERT's cast refuses a value too long, as before.
_STAGING_TYPES = (
    "int8", "int8", "int8", "text", "text", "text", "text", "text", "text", "int4", "text",
    "timestamptz", "timestamptz", "text", "bool", "text", "text", "bool",
)  # fmt: skip
_STAGING_COLUMNS = (*COLUMNS, "stamped")
# Named with its schema where used: a table of the same name in the search path is not it.
_CREATE_STAGING = (
    "CREATE TEMP TABLE IF NOT EXISTS intake_batch ("
    + ", ".join(f"{c} {kind}" for c, kind in zip(_STAGING_COLUMNS, _STAGING_TYPES, strict=True))
    + ") ON COMMIT DELETE ROWS"
)
_COPY = f"COPY pg_temp.intake_batch ({', '.join(_STAGING_COLUMNS)}) FROM STDIN (FORMAT BINARY)"
_INSERT = (
    f"INSERT INTO alarm_events ({', '.join(COLUMNS)}) "
    f"SELECT {', '.join('b.' + c for c in COLUMNS)} FROM pg_temp.intake_batch b "
    "WHERE NOT EXISTS (SELECT 1 FROM alarm_events e WHERE e.frame_key = b.frame_key "
    "AND (b.stamped OR e.received_at >= %s) OFFSET 0) "
    "ON CONFLICT (frame_key, occurred_at) DO NOTHING RETURNING frame_key"
)
_OPEN = (
    "SELECT site_id, kind FROM incidents WHERE closed_at IS NULL AND site_id = ANY(%s::bigint[])"
)
# Two receivers with alarms from the same site in the same instant would each read "no
# incident open" and each open one. A lock per site, held to the commit, makes the second
# wait for the first and then read its incident. The sites are locked in one order, so two
# batches cannot wait on each other; two sites that share a key (mod 2^31) only wait longer.
_SITE_LOCKS = (
    "SELECT pg_advisory_xact_lock(%s, (s %% 2147483647)::integer) "
    "FROM (SELECT DISTINCT unnest(%s::bigint[]) AS s ORDER BY 1 OFFSET 0) AS sites"
)
_SITE_LOCK_SPACE = 0x517E  # the first int of the pair: this module's locks, apart from others
# A frame without a timestamp is stored at its received time, which differs between two
# receivers, so the unique key cannot catch the same bare resend reaching both at once. A
# lock per bare frame key, taken before the insert looks for it, makes the second wait for
# the first's commit and then find its row. Locked in one order, before the site locks.
_BARE_LOCKS = (
    "SELECT pg_advisory_xact_lock(%s, k) "
    "FROM (SELECT DISTINCT hashtext(unnest(%s::text[])) AS k ORDER BY 1 OFFSET 0) AS bare"
)
_BARE_LOCK_SPACE = 0x0BA7
# A later time only: with several receivers, an older batch may commit after a newer one.
_SEEN = (
    "INSERT INTO account_supervision (panel_account, last_seen_at) "
    "SELECT * FROM unnest(%s::text[], %s::timestamptz[]) "
    "ON CONFLICT (panel_account) DO UPDATE SET last_seen_at = "
    "GREATEST(account_supervision.last_seen_at, excluded.last_seen_at)"
)


def write(
    conn: Connection,
    directory: Directory,
    signals: Sequence[Signal],
    seen: dict[str, datetime],
    received_at: datetime,
) -> Written:
    """Store ``signals`` and the panels ``seen`` (account → last time) in ``conn``'s
    transaction (see :func:`alarmvern.intake.writer.write`)."""
    stored = first_of_each(s for s in signals if s.effect is not Effect.health)
    rows = [row(conn, directory, s, received_at) for s in stored]
    candidates = wanted(conn, directory, (s for s in stored if s.effect in ALARMS))
    known = {a: t for a, t in sorted(seen.items()) if directory.site(conn, a)[1] is not None}
    raw = conn.connection.driver_connection
    assert raw is not None
    if rows:
        partitions.ensure(conn, alarm_events.name, {s.occurred_at for s in stored})
        _stage(raw, rows, stored)
    with raw.cursor() as inserted, raw.cursor() as open_now:
        with raw.pipeline():  # everything below is sent at once; the answers come at its end
            if bare := [s.frame_key for s in stored if s.frame_key and not s.stamped]:
                raw.execute(_BARE_LOCKS, [_BARE_LOCK_SPACE, bare])
            if rows:
                inserted.execute(_INSERT, [received_at - RESEND_WINDOW])
            if candidates:
                alarm_sites = sorted({site for site, _ in candidates})
                raw.execute(_SITE_LOCKS, [_SITE_LOCK_SPACE, alarm_sites])
                open_now.execute(_OPEN, [alarm_sites])
            if known:
                raw.execute(_SEEN, [list(known), list(known.values())])
        new_keys = {key for (key,) in inserted.fetchall()} if rows else set()
        open_sites = open_now.fetchall() if candidates else []
    fresh = [s for s in stored if s.frame_key is None or s.frame_key in new_keys]
    alarms = wanted(conn, directory, (s for s in fresh if s.effect in ALARMS))
    return Written(
        events=len(fresh),
        duplicates=sum(1 for s in signals if s.effect is not Effect.health) - len(fresh),
        incidents=open_missing(conn, alarms, {(int(a), family(b)) for a, b in open_sites}),
    )


def _stage(raw: Any, rows: list[tuple[Any, ...]], stored: list[Signal]) -> None:
    """The batch's rows into this connection's staging table (emptied at the commit)."""
    raw.execute(_CREATE_STAGING)  # 0.06 ms once it exists; a rollback takes it away
    with raw.cursor() as cursor, cursor.copy(_COPY) as copy:
        copy.set_types(_STAGING_TYPES)
        for values, signal in zip(rows, stored, strict=True):
            copy.write_row((*values, signal.stamped))
