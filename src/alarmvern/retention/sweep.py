"""The sweep: delete or anonymise everything due, in batches, each batch one transaction.

Every batch selects rows of one table that are due, not held, not excepted and not yet done,
applies every rule due for each of them and writes one audit entry, all in one transaction:
a sweep killed at any instant leaves each row either untouched or finished, and the next run
simply continues. A deleted row's
blob id goes to ``blob_tombstones`` in that same transaction; the blob is removed from the
blob store after the commit, and a tombstone left by a killed sweep is finished first thing
next time. A deleted person or customer account takes their vault key with them (shred).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Engine,
    and_,
    bindparam,
    delete,
    func,
    not_,
    or_,
    select,
    update,
)

from alarmvern import audit
from alarmvern.errors import AlarmvernError
from alarmvern.policy.model import Disposal, Policy
from alarmvern.retention import predicates, strategies
from alarmvern.retention.exports import expire as expire_exports
from alarmvern.retention.orphan_blobs import delete_orphan_blobs
from alarmvern.retention.partition_drop import drop_due_partitions
from alarmvern.retention.plan import Unit, units
from alarmvern.store import leases, removal
from alarmvern.store.datamap import SUBJECT_TABLES
from alarmvern.store.tables import blob_tombstones, login_tokens, persons, sessions
from alarmvern.vault import Vault

ACTOR = "retention"
# Rows per batch (one transaction each). PostgreSQL pays more per statement and per commit
# across partitions, and gains from bigger batches (bench/retention.py); SQLite holds its one
# write lock for a batch, so its batches stay short enough not to stall intake.
BATCH_SIZE = {"sqlite": 10_000, "postgresql": 50_000}
JOB = "retention-sweep"


@dataclass
class UnitResult:
    unit: str
    action: str
    rows: int = 0
    batches: int = 0
    partitions_dropped: int = 0


@dataclass
class SweepReport:
    now: datetime
    dry_run: bool
    results: list[UnitResult] = field(default_factory=list)
    blobs_deleted: int = 0
    subjects_shredded: int = 0
    exports_deleted: int = 0
    sessions_deleted: int = 0  # expired sessions and login link tokens
    orphan_blobs_deleted: int = 0  # uploads' blobs whose row never committed
    not_computable: list[str] = field(default_factory=list)

    @property
    def rows(self) -> int:
        return sum(r.rows for r in self.results)

    def as_dict(self) -> dict[str, Any]:
        return {
            "now": self.now.isoformat(),
            "dry_run": self.dry_run,
            "rows": self.rows,
            "blobs_deleted": self.blobs_deleted,
            "subjects_shredded": self.subjects_shredded,
            "exports_deleted": self.exports_deleted,
            "sessions_deleted": self.sessions_deleted,
            "orphan_blobs_deleted": self.orphan_blobs_deleted,
            "units": [r.__dict__ for r in self.results if r.rows or r.partitions_dropped],
            "not_computable": self.not_computable,
        }


Progress = Callable[[str, int], None]


def selected_units(policy: Policy, selector: str | None) -> list[Unit]:
    chosen = [u for u in units(policy) if selector is None or u.matches(selector)]
    if selector is not None and not chosen:
        raise AlarmvernError(
            f"{selector}: ingen tabell, kategori, behandling eller enhet heter det; "
            "se prognosen for sletting for enhetene",
            f"{selector}: no table, category, activity or unit of that name; "
            "see the retention forecast for the units",
            field="rule",
            code="unknown_rule",
        )
    return chosen


def sweep(
    engine: Engine,
    policy: Policy,
    vault: Vault,
    *,
    now: datetime | None = None,
    dry_run: bool = False,
    selector: str | None = None,
    batch_size: int | None = None,
    progress: Progress | None = None,
    use_partitions: bool = True,
    exports: Path | None = None,
) -> SweepReport:
    """Sweep everything due at ``now``; two sweeps never run at once (a database lease).
    ``exports`` is the folder of files made for people: those older than a week go too."""
    now = now or datetime.now(UTC)
    report = SweepReport(now=now, dry_run=dry_run)
    chosen = selected_units(policy, selector)
    report.not_computable = [u.id for u in chosen if not u.computable]
    if dry_run:
        with engine.connect() as conn:
            holds = predicates.active_holds(conn, now.date())
            for unit in (u for u in chosen if u.computable):
                count = conn.execute(
                    select(func.count())
                    .select_from(unit.table)
                    .where(predicates.eligible(unit, now, holds))
                ).scalar_one()
                report.results.append(UnitResult(unit.id, unit.action, rows=int(count)))
        return report
    size = batch_size or BATCH_SIZE[engine.dialect.name]
    lease = leases.acquire(engine, JOB)
    try:
        report.blobs_deleted += finish_tombstones(engine, vault)
        for table_units in _by_table(u for u in chosen if u.computable):
            results = {u.id: UnitResult(u.id, u.action) for u in table_units}
            if use_partitions and engine.dialect.name == "postgresql":
                for unit in table_units:
                    dropped, rows = drop_due_partitions(engine, unit, now, lease)
                    results[unit.id].partitions_dropped += dropped
                    results[unit.id].rows += rows
            for counts in _batches(engine, table_units, now, vault, lease, size, report):
                for unit_id, n in counts.items():
                    results[unit_id].rows += n
                    results[unit_id].batches += 1
                if progress:
                    progress(table_units[0].table.name, sum(counts.values()))
            report.results.extend(results.values())
            report.blobs_deleted += finish_tombstones(engine, vault)
        if selector is None:
            report.sessions_deleted = delete_expired_sessions(engine, now)
            report.orphan_blobs_deleted = delete_orphan_blobs(engine, vault, now)
            report.results.append(_sweep_orphans(engine, now, vault, lease, size, report))
            if exports is not None:
                report.exports_deleted = len(expire_exports(exports, now))
    finally:
        lease.release(engine)
        audit.anchor(engine)
    return report


def _by_table(chosen: Iterable[Unit]) -> list[list[Unit]]:
    """Units grouped by table, row unit first, tables in the plan's order."""
    groups: dict[str, list[Unit]] = {}
    for unit in chosen:
        groups.setdefault(unit.table.name, []).append(unit)
    return [sorted(g, key=lambda u: not u.is_row) for g in groups.values()]


