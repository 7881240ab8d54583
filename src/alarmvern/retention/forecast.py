"""The forecast: per unit, how many rows become due on which day, and what holds keep back.

It asks the same predicates the sweep uses, so what it foretells for a day is what a sweep
on that day does (a test runs both and compares).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Connection, Date, and_, cast, func, not_, select

from alarmvern.policy.model import Policy
from alarmvern.retention import predicates
from alarmvern.retention.due import due_at
from alarmvern.retention.plan import Unit, units


@dataclass
class UnitForecast:
    unit: str
    action: str
    due_now: int = 0
    by_day: dict[str, int] = field(default_factory=dict)  # ISO date → rows due that day
    held: int = 0  # rows due within the horizon that holds keep back

    @property
    def total(self) -> int:
        return self.due_now + sum(self.by_day.values())


@dataclass
class HoldForecast:
    hold: int
    target: str
    ends_on: str
    keeps_back: int


@dataclass
class Forecast:
    now: datetime
    days: int
    units: list[UnitForecast]
    holds: list[HoldForecast]
    manual: list[str]  # units whose rules give no computable period

    def as_dict(self) -> dict[str, Any]:
        return {
            "now": self.now.isoformat(),
            "days": self.days,
            "units": [u.__dict__ | {"total": u.total} for u in self.units if u.total or u.held],
            "holds": [h.__dict__ for h in self.holds],
            "manual": self.manual,
        }


def forecast(
    conn: Connection, policy: Policy, *, days: int, now: datetime | None = None
) -> Forecast:
    now = now or datetime.now(UTC)
    horizon = now + timedelta(days=days)
    holds = predicates.active_holds(conn, now.date())
    result = Forecast(now, days, [], [], [])
    per_hold: Counter[int] = Counter()
    for unit in units(policy):
        if not unit.computable:
            if unit.rules:
                result.manual.append(unit.id)
            continue
        entry = UnitForecast(unit.id, unit.action)
        open_rows = and_(not_(predicates.excepted(unit)), predicates.to_do(unit))
        free = not_(predicates.held(unit.table, holds))
        entry.due_now = _count(conn, unit, and_(predicates.due(unit, now), free, open_rows))
        later = and_(not_(predicates.due(unit, now)), predicates.due(unit, horizon), open_rows)
        for day, count in _due_days(conn, unit, and_(later, free)).items():
            entry.by_day[day.isoformat()] = count
        entry.held = _count(conn, unit, and_(predicates.due(unit, horizon), open_rows, not_(free)))
        for hold in holds:
            kept = _count(
                conn,
                unit,
                and_(predicates.due(unit, horizon), open_rows, predicates.held(unit.table, [hold])),
            )
            per_hold[hold.id] += kept
        result.units.append(entry)
    result.holds = [
        HoldForecast(h.id, f"{h.target_table}:{h.target_id}", str(h.ends_on), per_hold[h.id])
        for h in holds
    ]
    return result


def _count(conn: Connection, unit: Unit, where: Any) -> int:
    return int(conn.execute(select(func.count()).select_from(unit.table).where(where)).scalar_one())


def _due_days(conn: Connection, unit: Unit, where: Any) -> Counter[date]:
    """Rows due on each day: grouped by their anchors' dates, due computed per group."""
    sqlite = conn.dialect.name == "sqlite"
    anchors = []
    for i, r in enumerate(unit.rules):
        anchor = predicates.anchor_expression(unit, str(r.rule.from_))
        # SQLite keeps times as text, and CAST(… AS DATE) there makes a number of it.
        day = func.date(anchor) if sqlite else cast(anchor, Date)
        anchors.append(day.label(f"a{i}"))
    query = (
        select(*anchors, func.count().label("n"))
        .select_from(unit.table)
        .where(where)
        .group_by(*anchors)
    )
    days: Counter[date] = Counter()
    for row in conn.execute(query):
        dues = []
        for i, r in enumerate(unit.rules):
            anchor_day = _as_date(row[i])
            start = datetime.combine(anchor_day, time(0), tzinfo=UTC) if anchor_day else None
            dues.append(due_at(r.rule, start))
        if all(d is not None for d in dues):
            days[max(d for d in dues if d is not None).date()] += int(row.n)
    return days


def _as_date(value: Any) -> date | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])
