"""Erasure (art. 17): per table, erase, unlink, anonymise, or keep with the reason and date.

All of it happens in the caller's one transaction: a killed erasure leaves everything as it
was, and is simply run again. Tables are taken children first, so that when a row is still
needed by a row that stays (an invoice kept under the Bookkeeping Act still names its
account), it is anonymised rather than deleted. The person's vault key is shredded, so their
encrypted fields and any copies of them (backups included) can no longer be read.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import ColumnElement, Connection, Table, and_, delete, func, not_, select, true

from alarmvern import audit
from alarmvern.errors import AlarmvernError
from alarmvern.policy.model import LegalBasis, Policy
from alarmvern.retention import due, predicates
from alarmvern.rights.operations import (
    Op,
    apply,
    delete_where,
    shred_subjects,
    unlink_where,
)
from alarmvern.rights.scope import Scope, counts, personal_tables, selection
from alarmvern.store import removal
from alarmvern.store.datamap import SUBJECT_TABLES, Binding
from alarmvern.store.tables import (
    contracts,
    customer_accounts,
    login_tokens,
    logins,
    persons,
    sessions,
)
from alarmvern.store.tables.columns import as_utc
from alarmvern.vault import Vault


class ErasureRefused(AlarmvernError):
    """The erasure cannot go ahead as asked; the message says what staff must do first."""


@dataclass
class Decision:
    table: str
    category: str
    action: str  # erased | unlinked | anonymised | kept
    rows: int
    reason: str | None = None
    until: date | None = None


@dataclass
class Receipt:
    person_id: int
    request_id: int | None
    at: datetime
    decisions: list[Decision] = field(default_factory=list)
    shredded: list[str] = field(default_factory=list)
    ops: list[Op] = field(default_factory=list)
    exports_deleted: list[str] = field(default_factory=list)  # packages made for the person

    def kept(self) -> list[Decision]:
        return [d for d in self.decisions if d.action == "kept"]

    def as_dict(self) -> dict[str, Any]:
        return {
            "person_id": self.person_id,
            "request_id": self.request_id,
            "at": self.at.isoformat(),
            "decisions": [
                asdict(d) | {"until": d.until.isoformat() if d.until else None}
                for d in self.decisions
            ],
            "shredded": self.shredded,
            "exports_deleted": self.exports_deleted,
        }


def active_contracts(conn: Connection, scope: Scope) -> list[int]:
    if not scope.account_ids:
        return []
    query = select(contracts.c.id).where(
        contracts.c.account_id.in_(scope.account_ids), contracts.c.ended_at.is_(None)
    )
    return [int(i) for i in conn.execute(query).scalars()]


def erase(
    conn: Connection,
    vault: Vault,
    policy: Policy,
    scope: Scope,
    *,
    actor: str,
    request_id: int | None = None,
    keep_contract: bool = False,
    now: datetime | None = None,
) -> Receipt:
    """Erase everything about the person that no law, hold or contract keeps; return what
    was done, for the person's receipt and for the erasure journal."""
    now = now or datetime.now(UTC)
    open_contracts = active_contracts(conn, scope)
    if open_contracts and not keep_contract:
        numbers = ", ".join(map(str, open_contracts))
        raise ErasureRefused(
            f"personen har en avtale som fortsatt løper (nr. {numbers}): avslutt den først, "
            "eller velg å beholde det avtalen trenger",
            "the person has an active contract "
            f"({numbers}): end it first, or choose to keep what the contract needs",
        )
    # Erasing a table never gives another rows about the person: one count of them all, in
    # one statement, spares a look into each table the person is in none of.
    present = counts(conn, scope, personal_tables())
    if present.get(logins.name):
        _end_sessions(conn, scope)
    predicates.lock_holds(conn, exclusive=False)
    holds = predicates.active_holds(conn, now.date())
    receipt = Receipt(scope.person_id, request_id, now)
    contract_kept = bool(open_contracts)
    for table, binding in reversed(personal_tables()):
        if present.get(table.name):
            _erase_table(conn, vault, policy, scope, table, binding, holds, contract_kept, receipt)
    receipt.shredded = _shred(conn, vault, scope, receipt)
    audit.append(
        conn,
        actor=actor,
        action="rights.erased",
        subject=f"person:{scope.person_id}",
        purpose=f"rights-request:{request_id}" if request_id else "erasure",
        details={
            "request": request_id,
            "rows": {f"{d.table}:{d.action}": d.rows for d in receipt.decisions},
            "shredded": len(receipt.shredded),
        },
        at=now,
    )
    return receipt


