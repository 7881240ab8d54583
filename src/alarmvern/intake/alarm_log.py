"""The alarm log: an account's events, newest first, with who armed or disarmed and what
each code means. One home for Mine Sider's log (pages by number, in words) and the API's
event list (keyset pages, as rows).

Who is named: the panel sends a user number; intake may also know the person
(``actor_person_id``, from an app or a tag). The name shown is the panel user's display
name, found by that number at the event's site or by the person (a current panel user
before a removed one, the newest first); failing that, the person's name; failing that,
nothing (a page then shows the number).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Integer,
    Row,
    Select,
    and_,
    bindparam,
    func,
    or_,
    select,
)

from alarmvern.intake.incident_view import EVENT_CLASS
from alarmvern.sia.protocol import cid_codes, sia_codes
from alarmvern.sia.protocol.meaning import EventClass, stored_meaning
from alarmvern.store.tables import alarm_events, panel_users, persons, sites
from alarmvern.store.tables.columns import as_utc

PAGE_SIZE = 50
Pair = tuple[str, str]

ARMING_CLASSES = (EventClass.ARM.value, EventClass.DISARM.value)
# The codes whose events are arming or disarming, to filter the log in the database.
ARMING_CODES = sorted(
    {code for code, row in sia_codes.SIA_CODES.items() if row[1] in ARMING_CLASSES}
    | {code for code, row in cid_codes.CID_CODES.items() if row[1] in ARMING_CLASSES}
)

# How a panel was armed or disarmed, in words.
METHOD: dict[str, Pair] = {
    "code": ("kode på panelet", "code at the keypad"),
    "remote": ("fjernstyrt (app)", "remotely (app)"),
    "automatic": ("automatisk", "automatically"),
    "key": ("nøkkelbryter", "key switch"),
    "quick": ("hurtigtast", "quick arm"),
    "tag": ("brikke", "tag"),
    "keypad": ("kode på panelet", "code at the keypad"),
    "app": ("app", "app"),
}


def actor_name() -> ColumnElement[Any]:
    """The name of who set off an event in ``alarm_events``, as a column expression for a
    query over that table."""
    ev = alarm_events.c
    panel_user = (
        select(panel_users.c.display_name)
        .where(
            panel_users.c.account_id == ev.account_id,
            or_(
                and_(panel_users.c.site_id == ev.site_id, panel_users.c.user_no == ev.user_no),
                panel_users.c.person_id == ev.actor_person_id,
            ),
        )
        .order_by(panel_users.c.removed_at.is_(None).desc(), panel_users.c.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    person = select(persons.c.name).where(persons.c.id == ev.actor_person_id).scalar_subquery()
    return func.coalesce(panel_user, person)


def _query(arming_only: bool, keyset: bool) -> Select[Any]:
    """The accounts' events, newest first (the index on (account, time) orders them),
    ``limit`` of them from ``offset``; with ``keyset``, only those before
    (``before_at``, ``before_id``)."""
    ev = alarm_events.c
    where: list[ColumnElement[bool]] = [ev.account_id.in_(bindparam("accounts", expanding=True))]
    if arming_only:
        where.append(ev.code.in_(ARMING_CODES))
    if keyset:
        at = bindparam("before_at", type_=ev.occurred_at.type)
        where.append(
            or_(ev.occurred_at < at, and_(ev.occurred_at == at, ev.id < bindparam("before_id")))
        )
    columns = (ev.id, ev.site_id, ev.occurred_at, ev.received_at, ev.protocol, ev.code,
               ev.qualifier, ev.zone, ev.area, ev.user_no, ev.method, sites.c.street)  # fmt: skip
    return (
        select(*columns, actor_name().label("actor_name"))
        .outerjoin(sites, sites.c.id == ev.site_id)
        .where(*where)
        .order_by(ev.occurred_at.desc(), ev.id.desc())
        .limit(bindparam("limit", type_=Integer))
        .offset(bindparam("offset", type_=Integer))
    )


# Built once (all events or arming only, from the start or after a keyset cursor):
# building a statement and its cache key costs more than running it.
_LOG = {(a, k): _query(a, k) for a in (False, True) for k in (False, True)}


def newest(
    conn: Connection,
    accounts: list[int],
    *,
    limit: int,
    offset: int = 0,
    before: tuple[datetime, int] | None = None,
    arming_only: bool = False,
) -> list[Row[Any]]:
    """At most ``limit`` of the accounts' events, newest first: from ``offset``, or those
    older than ``before`` (the time and id of the last event of the page before)."""
    if not accounts:
        return []
    values: dict[str, Any] = {"accounts": accounts, "limit": limit, "offset": offset}
    if before is not None:
        values["before_at"], values["before_id"] = before
    return list(conn.execute(_LOG[arming_only, before is not None], values).all())


@dataclass(frozen=True)
class LogEntry:
    id: int
    occurred_at: datetime
    what: str
    event_class: str
    description: str
    who: str | None
    how: str | None
    zone: str | None
    site: str | None
    area: str | None = None


def alarm_log(
    conn: Connection,
    accounts: list[int],
    *,
    page: int,
    lang: str,
    arming_only: bool = False,
    size: int = PAGE_SIZE,
) -> tuple[list[LogEntry], bool]:
    """Page ``page`` (from 1) of the accounts' events in words, newest first, and whether
    there is a next page: one query."""
    rows = newest(conn, accounts, limit=size + 1, offset=(page - 1) * size, arming_only=arming_only)
    return [_entry(row, lang) for row in rows[:size]], len(rows) > size


def _pick(pairs: dict[Any, Pair], key: Any, lang: str) -> str:
    found = pairs.get(key)
    if found is None:
        return str(key)
    return found[0] if lang == "nb" else found[1]


@lru_cache(maxsize=4096)
def _words(
    protocol: str, code: str, qualifier: str | None, lang: str
) -> tuple[str, str, str, bool]:
    """What an event's code says, in ``lang``: the class in words, the class, the protocol's
    description, and whether it arms or disarms. A page shows fifty events of a few codes:
    looked up once per code, not once per row."""
    meaning = stored_meaning(protocol, code, qualifier)
    what = _pick(EVENT_CLASS, meaning.event_class, lang)
    arming = meaning.event_class.value in ARMING_CLASSES
    return what, meaning.event_class.value, meaning.description, arming


def _entry(row: Any, lang: str) -> LogEntry:
    what, event_class, description, arming = _words(row.protocol, row.code, row.qualifier, lang)
    who = row.actor_name
    if who is None and row.user_no is not None:
        who = f"{'bruker' if lang == 'nb' else 'user'} {row.user_no}"
    return LogEntry(
        id=int(row.id),
        occurred_at=as_utc(row.occurred_at),
        what=what,
        event_class=event_class,
        description=description,
        who=who,
        how=_pick(METHOD, row.method, lang) if row.method else None,
        zone=None if arming else row.zone,
        site=row.street,
        area=row.area,
    )
