"""Restriction (art. 18): the person's data is kept, but not used, until the restriction is
lifted. Every use that could touch a person (marketing, analytics, operator views) asks
:func:`guard` first, or filters with :func:`unrestricted`; a refused use is audited."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum

from sqlalchemy import ColumnElement, Connection, Engine, exists, not_, select, update

from alarmvern import audit
from alarmvern.errors import AlarmvernError
from alarmvern.store.tables import restrictions


class Reason(StrEnum):
    accuracy = "accuracy"  # 18(1)(a): accuracy contested, while we check
    unlawful = "unlawful"  # 18(1)(b): the person prefers restriction to erasure
    legal_claim = "legal_claim"  # 18(1)(c): we no longer need it, they do for a claim
    objection = "objection"  # 18(1)(d): pending our decision on an objection


class Restricted(AlarmvernError):
    """The person's data is restricted: it may be kept, not used."""


def place(
    conn: Connection, person_id: int, *, reason: Reason, actor: str, request_id: int | None
) -> int:
    if is_restricted(conn, person_id):
        raise AlarmvernError(
            f"behandlingen av person {person_id} er allerede begrenset",
            f"processing of person {person_id} is already restricted",
            field="person",
            code="already_restricted",
        )
    new = conn.execute(
        restrictions.insert().values(
            person_id=person_id,
            request_id=request_id,
            reason=reason.value,
            placed_at=datetime.now(UTC),
        )
    ).inserted_primary_key
    assert new is not None
    _audit(conn, person_id, actor, "restriction.placed", reason.value, request_id)
    return int(new[0])


def lift(conn: Connection, person_id: int, *, actor: str) -> None:
    lifted = conn.execute(
        update(restrictions)
        .where(restrictions.c.person_id == person_id, restrictions.c.lifted_at.is_(None))
        .values(lifted_at=datetime.now(UTC))
    ).rowcount
    if not lifted:
        raise AlarmvernError(
            f"person {person_id} har ingen begrensning å oppheve",
            f"person {person_id} has no restriction to lift",
            field="person",
            code="not_restricted",
        )
    _audit(conn, person_id, actor, "restriction.lifted", None, None)


def is_restricted(conn: Connection, person_id: int) -> bool:
    query = select(restrictions.c.id).where(
        restrictions.c.person_id == person_id, restrictions.c.lifted_at.is_(None)
    )
    return conn.execute(query.limit(1)).first() is not None


def unrestricted(person_column: ColumnElement[int]) -> ColumnElement[bool]:
    """A filter that leaves restricted people out of a query."""
    return not_(
        exists().where(
            restrictions.c.person_id == person_column, restrictions.c.lifted_at.is_(None)
        )
    )


def guard(engine: Engine, person_id: int, *, purpose: str, actor: str) -> None:
    """Refuse, and record the refusal, if the person's data is restricted.

    The refusal is audited in a transaction of its own, so it is kept although the caller's
    work is abandoned.
    """
    with engine.begin() as conn:
        if not is_restricted(conn, person_id):
            return
        _audit(conn, person_id, actor, "restriction.refused", purpose, None)
    raise Restricted(
        f"behandlingen av opplysningene om person {person_id} er begrenset (art. 18): de "
        f"oppbevares, men kan ikke brukes til {purpose} før begrensningen oppheves",
        f"person {person_id}'s data is restricted (art. 18): it is kept but may not be used "
        f"for {purpose} until the restriction is lifted",
        field="person",
        code="restricted",
    )


def _audit(
    conn: Connection,
    person_id: int,
    actor: str,
    action: str,
    detail: str | None,
    request_id: int | None,
) -> None:
    audit.append(
        conn,
        actor=actor,
        action=action,
        subject=f"person:{person_id}",
        purpose=f"rights-request:{request_id}" if request_id else detail,
        details={"reason": detail} if detail else {},
    )
