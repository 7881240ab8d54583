"""Writing a batch of signals in one transaction: the arm/disarm log, incidents, and the
panels' last-seen times. The caller acknowledges nothing until this has committed.

This is intake's hot path, so it talks to the driver directly where SQLAlchemy's per-row
work would dominate. Frames already stored (a resend whose ACK was lost) are neither stored
again nor allowed to open an incident again. A frame without a timestamp is a resend only
within ``RESEND_WINDOW`` of the first (see docs/intake.md).

- SQLite: the stored frame keys are looked up first, then one prepared INSERT is executed
  for the new rows (the database is in this process: a query costs no round trip).
- PostgreSQL: one round trip for the whole batch (psycopg's pipeline mode): a single
  ``INSERT … SELECT FROM unnest(…) WHERE NOT EXISTS (stored key) ON CONFLICT DO NOTHING
  RETURNING frame_key`` stores the new rows and says which they were, the open incidents of
  the batch's alarm sites are read, and the last-seen times are upserted, all sent together;
  only an incident that must be opened costs more (its step and audit entry). The commit
  is the second round trip, with ``synchronous_commit`` as the server has it (on).
  ``ON CONFLICT DO NOTHING`` makes two receivers storing the same resend at once store it
  once: the second waits for the first's commit and skips the row. Likewise a lock per
  alarm site, taken before the open incidents are read, makes two receivers with alarms from
  one site open one incident between them, and a lock per frame key without a timestamp
  makes a bare resend reaching both at once stored once.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, text
from sqlalchemy.dialects import postgresql, sqlite

from alarmvern.intake import incidents as lifecycle
from alarmvern.intake.directory import Directory
from alarmvern.intake.signals import Effect, Signal
from alarmvern.store import partitions
from alarmvern.store.tables import alarm_events, panel_settings

COLUMNS = (
    "account_id", "site_id", "actor_person_id", "panel_account", "protocol", "sequence", "code",
    "qualifier", "zone", "user_no", "method", "occurred_at", "received_at", "raw", "flagged",
    "frame_key", "area",
)  # fmt: skip
_SQLITE_INSERT = (
    f"INSERT OR IGNORE INTO alarm_events ({', '.join(COLUMNS)}) "
    f"VALUES ({', '.join('?' for _ in COLUMNS)})"
)


# A frame without a timestamp sent again after its ACK was lost comes back within the panel's
# retry budget: DC-09 transmitters wait tens of seconds for an ACK and retry a few times, on
# both paths. Five minutes covers that; a new event with the same sequence number and the very
# same content within five minutes is not something a panel sends (it counts sequences up).
RESEND_WINDOW = timedelta(minutes=5)


@dataclass
class Written:
    events: int = 0
    duplicates: int = 0
    incidents: int = 0


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
        return _write_postgresql(conn, directory, signals, seen, received_at)
    result = Written()
    stored = [s for s in signals if s.effect is not Effect.health]
    fresh = _not_stored_yet(conn, stored, received_at)
    rows = [_row(conn, directory, s, received_at) for s in fresh]
    if rows:
        _insert(conn, rows)
    result.events, result.duplicates = len(rows), len(stored) - len(rows)
    alarms = [s for s in fresh if s.effect in (Effect.incident, Effect.technical)]
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
    return _first_of_each(signals, known)


def _stored_keys(conn: Connection, keys: list[str], since: datetime | None = None) -> set[str]:
    """Which of ``keys`` are stored (received at ``since`` or later, if given)."""
    if conn.dialect.name == "postgresql":
        # One array parameter: a list of thousands of placeholders costs more to send.
        sql = "SELECT frame_key FROM alarm_events WHERE frame_key = ANY(:keys)"
        if since is not None:
            sql += " AND received_at >= :since"
        return set(conn.execute(text(sql), {"keys": keys, "since": since}).scalars())
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


def _row(
    conn: Connection, directory: Directory, s: Signal, received_at: datetime
) -> tuple[Any, ...]:
    account_id, site_id = directory.site(conn, s.panel_account)
    return (
        account_id, site_id, directory.person(site_id, s.user_no), s.panel_account, s.protocol,
        s.sequence, s.code, s.qualifier, s.zone, s.user_no, s.method, s.occurred_at,
        received_at, s.raw,
        # Stored raw and acknowledged all the same; flagged for someone to look at.
        not s.meaning.known or account_id is None or s.odd,
        s.frame_key, s.area,
    )  # fmt: skip


def _insert(conn: Connection, rows: list[tuple[Any, ...]]) -> None:
    raw = conn.connection.driver_connection
    assert raw is not None
    # Only the two times need converting; the received time is the batch's own.
    received = _sqlite(rows[0][_RECEIVED])
    raw.executemany(
        _SQLITE_INSERT,
        [(*r[:_OCCURRED], _sqlite(r[_OCCURRED]), received, *r[_RECEIVED + 1 :]) for r in rows],
    )


_OCCURRED, _RECEIVED = COLUMNS.index("occurred_at"), COLUMNS.index("received_at")


def _sqlite(value: Any) -> Any:
    # The text SQLAlchemy itself stores for a DateTime on SQLite (times are UTC here).
    if isinstance(value, datetime):
        utc = value.astimezone(UTC) if value.tzinfo is not None else value
        return utc.strftime("%Y-%m-%d %H:%M:%S.%f")
    return value


def _open_incidents(conn: Connection, directory: Directory, alarms: Iterable[Signal]) -> int:
    """Open an incident for each site with a new alarm and none of its family open.

    One open alarm incident collects every alarm at a site until it is closed; technical
    incidents are one per kind of trouble.
    """
    wanted = _wanted(conn, directory, alarms)
    if not wanted:
        return 0
    raw = conn.connection.driver_connection
    assert raw is not None
    sites = sorted({site for site, _ in wanted})
    open_now: set[tuple[int, str]] = set()
    for start in range(0, len(sites), 500):  # straight to the driver: this runs every batch
        part = sites[start : start + 500]
        sql = _SQLITE_OPEN.format(", ".join("?" for _ in part))
        open_now.update((int(site), _family(kind)) for site, kind in raw.execute(sql, part))
    return _open_missing(conn, wanted, open_now)


_SQLITE_OPEN = "SELECT site_id, kind FROM incidents WHERE closed_at IS NULL AND site_id IN ({})"


Wanted = dict[tuple[int, str], tuple[int | None, Signal]]  # (site, family) → (account, first)


def _wanted(conn: Connection, directory: Directory, alarms: Iterable[Signal]) -> Wanted:
    wanted: Wanted = {}
    for signal in alarms:
        account_id, site_id = directory.site(conn, signal.panel_account)
        if site_id is not None:
            wanted.setdefault((site_id, _family(signal.incident_kind)), (account_id, signal))
    return wanted


def _open_missing(conn: Connection, wanted: Wanted, open_now: set[tuple[int, str]]) -> int:
    openings = [
        lifecycle.Opening(account_id, site_id, signal.incident_kind, signal.occurred_at)
        for (site_id, family), (account_id, signal) in wanted.items()
        if (site_id, family) not in open_now
    ]
    return len(lifecycle.open_incidents(conn, openings))


def _family(kind: str) -> str:
    return kind if kind.startswith("technical:") else "alarm"


# PostgreSQL: the batch in one round trip.

_PG_TYPES = (
    "bigint", "bigint", "bigint", "text", "text", "text", "text", "text", "text", "integer",
    "text", "timestamptz", "timestamptz", "text", "boolean", "text", "text",
)  # fmt: skip
_PG_INSERT = (
    f"INSERT INTO alarm_events ({', '.join(COLUMNS)}) "
    f"SELECT {', '.join('b.' + c for c in COLUMNS)} FROM unnest("
    + ", ".join(f"%s::{kind}[]" for kind in _PG_TYPES)
    + f", %s::boolean[]) AS b({', '.join(COLUMNS)}, stamped) "
    "WHERE NOT EXISTS (SELECT 1 FROM alarm_events e WHERE e.frame_key = b.frame_key "
    "AND (b.stamped OR e.received_at >= %s)) "
    "ON CONFLICT (frame_key, occurred_at) DO NOTHING RETURNING frame_key"
)
_PG_OPEN = (
    "SELECT site_id, kind FROM incidents WHERE closed_at IS NULL AND site_id = ANY(%s::bigint[])"
)
# Two receivers with alarms from the same site in the same instant would each read "no
# incident open" and each open one. A lock per site, held to the commit, makes the second
# wait for the first and then read its incident. The sites are locked in one order, so two
# batches cannot wait on each other; two sites that share a key (mod 2^31) only wait longer.
_PG_SITE_LOCKS = (
    "SELECT pg_advisory_xact_lock(%s, (s %% 2147483647)::integer) "
    "FROM (SELECT DISTINCT unnest(%s::bigint[]) AS s ORDER BY 1 OFFSET 0) AS sites"
)
_SITE_LOCK_SPACE = 0x517E  # the first int of the pair: this module's locks, apart from others
# A frame without a timestamp is stored at its received time, which differs between two
# receivers, so the unique key cannot catch the same bare resend reaching both at once. A
# lock per bare frame key, taken before the insert looks for it, makes the second wait for
# the first's commit and then find its row. Locked in one order, before the site locks.
_PG_BARE_LOCKS = (
    "SELECT pg_advisory_xact_lock(%s, k) "
    "FROM (SELECT DISTINCT hashtext(unnest(%s::text[])) AS k ORDER BY 1 OFFSET 0) AS bare"
)
_BARE_LOCK_SPACE = 0x0BA7
# A later time only: with several receivers, an older batch may commit after a newer one.
_PG_SEEN = (
    "INSERT INTO account_supervision (panel_account, last_seen_at) "
    "SELECT * FROM unnest(%s::text[], %s::timestamptz[]) "
    "ON CONFLICT (panel_account) DO UPDATE SET last_seen_at = "
    "GREATEST(account_supervision.last_seen_at, excluded.last_seen_at)"
)


def _write_postgresql(
    conn: Connection,
    directory: Directory,
    signals: Sequence[Signal],
    seen: dict[str, datetime],
    received_at: datetime,
) -> Written:
    stored = _first_of_each(s for s in signals if s.effect is not Effect.health)
    rows = [_row(conn, directory, s, received_at) for s in stored]
    candidates = _wanted(conn, directory, (s for s in stored if s.effect in _ALARMS))
    known = {a: t for a, t in sorted(seen.items()) if directory.site(conn, a)[1] is not None}
    if rows:
        partitions.ensure(conn, alarm_events.name, {s.occurred_at for s in stored})
    raw = conn.connection.driver_connection
    assert raw is not None
    with raw.cursor() as inserted, raw.cursor() as open_now:
        with raw.pipeline():  # everything below is sent at once; the answers come at its end
            if bare := [s.frame_key for s in stored if s.frame_key and not s.stamped]:
                raw.execute(_PG_BARE_LOCKS, [_BARE_LOCK_SPACE, bare])
            if rows:
                columns = [list(column) for column in zip(*rows, strict=True)]
                stamped = [s.stamped for s in stored]
                inserted.execute(_PG_INSERT, [*columns, stamped, received_at - RESEND_WINDOW])
            if candidates:
                alarm_sites = sorted({site for site, _ in candidates})
                raw.execute(_PG_SITE_LOCKS, [_SITE_LOCK_SPACE, alarm_sites])
                open_now.execute(_PG_OPEN, [alarm_sites])
            if known:
                raw.execute(_PG_SEEN, [list(known), list(known.values())])
        new_keys = {key for (key,) in inserted.fetchall()} if rows else set()
        open_sites = open_now.fetchall() if candidates else []
    fresh = [s for s in stored if s.frame_key is None or s.frame_key in new_keys]
    wanted = _wanted(conn, directory, (s for s in fresh if s.effect in _ALARMS))
    return Written(
        events=len(fresh),
        duplicates=sum(1 for s in signals if s.effect is not Effect.health) - len(fresh),
        incidents=_open_missing(conn, wanted, {(int(a), _family(b)) for a, b in open_sites}),
    )


_ALARMS = (Effect.incident, Effect.technical)


def _first_of_each(signals: Iterable[Signal], known: Iterable[str] = ()) -> list[Signal]:
    """The signals, each frame key once (a resend within the batch is the same frame), and
    none whose key is ``known`` already."""
    keys = set(known)
    first = []
    for signal in signals:
        if signal.frame_key is not None:
            if signal.frame_key in keys:
                continue
            keys.add(signal.frame_key)
        first.append(signal)
    return first


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
