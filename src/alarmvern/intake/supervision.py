"""Supervision: a panel silent past its interval raises a technical incident for its site.

A panel's interval is its site's ``supervision_seconds``; without one, a panel must be heard
once a day (the periodic test most panels send), with an hour's slack. A panel never heard
from at all counts from when its site was registered.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import Connection, exists, func, select

from alarmvern import audit
from alarmvern.store.tables import account_supervision, incidents, sites
from alarmvern.store.tables.columns import as_utc

DEFAULT_INTERVAL = timedelta(hours=25)
KIND = "technical:supervision"


def silent_sites(conn: Connection, now: datetime) -> list[tuple[int, int, str]]:
    """(site, account, panel account) of panels silent too long, with no incident open."""
    interval = func.coalesce(sites.c.supervision_seconds, DEFAULT_INTERVAL.total_seconds())
    open_incident = exists().where(
        incidents.c.site_id == sites.c.id,
        incidents.c.kind == KIND,
        incidents.c.closed_at.is_(None),
    )
    heard = account_supervision.c.panel_account == func.upper(sites.c.panel_account)
    query = (
        select(
            sites.c.id,
            sites.c.account_id,
            sites.c.panel_account,
            func.coalesce(account_supervision.c.last_seen_at, sites.c.created_at).label("last"),
            interval.label("interval"),
        )
        .outerjoin(account_supervision, heard)
        .where(sites.c.panel_account.is_not(None), ~open_incident)
    )
    silent = []
    for row in conn.execute(query):
        if as_utc(row.last) + timedelta(seconds=float(row.interval)) < now:
            silent.append((int(row.id), int(row.account_id), str(row.panel_account)))
    return silent


def raise_incidents(conn: Connection, now: datetime | None = None) -> int:
    """Open a technical incident for each silent panel; return how many were opened."""
    now = now or datetime.now(UTC)
    found = silent_sites(conn, now)
    for site_id, account_id, panel_account in found:
        conn.execute(
            incidents.insert().values(
                account_id=account_id, site_id=site_id, kind=KIND, status="received", opened_at=now
            )
        )
        audit.append(
            conn,
            actor="intake",
            action="supervision.silent",
            details={"site": site_id, "panel_account": panel_account},
        )
    return len(found)