def _batches(
    engine: Engine,
    table_units: list[Unit],
    now: datetime,
    vault: Vault,
    lease: leases.Lease,
    size: int,
    report: SweepReport,
) -> Iterator[dict[str, int]]:
    """Batches of rows with anything due; every unit due for a row is applied to it in the
    batch's one transaction, so no row is ever left partly anonymised."""
    table = table_units[0].table
    key = predicates.primary_key(table)
    previous: tuple[Any, ...] = ()
    while True:
        with engine.begin() as conn:
            lease.renew(conn)
            predicates.lock_holds(conn, exclusive=False)
            holds = predicates.active_holds(conn, now.date())
            conditions = {u.id: predicates.eligible(u, now, holds) for u in table_units}
            window = (
                select(key.label("k")).where(or_(*conditions.values())).order_by(key).limit(size)
            ).subquery()
            first, last, rows = conn.execute(
                select(func.min(window.c.k), func.max(window.c.k), func.count())
            ).one()
            if not rows:
                return
            if (first, last, rows) == previous:
                # A batch that changes nothing would repeat for ever: a bug, never a state to
                # wait out. The transaction rolls back; the table is named for the report.
                raise RuntimeError(f"retention of {table.name} made no progress at {first}")
            previous = (first, last, rows)
            # Every row in [first, last] that anything is due for is in this batch.
            counts: dict[str, int] = {}
            for unit in table_units:  # the row's deletion first: what it deletes is done
                where = and_(key.between(first, last), conditions[unit.id])
                if unit.is_row and unit.disposal is Disposal.delete:
                    done, shredded = _delete_rows(conn, unit, where, vault, now)
                    report.subjects_shredded += shredded
                else:
                    done = _rewrite(conn, unit, where, vault)
                if done:
                    counts[unit.id] = done
            audit.append(
                conn,
                actor=ACTOR,
                action="retention.sweep",
                details={
                    "table": table.name,
                    "count": rows,
                    "first_id": first,
                    "last_id": last,
                    "units": {
                        unit.id: {
                            "action": unit.action,
                            "rules": unit.rule_names,
                            "count": counts[unit.id],
                        }
                        for unit in table_units
                        if unit.id in counts
                    },
                },
                at=now,
            )
        yield counts


# A person row is made in the same transaction as the row that needs it; one that nothing
# has pointed to for this long is left over, not on its way in.
ORPHAN_GRACE = timedelta(days=30)


def delete_expired_sessions(engine: Engine, now: datetime) -> int:
    """Delete the sessions and login link tokens expired by ``now`` (they can never be used
    again, and would keep their login from being deleted); how many."""
    with engine.begin() as conn:
        gone = conn.execute(delete(sessions).where(sessions.c.expires_at <= now)).rowcount
        gone += conn.execute(delete(login_tokens).where(login_tokens.c.expires_at <= now)).rowcount
    return int(gone or 0)


