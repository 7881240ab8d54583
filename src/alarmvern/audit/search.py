"""Searching the audit log as a DPO asks: about a person (their own entries and those of
their accounts, sites, incidents and images), by actor, action, purpose and date; and "who
has looked at this customer's images" in one step.

An entry names its subject by key (``person:7``, ``site:3``, ``media:12``), never by
content, so a person's entries are found by first listing the keys that lead to them.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Connection, Engine, or_, select

from alarmvern.audit.group import append_alone
from alarmvern.store.engine import reading
from alarmvern.store.tables import (
    audit_log,
    customer_accounts,
    incidents,
    logins,
    media,
    persons,
    sites,
)
from alarmvern.store.tables.columns import as_utc

PAGE = 100
EXPORT_LIMIT = 100_000  # entries in one CSV export (a narrower search for more)
OSLO = ZoneInfo("Europe/Oslo")
# Actions that show a person's images to someone: a look at an image itself, or at a site's
# incident view listing its images (the entry counts them under "media").
IMAGE_LOOKS = ("operator.view", "staff.view", "staff.download")


@dataclass(frozen=True)
class Query:
    person_id: int | None = None
    actor: str | None = None
    action: str | None = None  # an action, or its family with a trailing dot ("operator.")
    purpose: str | None = None
    since: date | None = None
    until: date | None = None  # inclusive
    images: bool = False  # only the looks at the person's images (needs person_id)


@dataclass(frozen=True)
class Entry:
    seq: int
    at: datetime
    actor: str
    action: str
    subject: str | None
    purpose: str | None
    details: dict[str, Any]


class SearchError(ValueError):
    """The search cannot be run as asked; the message says why."""


def parse(
    *,
    person: str = "",
    actor: str = "",
    action: str = "",
    purpose: str = "",
    since: str = "",
    until: str = "",
    images: bool = False,
) -> Query:
    """A search as a form gives it (empty means any), or a refusal naming the field."""
    person = person.strip()
    if person and not person.isdigit():
        raise SearchError(f"person må være et nummer / person must be a number: {person[:18]}")

    def day(value: str, field: str) -> date | None:
        try:
            return date.fromisoformat(value.strip()) if value.strip() else None
        except ValueError:
            raise SearchError(
                f"{field} må være en dato (ÅÅÅÅ-MM-DD) / {field} must be a date (YYYY-MM-DD)"
            ) from None

    return Query(
        person_id=int(person) if person else None,
        actor=actor.strip() or None,
        action=action.strip() or None,
        purpose=purpose.strip() or None,
        since=day(since, "fra"),
        until=day(until, "til"),
        images=images,
    )


def subjects_of(conn: Connection, person_id: int, *, images: bool = False) -> list[str]:
    """The audit subjects that lead to the person: themselves, their accounts, sites,
    incidents and images (with ``images``, only the sites and the images)."""
    accounts = [
        int(a)
        for a in conn.execute(
            select(customer_accounts.c.id).where(customer_accounts.c.holder_person_id == person_id)
        ).scalars()
    ]
    in_accounts = sites.c.account_id.in_(accounts or [-1])
    site_ids = [int(s) for s in conn.execute(select(sites.c.id).where(in_accounts)).scalars()]
    media_ids = [
        int(m)
        for m in conn.execute(
            select(media.c.id).where(
                media.c.account_id.in_(accounts or [-1]) | (media.c.person_id == person_id)
            )
        ).scalars()
    ]
    found = [f"site:{s}" for s in site_ids] + [f"media:{m}" for m in media_ids]
    if images:
        return found
    incident_ids = [
        int(i)
        for i in conn.execute(
            select(incidents.c.id).where(incidents.c.account_id.in_(accounts or [-1]))
        ).scalars()
    ]
    return (
        [f"person:{person_id}"]
        + [f"account:{a}" for a in accounts]
        + found
        + [f"incident:{i}" for i in incident_ids]
    )


def search(
    conn: Connection, query: Query, *, before: int | None = None, limit: int = PAGE
) -> list[Entry]:
    """The newest entries matching ``query`` (older than ``before``), newest first."""
    if query.images and query.person_id is None:
        raise SearchError("velg en person for å se hvem som så bildene / choose a person")
    if query.since and query.until and query.until < query.since:
        raise SearchError("til-datoen er før fra-datoen / the end date is before the start")
    where: list[ColumnElement[bool]] = []
    if query.person_id is not None:
        subjects = subjects_of(conn, query.person_id, images=query.images)
        where.append(audit_log.c.subject.in_(subjects or ["-"]))
    if query.images:
        where.append(audit_log.c.action.in_(IMAGE_LOOKS))
    if query.actor:
        where.append(audit_log.c.actor == query.actor)
    if query.action:
        if query.action.endswith("."):
            where.append(audit_log.c.action.startswith(query.action, autoescape=True))
        else:
            where.append(audit_log.c.action == query.action)
    if query.purpose:
        where.append(audit_log.c.purpose == query.purpose)
    if query.since:
        where.append(audit_log.c.at >= datetime.combine(query.since, time(), UTC))
    if query.until:
        end = datetime.combine(query.until + timedelta(days=1), time(), UTC)
        where.append(audit_log.c.at < end)
    if before is not None:
        where.append(audit_log.c.seq < before)
    found: list[Entry] = []
    statement = select(audit_log).where(*where).order_by(audit_log.c.seq.desc())
    for row in conn.execute(statement.execution_options(yield_per=500)):
        entry = _entry(row)
        # A site's view that listed no image showed none of them.
        if query.images and str(row.subject).startswith("site:") and not entry.details.get("media"):
            continue
        found.append(entry)
        if len(found) >= limit:
            break
    return found


@dataclass(frozen=True)
class Found:
    entries: list[Entry]
    names: Names


def audited(
    engine: Engine, actor: str, query: Query, *, before: int | None = None, export: bool = False
) -> Found:
    """Search as the DPO's console does, and audit the search: one about a person is itself a
    look at their data (``staff.search``); an export is audited whoever it is about, since it
    may name many (``staff.export``). The entry is durable before the answer is shown."""
    with reading(engine) as conn:
        limit = EXPORT_LIMIT if export else PAGE
        entries = search(conn, query, before=before, limit=limit)
        named = names(conn, entries, query.person_id)
    subject = f"person:{query.person_id}" if query.person_id is not None else None
    if export or subject is not None:
        append_alone(
            engine,
            actor=actor,
            action="staff.export" if export else "staff.search",
            subject=subject,
            purpose="audit-search",
            details={"entries": len(entries), "images": query.images},
        )
    return Found(entries, named)


def about_incident(
    conn: Connection, incident_id: int, *, after: int | None = None, limit: int = PAGE
) -> list[Entry]:
    """Who saw what for an incident: the entries naming it as subject or purpose, oldest
    first (after ``after``), at most ``limit``."""
    mark = f"incident:{incident_id}"
    statement = (
        select(audit_log)
        .where(or_(audit_log.c.subject == mark, audit_log.c.purpose == mark))
        .order_by(audit_log.c.seq)
        .limit(limit)
    )
    if after is not None:
        statement = statement.where(audit_log.c.seq > after)
    return [_entry(r) for r in conn.execute(statement)]


def _entry(row: Any) -> Entry:
    """An ``audit_log`` row as an entry, its details read from their JSON."""
    return Entry(row.seq, as_utc(row.at), row.actor, row.action, row.subject, row.purpose,
                 _details(row.details))  # fmt: skip


def _details(text: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


@dataclass(frozen=True)
class Names:
    """Who the entries name, for a reader: people by their name, logins by theirs."""

    people: dict[int, str]
    logins: dict[int, str]


def _number(key: str | None, kind: str | None = None) -> int | None:
    """The number in ``kind:N`` (any kind when ``kind`` is None), or None."""
    if not key or key.count(":") != 1:
        return None
    prefix, _, number = key.partition(":")
    return int(number) if number.isdigit() and (kind is None or prefix == kind) else None


def names(conn: Connection, entries: Iterable[Entry], person_id: int | None = None) -> Names:
    """The names of the people the entries are about (and ``person_id``), and of the logins
    that acted (``operator:4`` is login 4)."""
    found = list(entries)
    people = {n for e in found if (n := _number(e.subject, "person")) is not None}
    if person_id is not None:
        people.add(person_id)
    login_ids = {n for e in found if (n := _number(e.actor)) is not None}
    by_person = dict(
        conn.execute(select(persons.c.id, persons.c.name).where(persons.c.id.in_(people))).all()
    )
    by_login = {
        int(row.id): row.display_name or row.username
        for row in conn.execute(
            select(logins.c.id, logins.c.display_name, logins.c.username).where(
                logins.c.id.in_(login_ids)
            )
        )
    }
    return Names({int(k): str(v) for k, v in by_person.items() if v}, by_login)


def readable(
    entries: Iterable[Entry],
    found: Names,
    *,
    action_words: Callable[[str], str],
    subject_words: Callable[[str | None], str],
) -> list[list[str]]:
    """Each entry as a reader reads it: when (Oslo time), who, what, about whom, why, and the
    details as ``key: value``; the words for actions and subjects are the caller's."""
    lines = []
    for e in entries:
        login = _number(e.actor)
        who = f"{found.logins[login]} ({e.actor})" if login in found.logins else e.actor
        person = _number(e.subject, "person")
        about = (
            f"{found.people[person]} ({e.subject})"
            if person in found.people
            else subject_words(e.subject)
        )
        details = ", ".join(f"{k}: {v}" for k, v in e.details.items())
        when = e.at.astimezone(OSLO).strftime("%Y-%m-%d %H:%M:%S")
        lines.append([str(e.seq), when, who, action_words(e.action), about, e.purpose or "",
                      details])  # fmt: skip
    return lines


def to_csv(header: list[str], lines: Iterable[list[str]]) -> str:
    """UTF-8 CSV (with a byte-order mark, so a spreadsheet reads the æøå), comma-separated;
    a cell that a spreadsheet would run as a formula is quoted as text."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    for line in lines:
        writer.writerow([_safe(cell) for cell in line])
    return "\ufeff" + out.getvalue()


def _safe(cell: str) -> str:
    return "'" + cell if cell[:1] in ("=", "+", "-", "@", "\t", "\r") else cell
