"""An incident's life, step by step, each step recorded and audited; a police case may hold
the incident's media past their retention."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Connection, Engine, func, select

from alarmvern.intake import incidents as inc
from alarmvern.intake import operators
from alarmvern.policy import LoadedPolicy, load
from alarmvern.retention.sweep import sweep
from alarmvern.store import tables as t
from alarmvern.vault import FolderBlobStore, MasterKey, Vault
from tests import builders as b


@pytest.fixture
def policy() -> LoadedPolicy:
    return load("default")


@pytest.fixture
def vault(tmp_path: Path) -> Vault:
    return Vault(MasterKey.generate(), FolderBlobStore(tmp_path / "blobs"))


def _world(engine: Engine) -> tuple[int, int, int]:
    """An account with a site and an alarm contact: (account, site, contact person)."""
    with engine.begin() as conn:
        acc = b.account(conn, b.person(conn))
        site = b.site(conn, acc)
        contact = b.person(conn, name="Ola Kontakt", phone="+4798765432")
        b.insert(
            conn, t.alarm_contacts, account_id=acc, site_id=site, person_id=contact, priority=1
        )
    return acc, site, contact


def _actions(engine: Engine, incident: int) -> list[str]:
    with engine.connect() as conn:
        return list(
            conn.execute(
                select(t.audit_log.c.action)
                .where(t.audit_log.c.subject == f"incident:{incident}")
                .order_by(t.audit_log.c.seq)
            ).scalars()
        )


def test_every_step_is_a_row_and_an_audit_entry(engine: Engine, policy: LoadedPolicy) -> None:
    acc, site, contact = _world(engine)
    with engine.begin() as conn:
        incident = inc.open_incident(conn, account_id=acc, site_id=site, kind="burglary", at=b.T0)
        inc.assign(conn, incident, "op-anne", at=b.T0 + timedelta(seconds=20))
        inc.contact_called(conn, incident, contact, "no_answer", "op-anne")
        inc.guard_dispatched(conn, incident, "op-anne", "Vektercompaniet")
        inc.police_notified(conn, incident, "op-anne", "2026-4711", policy.policy, None)
        inc.close(conn, incident, "op-anne", "innbrudd bekreftet")
    with engine.connect() as conn:
        steps = conn.execute(
            select(t.incident_steps).where(t.incident_steps.c.incident_id == incident)
        ).all()
        row = conn.execute(select(t.incidents).where(t.incidents.c.id == incident)).one()
        assignment = conn.execute(select(t.operator_assignments)).one()
    assert [s.step for s in steps] == [
        "received",
        "assigned",
        "contact_called",
        "guard_dispatched",
        "police_notified",
        "closed",
    ]
    called = next(s for s in steps if s.step == "contact_called")
    assert called.person_id == contact and called.details == {"outcome": "no_answer"}
    assert row.status == "closed" and row.closed_at is not None
    assert row.cause == "innbrudd bekreftet" and row.police_case_no == "2026-4711"
    assert assignment.operator == "op-anne" and assignment.released_at is not None
    assert _actions(engine, incident) == [f"incident.{s.step}" for s in steps]


def test_what_an_operator_types_stays_out_of_the_audit_log(
    engine: Engine, policy: LoadedPolicy
) -> None:
    """The audit log is never erased: a close cause, a guard company or a police case number
    (which may name a person) are kept in the step's row only; the audit entry names the row
    (L4)."""
    acc, site, _ = _world(engine)
    typed = ("Vekter Kari Nordmann AS", "2026-4711-KARI", "naboen Per Hansen utløste alarmen")
    with engine.begin() as conn:
        incident = inc.open_incident(conn, account_id=acc, site_id=site, kind="burglary", at=b.T0)
        inc.assign(conn, incident, "op-anne", at=b.T0 + timedelta(seconds=20))
        inc.guard_dispatched(conn, incident, "op-anne", typed[0])
        inc.police_notified(conn, incident, "op-anne", typed[1], policy.policy, None)
        inc.close(conn, incident, "op-anne", typed[2])
    with engine.connect() as conn:
        audited = conn.execute(
            select(t.audit_log.c.action, t.audit_log.c.details).where(
                t.audit_log.c.subject == f"incident:{incident}"
            )
        ).all()
        steps = dict(
            conn.execute(
                select(t.incident_steps.c.step, t.incident_steps.c.id).where(
                    t.incident_steps.c.incident_id == incident
                )
            ).all()
        )
    log = " ".join(details for _, details in audited)
    for text in typed:
        assert text not in log
        assert text.split()[-1] not in log  # no part of it either
    by_action = {action: json.loads(details) for action, details in audited}
    assert by_action["incident.closed"] == {"step": steps["closed"]}
    assert by_action["incident.guard_dispatched"] == {"step": steps["guard_dispatched"]}
    assert by_action["incident.police_notified"] == {
        "hold": None,
        "step": steps["police_notified"],
    }


def test_a_closed_incident_takes_no_more_steps(engine: Engine, policy: LoadedPolicy) -> None:
    acc, site, contact = _world(engine)
    with engine.begin() as conn:
        incident = inc.open_incident(conn, account_id=acc, site_id=site, kind="fire", at=b.T0)
        inc.assign(conn, incident, "op-anne")
        inc.close(conn, incident, "op-anne", "falsk alarm")
    steps: list[Callable[[Connection], None]] = [
        lambda c: inc.close(c, incident, "op-anne", "igjen"),
        lambda c: inc.assign(c, incident, "op-bjorn"),
        lambda c: inc.contact_called(c, incident, contact, "answered", "op-anne"),
        lambda c: inc.guard_dispatched(c, incident, "op-anne", "Vakt AS"),
    ]
    for step in steps:
        with engine.begin() as conn, pytest.raises(inc.IncidentClosed) as refused:
            step(conn)
        message = str(refused.value)
        assert f"Hendelse {incident} ble lukket" in message  # Norwegian first
        assert f"Incident {incident} is closed" in message and "Nothing was changed" in message
        assert "_" not in message  # no internal step key (contact_called) in the words
    with engine.connect() as conn:
        count = conn.execute(select(func.count()).select_from(t.incident_steps)).scalar_one()
    assert count == 3  # received, assigned and closed; nothing from the refused steps


def test_only_the_holder_records_steps_and_an_outsider_learns_nothing(
    engine: Engine, policy: LoadedPolicy
) -> None:
    """The rule the pages and the API disagreed on: an operator who never held the incident
    is refused as not assigned (403) whether it is open or closed; its holder, once it is
    closed, is told it is closed (409)."""
    acc, site, contact = _world(engine)
    with engine.begin() as conn:
        incident = inc.open_incident(conn, account_id=acc, site_id=site, kind="fire", at=b.T0)
        inc.assign(conn, incident, "op-anne")
    outsider: list[Callable[[Connection], None]] = [
        lambda c: inc.contact_called(c, incident, contact, "answered", "op-bjorn"),
        lambda c: inc.guard_dispatched(c, incident, "op-bjorn", "Vakt AS"),
        lambda c: inc.police_notified(c, incident, "op-bjorn", "2026-1", policy.policy, None),
        lambda c: inc.close(c, incident, "op-bjorn", "falsk alarm"),
    ]
    for step in outsider:
        with engine.begin() as conn, pytest.raises(operators.NotAssigned) as refused:
            step(conn)
        assert refused.value.http_status == 403
        assert "ta hendelsen" in str(refused.value) and "take it" in str(refused.value)
    with engine.begin() as conn:
        inc.close(conn, incident, "op-anne", "falsk alarm")
    for step in outsider:  # closed now: still 403 for the outsider, and no closing time
        with engine.begin() as conn, pytest.raises(operators.NotAssigned) as refused:
            step(conn)
        assert "closed" not in str(refused.value)
    with engine.begin() as conn, pytest.raises(inc.IncidentClosed):
        inc.guard_dispatched(conn, incident, "op-anne", "Vakt AS")
    assert getattr(inc.IncidentClosed, "http_status", 409) == 409  # a conflict, on the web
    with engine.connect() as conn:
        count = conn.execute(select(func.count()).select_from(t.incident_steps)).scalar_one()
    assert count == 3  # received, assigned, closed


def test_a_call_to_someone_not_a_contact_of_the_site_is_refused(engine: Engine) -> None:
    acc, site, _contact = _world(engine)
    with engine.begin() as conn:
        stranger = b.person(conn, name="Ikke Kontakt")
        incident = inc.open_incident(conn, account_id=acc, site_id=site, kind="fire", at=b.T0)
        inc.assign(conn, incident, "op-anne")
    with engine.begin() as conn, pytest.raises(inc.NotAContact, match="not an alarm contact"):
        inc.contact_called(conn, incident, stranger, "answered", "op-anne")


def test_unknown_incident_and_unknown_outcome_are_refused(engine: Engine) -> None:
    acc, site, contact = _world(engine)
    with engine.begin() as conn:
        incident = inc.open_incident(conn, account_id=acc, site_id=site, kind="fire", at=b.T0)
        inc.assign(conn, incident, "op-anne")
        with pytest.raises(inc.IncidentError, match="unknown call outcome 'maybe'"):
            inc.contact_called(conn, incident, contact, "maybe", "op-anne")
        with pytest.raises(inc.IncidentError, match="incident 999 does not exist"):
            inc.assign(conn, 999, "op-anne")


def test_open_for_site_finds_the_open_alarm_before_a_technical_incident(engine: Engine) -> None:
    acc, site, _ = _world(engine)
    with engine.begin() as conn:
        assert inc.open_for_site(conn, site) is None
        alarm = inc.open_incident(conn, account_id=acc, site_id=site, kind="burglary", at=b.T0)
        later = b.T0 + timedelta(minutes=5)
        inc.open_incident(conn, account_id=acc, site_id=site, kind="technical:power", at=later)
        assert inc.open_for_site(conn, site) == alarm
        inc.assign(conn, alarm, "op-anne")
        inc.close(conn, alarm, "op-anne", "kunden glemte å slå av")
        assert inc.open_for_site(conn, site) != alarm


def test_a_police_case_holds_the_incident_media_through_a_retention_sweep(
    engine: Engine, policy: LoadedPolicy, vault: Vault
) -> None:
    acc, site, _ = _world(engine)
    with engine.begin() as conn:
        incident = inc.open_incident(conn, account_id=acc, site_id=site, kind="burglary", at=b.T0)
        _, held = b.image(conn, vault, acc, b.T0, incident=incident)
        _, free = b.image(conn, vault, acc, b.T0)
        inc.assign(conn, incident, "op-anne", at=b.T0)
        hold = inc.police_notified(
            conn,
            incident,
            "op-anne",
            "2026-4711",
            policy.policy,
            (b.T0 + timedelta(days=20)).date(),
            at=b.T0 + timedelta(minutes=30),
        )
        inc.close(conn, incident, "op-anne", "innbrudd", at=b.T0 + timedelta(hours=1))
    assert hold is not None and hold.reason == "Politisak 2026-4711"
    assert hold.placed_by == "op-anne" and hold.target == "incident"
    # The default policy keeps alarm images 7 days; the held one outlives that.
    sweep(engine, policy.policy, vault, now=b.T0 + timedelta(days=8))
    assert vault.blobs.exists(held) and not vault.blobs.exists(free)
    with engine.connect() as conn:
        left = conn.execute(select(t.media.c.incident_id)).scalars().all()
    assert left == [incident]
