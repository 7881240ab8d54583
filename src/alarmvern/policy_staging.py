"""Policy versions that take effect later (staged), and which version is in force today.

A policy dated after today is *staged*: it is stored as a version on start, like any other,
so that its changes and the customers to tell can be shown and told before it applies
(art. 13(3), 14(4)), but the system keeps enforcing the version it ran on before until that
date. The rule, in one place: the version in force is the newest applied version whose date
is on or before today (the date in Oslo). :class:`Timeline` holds the two versions a running
system chooses between, so a server started before the date switches at midnight without a
restart; :func:`state` says how a stored version reads on the DPO page and in
``alarmvern policy versions`` ("Kommer 01.02.2027 / Coming").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, select

from alarmvern.policy import LoadedPolicy, PolicyError, loads
from alarmvern.store.tables import policy_versions

OSLO = ZoneInfo("Europe/Oslo")

State = Literal["coming", "in_force", "earlier"]


def today() -> date:
    """Today in Oslo: a version dated 1 February applies from midnight there."""
    return datetime.now(OSLO).date()


@dataclass(frozen=True)
class Timeline:
    """The version enforced now, and the staged one that replaces it on its date."""

    current: LoadedPolicy
    staged: LoadedPolicy | None = None

    def in_force(self, on: date) -> LoadedPolicy:
        if self.staged is not None and self.staged.policy.date <= on:
            return self.staged
        return self.current

    def coming(self, on: date) -> LoadedPolicy | None:
        """The staged version, while it has not yet applied."""
        if self.staged is not None and self.staged.policy.date > on:
            return self.staged
        return None


def timeline(conn: Connection, configured: LoadedPolicy, on: date) -> tuple[Timeline, str | None]:
    """What a system configured with ``configured`` enforces, and a warning if it must apply
    a policy dated after ``on`` at once (there is no earlier readable version to run on).

    ``configured`` dated on or before ``on`` is in force, as it always was. Dated later, it
    is staged, and the newest applied version of the store dated on or before ``on`` runs
    until then (a version this program can no longer read is passed over).
    """
    if configured.policy.date <= on:
        return Timeline(configured), None
    rows = conn.execute(
        select(policy_versions.c.name, policy_versions.c.source)
        .where(
            policy_versions.c.policy_date <= on,
            policy_versions.c.sha256 != configured.sha256,
        )
        .order_by(policy_versions.c.applied_at.desc(), policy_versions.c.id.desc())
    ).all()
    for name, source in rows:
        try:
            return Timeline(loads(source, name=name), configured), None
        except PolicyError:
            continue
    warning = (
        f"policy {configured.name} {configured.policy.version} is dated "
        f"{configured.policy.date.isoformat()}, after today, and the store holds no earlier "
        "version to run on until then: it applies now"
    )
    return Timeline(configured), warning


def state(policy_date: date, sha256: str, in_force_sha256: str, on: date) -> State:
    """How a stored version stands on ``on``: coming (dated later), the one in force, or
    one the system ran on earlier."""
    if policy_date > on:
        return "coming"
    return "in_force" if sha256 == in_force_sha256 else "earlier"


def state_words(value: State, policy_date: date) -> tuple[str, str]:
    """The state as users read it, bokmål then English."""
    when = policy_date.strftime("%d.%m.%Y")
    return {
        "coming": (f"Kommer {when}", f"Coming {policy_date.isoformat()}"),
        "in_force": ("Gjelder nå", "In force"),
        "earlier": ("Tidligere versjon", "Earlier version"),
    }[value]
