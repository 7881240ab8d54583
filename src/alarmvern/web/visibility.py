"""Object-level access: what each role may see of which person, account, site or incident.

A customer sees their own person and the accounts they hold; staff other than operators see
what their work needs, and each look at a person's data is audited; an operator sees a site
only through an incident they are assigned to (``alarmvern.intake.operators``).

Why this is in ``web/``: it decides by a web login's role (:class:`~alarmvern.web.security.
Principal`), and its audited looks are collected for the request and committed before the
answer (:func:`record_look`). The CLI checks no roles (it acts as the system, on the
machine), so it needs none of it; what the rule reads is below the web
(``customers.overview.accounts_held``, ``customers.sites.account_of_site``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import Connection

from alarmvern import audit
from alarmvern.customers.overview import accounts_held
from alarmvern.customers.sites import account_of_site
from alarmvern.web.errors import ApiError
from alarmvern.web.security import Principal, Role

NOT_YOURS = "ikke din / not yours"
# The execution option under which a reading connection collects its audited looks.
LOOKS = "alarmvern_looks"


def record_look(conn: Connection, **fields: Any) -> None:
    """Audit a look at data: in the transaction when it writes anyway; on a reading
    connection (:func:`alarmvern.web.api.common.connection_for`) collected, and committed
    through the audit group writer before the answer leaves."""
    looks = conn.get_execution_options().get(LOOKS)
    if looks is None:
        audit.append(conn, **fields)
    else:
        looks.append(fields)


def accounts_of(conn: Connection, who: Principal) -> list[int]:
    if who.person_id is None:
        return []
    return accounts_held(conn, who.person_id)


def check_person(conn: Connection, who: Principal, person_id: int, purpose: str) -> None:
    """Refuse unless ``who`` may see this person; audit staff looks."""
    _check(conn, who, lambda: who.person_id == person_id, ("personer", "people"),
           subject=f"person:{person_id}", purpose=purpose)  # fmt: skip


def check_account(conn: Connection, who: Principal, account_id: int, purpose: str) -> None:
    """Refuse unless ``who`` may see this account; audit staff looks."""
    _check(conn, who, lambda: account_id in accounts_of(conn, who), ("kunder", "customers"),
           subject=f"account:{account_id}", purpose=purpose)  # fmt: skip


def _check(
    conn: Connection,
    who: Principal,
    theirs: Callable[[], bool],
    what: tuple[str, str],
    *,
    subject: str,
    purpose: str,
) -> None:
    """The one rule: a customer sees only their own (anything else is "not found"); an
    operator nothing outside an incident; other staff all, each look audited."""
    if who.role is Role.customer:
        if not theirs():
            raise ApiError(404, NOT_YOURS)
        return
    if who.role is Role.operator:
        raise ApiError(
            403,
            f"operatører ser {what[0]} bare gjennom en hendelse / operators see "
            f"{what[1]} only through an incident",
        )
    record_look(conn, actor=who.actor, action="staff.view", subject=subject, purpose=purpose)


def check_site(conn: Connection, who: Principal, site_id: int, purpose: str) -> int:
    """The site's account, once ``who`` may see it."""
    account = account_of_site(conn, site_id)  # an unknown site: 404, naming ``site_id``
    check_account(conn, who, account, purpose)
    return account