def _end_sessions(conn: Connection, scope: Scope) -> None:
    """Log the person out everywhere: an open session (or an unused activation or reset
    link) would keep their login from going. (Only a login has them: a person without one
    is spared the two statements.)"""
    theirs = select(logins.c.id).where(logins.c.person_id == scope.person_id)
    conn.execute(delete(sessions).where(sessions.c.login_id.in_(theirs)))
    conn.execute(delete(login_tokens).where(login_tokens.c.login_id.in_(theirs)))


def _erase_table(
    conn: Connection,
    vault: Vault,
    policy: Policy,
    scope: Scope,
    table: Table,
    binding: Binding,
    holds: list[predicates.ActiveHold],
    contract_kept: bool,
    receipt: Receipt,
) -> None:
    where = selection(table, binding, scope)
    if where is None:
        return
    category = binding.category

    def count(*clauses: ColumnElement[bool]) -> int:
        query = select(func.count()).select_from(table).where(where, *clauses)
        return int(conn.execute(query).scalar_one())

    def record(
        action: str, rows: int, reason: str | None = None, until: date | None = None
    ) -> None:
        if rows:
            receipt.decisions.append(Decision(table.name, category, action, rows, reason, until))

    def journalled(op: str, ids: list[int], columns: dict[str, str] | None = None) -> int:
        if ids:
            receipt.ops.append(Op(table.name, op, ids, columns or {}))  # type: ignore[arg-type]
        return len(ids)

    remaining: ColumnElement[bool] = true()
    if holds:
        held = predicates.held(table, holds)
        record("kept", count(held), "legal_hold", max(h.ends_on for h in holds))
        remaining = not_(held)
    law = _kept_by_law(policy, category)
    if law is not None:
        kept, until = _kept_until(conn, policy, table, binding, category, and_(where, remaining))
        record("kept", kept, law, until)
        return
    if contract_kept and _needed_by_contract(policy, category):
        record("kept", count(remaining), "active_contract")
        return
    if binding.shared and binding.subject:
        outside = _outside(table, binding, scope)
        ids = unlink_where(conn, table, and_(where, remaining, outside), binding.subject)
        record("unlinked", journalled("unlink", ids, {binding.subject: "null"}))
        remaining = and_(remaining, not_(outside))
    if table.name in SUBJECT_TABLES:
        return  # people and accounts themselves: see _shred, after every table
    free = and_(where, remaining, not_(predicates.blocked(table)))
    ids = delete_where(conn, table, free, receipt.at, binding.blob)
    record("erased", journalled("delete", ids))
    if not _may_be_blocked(table):
        return
    key = predicates.primary_key(table)
    stuck = and_(where, remaining, predicates.blocked(table))
    stuck_ids = [int(i) for i in conn.execute(select(key).where(stuck)).scalars()]
    if stuck_ids:
        op = Op(table.name, "anonymise", stuck_ids, _personal_columns(table, binding))
        receipt.ops.append(op)
        record("anonymised", apply(conn, vault, op, receipt.at, None), "needed_by_kept")


def _may_be_blocked(table: Table) -> bool:
    """Whether some row elsewhere can need a row of ``table`` (a required reference, as
    :func:`predicates.blocked` finds them): if none can, no row of it is ever kept back."""
    return any(
        not fk.parent.nullable and not removal.owned(fk)
        for fk in removal.foreign_keys_to(table.name)
    )


