"""Writing a batch of signals in one transaction: the arm/disarm log, incidents, and the
panels' last-seen times. The caller acknowledges nothing until this has committed.

Panel accounts and panel users are looked up once and kept in memory: intake meets the same
few thousand panels all day, and a lookup per event would cost more than the insert.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Table, and_, select
from sqlalchemy.dialects import postgresql, sqlite

from alarmvern.intake.signals import Effect, Signal
from alarmvern.store import partitions
from alarmvern.store.tables import account_supervision, alarm_events, incidents, panel_users, sites

SITE_UNKNOWN = (None, None)


@dataclass
class Directory:
    """Panel account → (customer account, site); (site, user number) → person."""

    sites: dict[str, tuple[int | None, int | None]] = field(default_factory=dict)
    users: dict[tuple[int, int], int | None] = field(default_factory=dict)

    def site(self, conn: Connection, panel_account: str) -> tuple[int | None, int | None]:
        if panel_account not in self.sites:
            row = conn.execute(
                select(sites.c.account_id, sites.c.id).where(sites.c.panel_account == panel_account)
            ).first()
            self.sites[panel_account] = (row.account_id, row.id) if row else SITE_UNKNOWN
        return self.sites[panel_account]

    def person(self, conn: Connection, site_id: int | None, user_no: int | None) -> int | None:
        if site_id is None or user_no is None:
            return None
        key = (site_id, user_no)
        if key not in self.users:
            self.users[key] = conn.execute(
                select(panel_users.c.person_id).where(
                    panel_users.c.site_id == site_id,
                    panel_users.c.user_no == user_no,
                    panel_users.c.removed_at.is_(None),
                )
            ).scalar()
        return self.users[key]

    def forget(self) -> None:
        """Drop what is cached (a site or panel user was added or changed)."""
        self.sites.clear()
        self.users.clear()


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
    rows = [_row(conn, directory, s, received_at) for s in signals if s.effect is not Effect.health]
    if rows:
        inserted = _insert_events(conn, rows)
        result.events, result.duplicates = inserted, len(rows) - inserted
    for signal in signals:
        if signal.effect in (Effect.incident, Effect.technical):
            result.incidents += _open_incident(conn, directory, signal)
    _mark_seen(conn, seen)
    return result


def _row(
    conn: Connection, directory: Directory, s: Signal, received_at: datetime
) -> dict[str, Any]:
    account_id, site_id = directory.site(conn, s.panel_account)
    return {
        "account_id": account_id,
        "site_id": site_id,
        "actor_person_id": directory.person(conn, site_id, s.user_no),
        "panel_account": s.panel_account,
        "protocol": s.protocol,
        "sequence": s.sequence,
        "code": s.code,
        "qualifier": s.qualifier,
        "zone": s.zone,
        "user_no": s.user_no,
        "method": s.method,
        "occurred_at": s.occurred_at,
        "received_at": received_at,
        "raw": s.raw,
        # Stored raw and acknowledged all the same; flagged for someone to look at.
        "flagged": not s.meaning.known or account_id is None,
        "frame_key": s.frame_key,
    }


def _insert_events(conn: Connection, rows: list[dict[str, Any]]) -> int:
    """Insert, skipping frames already stored (a resend whose ACK was lost); return how many
    were new."""
    dialect: Any = postgresql if conn.dialect.name == "postgresql" else sqlite
    if conn.dialect.name == "postgresql":
        partitions.ensure(conn, "alarm_events", {r["occurred_at"] for r in rows})
    statement = dialect.insert(alarm_events).on_conflict_do_nothing()
    return len(conn.execute(statement.returning(alarm_events.c.id), rows).all())


def _open_incident(conn: Connection, directory: Directory, signal: Signal) -> int:
    """Open an incident for the site unless one of that kind is open already."""
    account_id, site_id = directory.site(conn, signal.panel_account)
    if site_id is None:
        return 0
    kind = signal.incident_kind
    open_already = conn.execute(
        select(incidents.c.id).where(
            incidents.c.site_id == site_id,
            incidents.c.closed_at.is_(None),
            _same_family(incidents, kind),
        )
    ).first()
    if open_already:
        return 0
    conn.execute(
        incidents.insert().values(
            account_id=account_id,
            site_id=site_id,
            kind=kind,
            status="received",
            opened_at=signal.occurred_at,
        )
    )
    return 1


def _same_family(table: Table, kind: str) -> Any:
    # One open alarm incident per site collects every alarm until it is closed; technical
    # incidents are one per kind of trouble.
    if kind.startswith("technical:"):
        return table.c.kind == kind
    return and_(~table.c.kind.startswith("technical:"))


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
