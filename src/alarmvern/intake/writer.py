"""Writing a batch of signals in one transaction: the arm/disarm log, incidents, and the
panels' last-seen times. The caller acknowledges nothing until this has committed.

This is intake's hot path, so it talks to the driver directly where SQLAlchemy's per-row
work would dominate: one prepared INSERT executed many times on SQLite, COPY on PostgreSQL
(``store.writes``). Frames already stored (a resend whose ACK was lost) are found first, by
their frame keys, and neither stored again nor allowed to open an incident again. A frame
without a timestamp is a resend only within ``RESEND_WINDOW`` of the first (see
docs/intake.md).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, select, text
from sqlalchemy.dialects import postgresql, sqlite

from alarmvern.intake import incidents as lifecycle
from alarmvern.intake.directory import Directory
from alarmvern.intake.signals import Effect, Signal
from alarmvern.store.tables import account_supervision, alarm_events, incidents, panel_settings
from alarmvern.store.writes import insert_many

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
    fresh = []
    for signal in signals:
        if signal.frame_key is not None:
            if signal.frame_key in known:
                continue
            known.add(signal.frame_key)
        fresh.append(signal)
    return fresh


def _stored_keys(conn: Connection, keys: list[str], since: datetime | None = None) -> set[str]:
    """Which of ``keys`` are stored (received at ``since`` or later, if given)."""
    recent = alarm_events.c.received_at >= since if since is not None else None
    if conn.dialect.name == "postgresql":
        # One array parameter: a list of thousands of placeholders costs more to send.
        sql = "SELECT frame_key FROM alarm_events WHERE frame_key = ANY(:keys)"
        if since is not None:
            sql += " AND received_at >= :since"
        return set(conn.execute(text(sql), {"keys": keys, "since": since}).scalars())
    found: set[str] = set()
    for start in range(0, len(keys), 500):
        part = keys[start : start + 500]
        chosen = select(alarm_events.c.frame_key).where(alarm_events.c.frame_key.in_(part))
        if recent is not None:
            chosen = chosen.where(recent)
        found.update(conn.execute(chosen).scalars())
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
    if conn.dialect.name == "postgresql":
        insert_many(conn, alarm_events, [dict(zip(COLUMNS, row, strict=True)) for row in rows])
        return
    raw = conn.connection.driver_connection
    assert raw is not None
    raw.executemany(_SQLITE_INSERT, [tuple(_sqlite(v) for v in row) for row in rows])


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
    wanted: dict[tuple[int, str], tuple[int | None, Signal]] = {}
    for signal in alarms:
        account_id, site_id = directory.site(conn, signal.panel_account)
        if site_id is not None:
            wanted.setdefault((site_id, _family(signal.incident_kind)), (account_id, signal))
    if not wanted:
        return 0
    open_now = {
        (int(site), _family(kind))
        for site, kind in conn.execute(
            select(incidents.c.site_id, incidents.c.kind).where(
                incidents.c.closed_at.is_(None),
                incidents.c.site_id.in_({site for site, _ in wanted}),
            )
        )
    }
    opened = 0
    for (site_id, family), (account_id, signal) in wanted.items():
        if (site_id, family) not in open_now:
            lifecycle.open_incident(
                conn, account_id=account_id, site_id=site_id, kind=signal.incident_kind,
                at=signal.occurred_at,
            )  # fmt: skip
            opened += 1
    return opened


def _family(kind: str) -> str:
    return kind if kind.startswith("technical:") else "alarm"


def _mark_seen(conn: Connection, seen: dict[str, datetime]) -> None:
    """One row per panel, updated, never a row per heartbeat."""
    if not seen:
        return
    rows = [{"panel_account": a, "last_seen_at": t} for a, t in sorted(seen.items())]
    dialect: Any = postgresql if conn.dialect.name == "postgresql" else sqlite
    statement = dialect.insert(account_supervision)
    statement = statement.on_conflict_do_update(
        index_elements=["panel_account"],
        set_={"last_seen_at": statement.excluded.last_seen_at},
    )
    conn.execute(statement, rows)


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
