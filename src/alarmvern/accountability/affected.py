"""Who a breach touched, proposed from the audit log and the data map.

Two ways in: every person whose rows a given login read in a time window (the audit log's
subjects ``person:``, ``account:`` and ``incident:`` mapped to people), and every person whose
blobs (images, call recordings: the tables the data map binds a blob column for) were stored
under a lost bucket prefix. The DPO confirms the proposal; only then are they recorded.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import Connection, Table, select

from alarmvern import audit
from alarmvern.accountability.breaches import BreachError, get
from alarmvern.store.datamap import bindings
from alarmvern.store.tables import (
    audit_log,
    breach_affected,
    customer_accounts,
    incidents,
    metadata,
)
from alarmvern.store.tables.columns import as_utc, now


def _holders(conn: Connection, account_ids: Iterable[int]) -> set[int]:
    ids = sorted(set(account_ids))
    if not ids:
        return set()
    rows = conn.execute(
        select(customer_accounts.c.holder_person_id).where(customer_accounts.c.id.in_(ids))
    )
    return {int(r[0]) for r in rows if r[0] is not None}


def read_by_login(conn: Connection, login: str, start: datetime, end: datetime) -> list[int]:
    """The people whose rows ``login`` read (per the audit log) between ``start`` and ``end``."""
    rows = conn.execute(
        select(audit_log.c.subject).where(
            audit_log.c.actor == login,
            audit_log.c.at >= as_utc(start),
            audit_log.c.at <= as_utc(end),
            audit_log.c.subject.is_not(None),
        )
    )
    people: set[int] = set()
    accounts: set[int] = set()
    incident_ids: set[int] = set()
    for (subject,) in rows:
        kind, _, key = str(subject).partition(":")
        if not key.isdigit():
            continue
        {"person": people, "account": accounts, "incident": incident_ids}.get(kind, set()).add(
            int(key)
        )
    if incident_ids:
        found = conn.execute(
            select(incidents.c.account_id).where(incidents.c.id.in_(sorted(incident_ids)))
        )
        accounts |= {int(r[0]) for r in found if r[0] is not None}
    return sorted(people | _holders(conn, accounts))


def _blob_tables() -> list[tuple[Table, str]]:
    return [(table, b.blob) for table, b in bindings(metadata) if b.blob]


def in_lost_blobs(conn: Connection, prefix: str) -> list[int]:
    """The people whose blobs' ids start with ``prefix`` (a lost bucket or folder)."""
    people: set[int] = set()
    accounts: set[int] = set()
    for table, column in _blob_tables():
        cols = [table.c[column]]
        person = table.c.get("person_id")
        account = table.c.get("account_id")
        query = select(*(c for c in (person, account) if c is not None)).where(
            cols[0].startswith(prefix, autoescape=True)
        )
        for row in conn.execute(query):
            values = row._mapping
            if person is not None and values.get("person_id") is not None:
                people.add(int(values["person_id"]))
            if account is not None and values.get("account_id") is not None:
                accounts.add(int(values["account_id"]))
    return sorted(people | _holders(conn, accounts))


SOURCES = ("audit-log", "lost-blobs", "by-hand")


def propose(
    conn: Connection,
    *,
    login: str | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    prefix: str | None = None,
) -> tuple[list[int], str]:
    """The people a DPO's question points at, and how they were found: the reads of
    ``login`` between ``start`` and ``end`` (the audit log), or the blobs under ``prefix``."""
    if login and login.strip():
        if start is None or end is None:
            raise BreachError(
                "start",
                "tidsrommet mangler: oppgi både fra og til",
                "the time window is missing: give both its start and its end",
            )
        return read_by_login(conn, login.strip(), start, end), "audit-log"
    if prefix and prefix.strip():
        return in_lost_blobs(conn, prefix.strip()), "lost-blobs"
    raise BreachError(
        "login",
        "oppgi en innlogging (med tidsrom) eller et prefiks for tapte filer",
        "give a login (with a time window) or a prefix of lost blobs",
    )


def add(conn: Connection, breach_id: int, people: Iterable[int], *, source: str, actor: str) -> int:
    """Record ``people`` as affected by the breach (once each); how many were new."""
    if source not in SOURCES:
        raise BreachError("source", f"ukjent kilde (velg {', '.join(SOURCES)})", "unknown source")
    get(conn, breach_id)
    known = {
        int(r[0])
        for r in conn.execute(
            select(breach_affected.c.person_id).where(breach_affected.c.breach_id == breach_id)
        )
    }
    new = sorted(set(people) - known)
    moment = now()
    if new:
        conn.execute(
            breach_affected.insert(),
            [
                {"breach_id": breach_id, "person_id": p, "source": source, "added_at": moment}
                for p in new
            ],
        )
    audit.append(
        conn,
        actor=actor,
        action="breach.affected",
        subject=f"breach:{breach_id}",
        details={"added": len(new), "source": source},
    )
    return len(new)


def affected(conn: Connection, breach_id: int) -> list[tuple[int, str]]:
    """The people recorded as affected: (person id, how they were found)."""
    rows = conn.execute(
        select(breach_affected.c.person_id, breach_affected.c.source)
        .where(breach_affected.c.breach_id == breach_id)
        .order_by(breach_affected.c.person_id)
    )
    return [(int(p), s) for p, s in rows]
