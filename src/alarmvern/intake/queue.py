"""The operators' queue: every open incident, worst and oldest first, with who has it.

The order: fire, panic/hold-up, medical, burglary and other alarms, technical faults; within
each, the longest waiting first. Paging applies only below what is urgent: every open alarm
nobody has taken is on the first page (and on every page), whatever the page size, so an
alarm can never be paged out of sight.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Row,
    and_,
    bindparam,
    case,
    exists,
    func,
    not_,
    select,
    true,
)

from alarmvern.store.tables import incidents, operator_assignments, sites
from alarmvern.store.tables.columns import as_utc

# Worst first; the families are those of :func:`alarmvern.intake.action_plans.family`.
PRIORITY = {"fire": 0, "panic": 1, "medical": 2, "burglary": 3, "other": 3, "technical": 4}
FAMILIES: dict[str, tuple[str, ...]] = {
    "fire": ("fire", "smoke"),
    "panic": ("panic", "holdup", "duress"),
    "medical": ("medical",),
    "burglary": ("burglary",),
}
PAGE = 100


@dataclass(frozen=True)
class Item:
    id: int
    kind: str
    status: str
    opened_at: datetime
    municipality: str | None
    operators: list[str]
    urgent: bool  # an alarm nobody has taken

    @property
    def family(self) -> str:
        return family_of(self.kind)


@dataclass(frozen=True)
class Queue:
    open_total: int  # every open incident, filters or not
    matching: int  # those the filters let through
    unassigned: int  # open alarms nobody has taken (all of them are in ``items``)
    items: list[Item] = field(default_factory=list)
    offset: int = 0  # of the rest (below the urgent ones)
    rest: int = 0  # how many of the rest there are

    @property
    def next_offset(self) -> int | None:
        shown = self.offset + sum(1 for i in self.items if not i.urgent)
        return shown if shown < self.rest else None


def family_of(kind: str) -> str:
    if kind.startswith("technical"):
        return "technical"
    for name, kinds in FAMILIES.items():
        if kind in kinds:
            return name
    return "other"


def read(
    conn: Connection,
    *,
    family: str | None = None,
    status: str | None = None,
    offset: int = 0,
    limit: int = PAGE,
) -> Queue:
    """The queue, from the caller's read snapshot: four queries whatever its length."""
    is_open = incidents.c.closed_at.is_(None)
    wanted = and_(is_open, *_filters(family, status))
    taken = exists().where(
        operator_assignments.c.incident_id == incidents.c.id,
        operator_assignments.c.released_at.is_(None),
    )
    urgent = and_(not_(taken), not_(incidents.c.kind.startswith("technical")))
    counts = conn.execute(
        select(
            func.count(),
            func.count().filter(wanted),
            func.count().filter(and_(wanted, urgent)),
        ).where(is_open)
    ).one()
    order = (_priority(), incidents.c.opened_at, incidents.c.id)
    columns = (incidents.c.id, incidents.c.kind, incidents.c.status, incidents.c.opened_at,
               sites.c.municipality)  # fmt: skip
    base = select(*columns).outerjoin(sites, sites.c.id == incidents.c.site_id).order_by(*order)
    first = conn.execute(base.where(wanted, urgent)).all()
    rest = conn.execute(base.where(wanted, not_(urgent)).offset(offset).limit(limit)).all()
    ids = [r.id for r in (*first, *rest)]
    names = assigned(conn, ids)
    items = [_item(r, names, True) for r in first] + [_item(r, names, False) for r in rest]
    items.sort(key=lambda i: (PRIORITY[i.family], i.opened_at, i.id))
    total, matching, unassigned = (int(n) for n in counts)
    return Queue(total, matching, unassigned, items, offset, matching - unassigned)


def in_received_order(
    conn: Connection, *, status: str = "open", after: int | None = None, limit: int = PAGE
) -> list[Row[Any]]:
    """At most ``limit`` incidents (``open``, ``closed`` or ``all``) in the order they were
    received, oldest first, after the incident ``after``: the API's list, a keyset page at a
    time. The console's queue, worst first, is :func:`read`."""
    query = select(incidents).order_by(incidents.c.id).limit(limit)
    if status == "open":
        query = query.where(incidents.c.closed_at.is_(None))
    elif status == "closed":
        query = query.where(incidents.c.closed_at.is_not(None))
    if after is not None:
        query = query.where(incidents.c.id > after)
    return list(conn.execute(query).all())


_ASSIGNED = (
    select(operator_assignments.c.incident_id, operator_assignments.c.operator)
    .where(
        operator_assignments.c.incident_id.in_(bindparam("ids", expanding=True)),
        operator_assignments.c.released_at.is_(None),
    )
    .order_by(operator_assignments.c.id)
)  # built once: the queue and every incident view run it


def assigned(conn: Connection, incident_ids: list[int]) -> dict[int, list[str]]:
    """The operators holding each incident (not released), in assignment order."""
    names: dict[int, list[str]] = {incident_id: [] for incident_id in incident_ids}
    if not incident_ids:
        return names
    for incident_id, operator in conn.execute(_ASSIGNED, {"ids": incident_ids}):
        names[incident_id].append(operator)
    return names


def _item(r: Row[Any, Any, Any, Any, Any], names: dict[int, list[str]], urgent: bool) -> Item:
    return Item(
        id=int(r.id),
        kind=r.kind,
        status=r.status,
        opened_at=as_utc(r.opened_at),
        municipality=r.municipality,
        operators=names.get(int(r.id), []),
        urgent=urgent,
    )


def _priority() -> ColumnElement[int]:
    kind = incidents.c.kind
    whens: list[tuple[ColumnElement[bool], int]] = [
        (kind.in_(kinds), PRIORITY[name]) for name, kinds in FAMILIES.items()
    ]
    whens.append((kind.startswith("technical"), PRIORITY["technical"]))
    return case(*whens, else_=PRIORITY["other"])


def _filters(family: str | None, status: str | None) -> list[ColumnElement[bool]]:
    found: list[ColumnElement[bool]] = []
    kind = incidents.c.kind
    if family == "technical":
        found.append(kind.startswith("technical"))
    elif family == "other":
        known = [k for kinds in FAMILIES.values() for k in kinds]
        found.append(and_(not_(kind.in_(known)), not_(kind.startswith("technical"))))
    elif family in FAMILIES:
        found.append(kind.in_(FAMILIES[family]))
    if status:
        found.append(incidents.c.status == status)
    return found or [true()]