def _outside(table: Table, binding: Binding, scope: Scope) -> ColumnElement[bool]:
    """Rows of someone else's account that name the person (their arm/disarm entries)."""
    assert binding.account is not None
    column = table.c[binding.account]
    return column.is_(None) | column.not_in(scope.account_ids or [-1])


def _kept_by_law(policy: Policy, category: str) -> str | None:
    """The law that keeps the category for longer than now, if any (art. 17(3)(b))."""
    for act, rule in policy.retention_for(category):
        if act.legal_basis is LegalBasis.legal_obligation and rule.keep and rule.keep.amount:
            return act.law.nb if act.law else act.name.nb
    return None


def _needed_by_contract(policy: Policy, category: str) -> bool:
    return any(
        a.legal_basis is LegalBasis.contract and a.required == "contract"
        for a in policy.activities_for(category)
    )


def _kept_until(
    conn: Connection,
    policy: Policy,
    table: Table,
    binding: Binding,
    category: str,
    kept: ColumnElement[bool],
) -> tuple[int, date | None]:
    """How many rows are kept, and the last day any of them is due under the law's rule
    (where it can be told): one statement for both."""
    rules = []
    for _act, rule in policy.retention_for(category):
        anchor = binding.anchors.get(str(rule.from_)) if rule.from_ else None
        if isinstance(anchor, str):
            rules.append((rule, anchor))
    latest_of = (func.max(table.c[anchor]) for _, anchor in rules)
    found = conn.execute(select(func.count(), *latest_of).select_from(table).where(kept)).one()
    latest: date | None = None
    for (rule, _anchor), last in zip(rules, found[1:], strict=True):
        moment = due.due_at(rule, as_utc(last)) if last is not None else None
        if moment is not None and (latest is None or moment.date() > latest):
            latest = moment.date()
    return int(found[0]), latest


def _personal_columns(table: Table, binding: Binding) -> dict[str, str]:
    columns = dict.fromkeys(binding.columns, "null")
    if binding.subject and binding.subject not in {c.name for c in table.primary_key.columns}:
        columns[binding.subject] = "null"
    for name in list(columns):
        if not table.c[name].nullable:
            columns[name] = "pseudonym"
    return columns


def _shred(conn: Connection, vault: Vault, scope: Scope, receipt: Receipt) -> list[str]:
    """The accounts the person holds, then the person: deleted where nothing kept needs
    them, anonymised where something does; keys shredded unless kept rows still use them."""
    subjects: list[str] = []
    kept_tables = {d.table for d in receipt.kept()}
    for table, ids_, subject_kind in (
        (customer_accounts, list(scope.account_ids), "account"),
        (persons, [scope.person_id], "person"),
    ):
        binding = next(b for t, b in personal_tables() if t is table)
        key = predicates.primary_key(table)
        if table.name in kept_tables or not ids_:
            continue
        blocked = {
            int(i)
            for i in conn.execute(
                select(key).where(key.in_(ids_), predicates.blocked(table))
            ).scalars()
        }
        free = [i for i in ids_ if i not in blocked]
        if free:
            receipt.ops.append(Op(table.name, "delete", free))
            count = apply(conn, vault, receipt.ops[-1], receipt.at, None)
            receipt.decisions.append(Decision(table.name, binding.category, "erased", count))
        if blocked:
            op = Op(table.name, "anonymise", sorted(blocked), _personal_columns(table, binding))
            receipt.ops.append(op)
            count = apply(conn, vault, op, receipt.at, None)
            receipt.decisions.append(
                Decision(table.name, binding.category, "anonymised", count, "needed_by_kept")
            )
        if subject_kind == "account" and _uses_account_keys(receipt):
            continue
        subjects += [f"{subject_kind}:{i}" for i in ids_]
    shred_subjects(conn, vault, subjects)
    return subjects


def _uses_account_keys(receipt: Receipt) -> bool:
    """Kept rows encrypted with the account's key (held media) must stay readable."""
    account_keyed = {t.name for t, b in personal_tables() if b.key == "account" and b.blob}
    return any(d.table in account_keyed for d in receipt.kept())
