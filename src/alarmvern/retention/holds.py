"""Legal holds: data the police or a legal claim needs is kept past its date, within limits.

A hold names one row: an incident, a media item, a person or a whole customer account, and
covers every row that points to it (an incident's media, a person's events, an account's
everything). A hold may not outlast the policy's ``hold_max`` for the data it keeps (30 days
after capture for alarm images) unless it is placed with an explicit, audited override.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Connection, select, update

from alarmvern import audit
from alarmvern.errors import AlarmvernError
from alarmvern.policy.model import Policy
from alarmvern.retention.plan import rules_for
from alarmvern.retention.predicates import lock_holds
from alarmvern.store.datamap import bindings
from alarmvern.store.tables import legal_holds, metadata
from alarmvern.store.tables.columns import as_utc

# What a hold may name, as the CLI and the API call it, and the table it names.
TARGETS = {
    "incident": "incidents",
    "media": "media",
    "person": "persons",
    "account": "customer_accounts",
}


class HoldError(AlarmvernError):
    """A hold that cannot be placed or released as asked."""


class HoldMissing(HoldError):
    """No legal hold has that id."""

    http_status = 404


@dataclass(frozen=True)
class Hold:
    id: int
    target: str
    target_id: int
    reason: str
    placed_by: str
    placed_at: datetime
    ends_on: date
    override: str | None
    released_at: datetime | None

    @property
    def active(self) -> bool:
        return self.released_at is None and self.ends_on >= datetime.now(UTC).date()


def _latest_allowed(conn: Connection, policy: Policy, table_name: str, row_id: int) -> date | None:
    """The last day the policy lets a hold keep this row's data, or None if it sets no limit.

    Checks the row itself and the rows pointing to it that carry a ``hold_max`` (an
    incident's media): the strictest limit wins.
    """
    limits: list[date] = []
    target = metadata.tables[table_name]
    for table, binding in bindings(metadata):
        links = [fk.parent for fk in table.foreign_keys if fk.column.table is target]
        if table is not target and not links:
            continue
        for r in rules_for(policy, binding.category):
            if r.rule.hold_max is None or r.rule.from_ is None:
                continue
            anchor = binding.anchors.get(str(r.rule.from_))
            if not isinstance(anchor, str):
                continue
            where = [table.c.id == row_id] if table is target else [links[0] == row_id]
            earliest = conn.execute(select(table.c[anchor]).where(*where).order_by(table.c[anchor]))
            first = earliest.scalars().first()
            if first is not None:
                limits.append(r.rule.hold_max.after(first).date())
    return min(limits) if limits else None


def place(
    conn: Connection,
    policy: Policy,
    *,
    target: str,
    target_id: int,
    reason: str,
    ends_on: date,
    placed_by: str,
    override: str | None = None,
    now: datetime | None = None,
) -> Hold:
    now = now or datetime.now(UTC)
    if target not in TARGETS:
        raise HoldError(
            f"ukjent mål for sperren {target!r}: velg en av {', '.join(TARGETS)}",
            f"hold target {target!r}: choose one of {', '.join(TARGETS)}",
            field="target",
        )
    if not reason.strip():
        raise HoldError(
            "en rettslig sperre trenger en grunn (f.eks. politiets saksnummer)",
            "a hold needs a reason (e.g. the police case number)",
            field="reason",
        )
    if ends_on < now.date():
        raise HoldError(
            f"sluttdatoen {ends_on} er passert; velg en senere dato",
            f"hold end {ends_on}: the date has passed; give a later end date",
            field="ends_on",
        )
    table = metadata.tables[TARGETS[target]]
    lock_holds(conn, exclusive=True)  # waits for a sweep batch in progress to finish
    if conn.execute(select(table.c.id).where(table.c.id == target_id)).first() is None:
        raise HoldError(
            f"{target} {target_id} finnes ikke",
            f"{target} {target_id} does not exist",
            field="target_id",
            code="not_found",
        )
    limit = _latest_allowed(conn, policy, table.name, target_id)
    if limit is not None and ends_on > limit and not override:
        raise HoldError(
            f"sluttdatoen {ends_on} er etter {limit}, det lengste policyen tillater for disse "
            "opplysningene; velg en tidligere dato, eller overstyr med den rettslige grunnen",
            f"hold end {ends_on} is past {limit}, the longest the policy allows for this "
            "data; end it earlier, or override it giving the legal reason",
            field="ends_on",
            code="past_retention",
        )
    values: dict[str, Any] = {
        "target_table": table.name,
        "target_id": target_id,
        "reason": reason,
        "placed_by": placed_by,
        "placed_at": now,
        "ends_on": ends_on,
        "override": override if limit is not None and ends_on > limit else None,
    }
    hold_id = conn.execute(legal_holds.insert().values(**values)).inserted_primary_key
    assert hold_id is not None
    audit.append(
        conn,
        actor=placed_by,
        action="hold.place",
        subject=f"{target}:{target_id}",
        details={
            "hold": int(hold_id[0]),
            "ends_on": ends_on.isoformat(),
            "override": values["override"] is not None,
            "policy_limit": limit.isoformat() if limit else None,
        },
        at=now,
    )
    return get(conn, int(hold_id[0]))


def release(conn: Connection, hold_id: int, *, released_by: str) -> Hold:
    hold = get(conn, hold_id)
    if hold.released_at is not None:
        raise HoldError(
            f"sperre {hold_id} ble allerede opphevet {hold.released_at:%Y-%m-%d}",
            f"hold {hold_id} was already released at {hold.released_at:%Y-%m-%d}",
            field="hold",
        )
    now = datetime.now(UTC)
    conn.execute(update(legal_holds).where(legal_holds.c.id == hold_id).values(released_at=now))
    audit.append(
        conn,
        actor=released_by,
        action="hold.release",
        subject=f"{hold.target}:{hold.target_id}",
        details={"hold": hold_id},
        at=now,
    )
    return get(conn, hold_id)


def get(conn: Connection, hold_id: int) -> Hold:
    row = conn.execute(select(legal_holds).where(legal_holds.c.id == hold_id)).first()
    if row is None:
        raise HoldMissing(
            f"det finnes ingen sperre {hold_id}; se listen over sperrer",
            f"there is no hold {hold_id}; see the list of holds",
            field="hold",
            code="not_found",
        )
    return _hold(row._mapping)


def list_holds(conn: Connection, include_released: bool = False) -> list[Hold]:
    query = select(legal_holds).order_by(legal_holds.c.ends_on)
    if not include_released:
        query = query.where(legal_holds.c.released_at.is_(None))
    return [_hold(r._mapping) for r in conn.execute(query)]


def page_of_holds(
    conn: Connection, *, include_released: bool = False, after: int | None = None, limit: int
) -> tuple[list[Hold], bool]:
    """A page of holds by id (after ``after``), and whether there is a next page."""
    query = select(legal_holds).order_by(legal_holds.c.id).limit(limit + 1)
    if not include_released:
        query = query.where(legal_holds.c.released_at.is_(None))
    if after is not None:
        query = query.where(legal_holds.c.id > after)
    rows = conn.execute(query).all()
    return [_hold(r._mapping) for r in rows[:limit]], len(rows) > limit


def _hold(row: Any) -> Hold:
    target = next(k for k, v in TARGETS.items() if v == row["target_table"])
    return Hold(
        id=int(row["id"]),
        target=target,
        target_id=int(row["target_id"]),
        reason=row["reason"],
        placed_by=row["placed_by"],
        placed_at=as_utc(row["placed_at"]),
        ends_on=row["ends_on"],
        override=row["override"],
        released_at=None if row["released_at"] is None else as_utc(row["released_at"]),
    )
