"""Contracts: sign one on an account, end one with a date (its retention runs from it)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, update

from alarmvern.customers import parse
from alarmvern.customers._rows import RELATIONSHIP, insert, note, open_account, row
from alarmvern.customers.errors import ConflictError
from alarmvern.store.tables import contracts
from alarmvern.store.tables.columns import as_utc


def add_contract(
    conn: Connection,
    *,
    actor: str,
    account_id: int,
    product: str | None,
    signed_at: datetime | str | None = None,
    terms: dict[str, Any] | None = None,
) -> int:
    """A contract on an open account, signed by its holder; its id."""
    account = open_account(conn, account_id)
    signed = parse.moment(signed_at, "signed_at") or datetime.now(UTC)
    contract = insert(
        conn,
        contracts,
        account_id=account_id,
        person_id=account.holder_person_id,
        product=parse.required(product, "product", "produktet", "the product"),
        signed_at=signed,
        terms=terms,
    )
    note(conn, actor, "contract.signed", f"account:{account_id}", RELATIONSHIP, contract=contract)
    return contract


def end_contract(
    conn: Connection, *, actor: str, contract_id: int, at: datetime | str | None
) -> datetime:
    """End a contract on ``at``; not before it was signed, not twice."""
    contract = row(conn, contracts, contract_id, "contract_id")
    end = parse.moment(at, "ended_at") or datetime.now(UTC)
    parse.not_before(end, as_utc(contract.signed_at), "ended_at")
    if contract.ended_at is not None:
        raise ConflictError("ended_at", "avtalen er allerede avsluttet", "already ended")
    conn.execute(update(contracts).where(contracts.c.id == contract_id).values(ended_at=end))
    note(
        conn,
        actor,
        "contract.ended",
        f"account:{contract.account_id}",
        RELATIONSHIP,
        contract=contract_id,
        at=end.isoformat(),
    )
    return end