def _sweep_orphans(
    engine: Engine,
    now: datetime,
    vault: Vault,
    lease: leases.Lease,
    size: int,
    report: SweepReport,
) -> UnitResult:
    """Delete people nothing refers to any more, and shred their keys.

    A person's own rules run from their relationship with us; someone who never had one (a
    lead, a visitor, an alarm contact) has nothing left once the rows about them are gone,
    so their name and contact details go too.
    """
    result = UnitResult("persons:orphaned", "delete")
    key = persons.c.id
    referenced = predicates.blocked(persons, required_only=False)
    orphaned = and_(not_(referenced), persons.c.created_at <= now - ORPHAN_GRACE)
    while True:
        with engine.begin() as conn:
            lease.renew(conn)
            predicates.lock_holds(conn, exclusive=False)
            free = not_(predicates.held(persons, predicates.active_holds(conn, now.date())))
            query = select(key).where(orphaned, free).order_by(key).limit(size)
            ids = list(conn.execute(query).scalars())
            if not ids:
                return result
            conn.execute(delete(persons).where(key.in_(ids)))
            shredded = sum(vault.shred(conn, f"person:{i}") for i in ids)
            report.subjects_shredded += shredded
            audit.append(
                conn,
                actor=ACTOR,
                action="retention.sweep",
                details={
                    "table": "persons",
                    "count": len(ids),
                    "first_id": ids[0],
                    "last_id": ids[-1],
                    "units": {result.unit: {"action": "delete", "count": len(ids)}},
                },
                at=now,
            )
        result.rows += len(ids)
        result.batches += 1


def _delete_rows(
    conn: Connection, unit: Unit, where: ColumnElement[bool], vault: Vault, now: datetime
) -> tuple[int, int]:
    """Delete the rows ``where`` selects; return (rows deleted, subjects shredded)."""
    table, key = unit.table, predicates.primary_key(unit.table)
    kind = SUBJECT_TABLES.get(table.name)
    if kind is not None or removal.nullable_references(table.name) or table.name in removal.OWNED:
        ids = list(conn.execute(select(key).where(where)).scalars())
        removal.release(conn, table, ids)
        where = key.in_(ids)
    else:
        ids = []
    if unit.binding.blob:
        blob_ids = (
            conn.execute(delete(table).where(where).returning(table.c[unit.binding.blob]))
            .scalars()
            .all()
        )
        removal.tombstone(conn, table, blob_ids, now)
        deleted = len(blob_ids)
    else:
        deleted = conn.execute(delete(table).where(where)).rowcount
    if kind is None:
        return deleted, 0
    return deleted, sum(vault.shred(conn, f"{kind}:{row_id}") for row_id in ids)


def _rewrite(conn: Connection, unit: Unit, where: ColumnElement[bool], vault: Vault) -> int:
    """Anonymise (or, for a column category, drop) the unit's columns in the rows ``where``
    selects; return how many rows."""
    table, key = unit.table, predicates.primary_key(unit.table)
    strategy = unit.strategy if unit.disposal is Disposal.anonymise else strategies.DROP
    columns = [table.c[c] for c in unit.columns]
    rows = conn.execute(select(key, *columns).where(where)).all()
    pseudonymise = strategies.pseudonymiser(conn, vault)
    changes = []
    for row in rows:
        values = {
            f"new_{c.name}": strategies.apply(strategy, c, row._mapping[c.name], pseudonymise)
            for c in columns
        }
        changes.append({"row_key": row._mapping[key.name], **values})
    assignments: dict[str, Any] = {c.name: bindparam(f"new_{c.name}") for c in columns}
    if unit.subject_link:
        assignments[unit.subject_link] = None
    if changes and assignments:
        statement = update(table).where(key == bindparam("row_key")).values(assignments)
        conn.execute(statement, changes)
    return len(rows)


def finish_tombstones(engine: Engine, vault: Vault, batch: int = 500) -> int:
    """Delete the blobs of rows already deleted, and the keys of subjects already shredded
    (from the key store); return how many blobs."""
    vault.finish_shreds(engine, batch)
    done = 0
    while True:
        with engine.connect() as conn:
            blob_ids = list(conn.execute(select(blob_tombstones.c.blob_id).limit(batch)).scalars())
        if not blob_ids:
            return done
        for blob_id in blob_ids:
            vault.delete_blob(blob_id)  # deleting a missing blob is not an error
        with engine.begin() as conn:
            conn.execute(delete(blob_tombstones).where(blob_tombstones.c.blob_id.in_(blob_ids)))
        done += len(blob_ids)
