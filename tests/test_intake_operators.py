"""Operators see a site only while handling an incident there (and a grace period after);
every view and every refusal is audited; on-demand images and restricted people never show."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Connection, Engine, select

from alarmvern.intake import incidents as inc
from alarmvern.intake import operators as ops
from alarmvern.policy import LoadedPolicy, load
from alarmvern.rights import consent, restriction
from alarmvern.store import tables as t
from alarmvern.store.writes import insert_many
from alarmvern.vault import FolderBlobStore, MasterKey, Vault
from tests import builders as b

OPENED = b.T0
CLOSED = b.T0 + timedelta(hours=1)


@pytest.fixture
def policy() -> LoadedPolicy:
    return load("default")


@pytest.fixture
def vault(tmp_path: Path) -> Vault:
    return Vault(MasterKey.generate(), FolderBlobStore(tmp_path / "blobs"))


class World:
    def __init__(self, engine: Engine, vault: Vault, policy: LoadedPolicy) -> None:
        with engine.begin() as conn:
            self.holder = b.person(conn)
            self.account = b.account(conn, self.holder)
            self.site = b.site(conn, self.account)
            self.other_site = b.site(conn, self.account, street="Lillegata 2")
            self.contact = b.person(conn, name="Ola Kontakt", phone="+4798765432")
            self.hidden = b.person(conn, name="Per Begrenset", phone="+4797000000")
            for priority, person in enumerate((self.contact, self.hidden), start=1):
                b.insert(
                    conn,
                    t.alarm_contacts,
                    account_id=self.account,
                    site_id=self.site,
                    person_id=person,
                    priority=priority,
                    has_keys=priority == 1,
                )
            restriction.place(
                conn, self.hidden, reason=restriction.Reason.accuracy, actor="dpo", request_id=None
            )
            self.incident = inc.open_incident(
                conn, account_id=self.account, site_id=self.site, kind="burglary", at=OPENED
            )
            self.image, _ = b.image(conn, vault, self.account, OPENED, incident=self.incident)
            self.on_demand = _on_demand_image(conn, vault, self.account, self.holder)


def _on_demand_image(conn: Connection, vault: Vault, account: int, requester: int) -> int:
    blob_id = vault.new_blob_id()
    vault.put_blob(conn, f"account:{account}", "media", blob_id, b"private")
    row = {
        "account_id": account,
        "person_id": requester,
        "kind": "image",
        "content_type": "image/jpeg",
        "size": 7,
        "blob_id": blob_id,
        "on_demand": True,
        "captured_at": OPENED,
    }
    insert_many(conn, t.media, [row])
    return int(conn.execute(select(t.media.c.id).where(t.media.c.blob_id == blob_id)).scalar_one())


@pytest.fixture
def world(engine: Engine, vault: Vault, policy: LoadedPolicy) -> World:
    return World(engine, vault, policy)


def _audit(engine: Engine, action: str) -> list[tuple[str, str | None, str | None, str]]:
    with engine.connect() as conn:
        rows = conn.execute(
            select(
                t.audit_log.c.actor,
                t.audit_log.c.subject,
                t.audit_log.c.purpose,
                t.audit_log.c.details,
            )
            .where(t.audit_log.c.action == action)
            .order_by(t.audit_log.c.seq)
        ).all()
    return [tuple(r) for r in rows]


def _assign(engine: Engine, world: World, operator: str = "op-anne") -> None:
    with engine.begin() as conn:
        inc.assign(conn, world.incident, operator, at=OPENED + timedelta(minutes=1))


def test_an_operator_outside_an_incident_is_refused_and_the_refusal_is_kept(
    engine: Engine, world: World, policy: LoadedPolicy
) -> None:
    now = OPENED + timedelta(minutes=5)
    with pytest.raises(ops.AccessRefused, match="refused"):
        ops.site_view(engine, policy.policy, "op-anne", world.site, now=now)
    refused = _audit(engine, "operator.refused")
    assert [(r[0], r[1]) for r in refused] == [("op-anne", f"site:{world.site}")]
    assert _audit(engine, "operator.view") == []


def test_an_assigned_operator_sees_the_site_and_the_view_is_audited_for_the_incident(
    engine: Engine, world: World, policy: LoadedPolicy
) -> None:
    _assign(engine, world)
    view = ops.site_view(
        engine, policy.policy, "op-anne", world.site, OPENED + timedelta(minutes=5)
    )
    assert view.incident_id == world.incident
    assert [(c.person_id, c.priority, c.has_keys) for c in view.contacts] == [
        (world.contact, 1, True)
    ]
    assert view.contacts[0].name == "Ola Kontakt" and view.contacts[0].phone == "+4798765432"
    assert [m.id for m in view.media] == [world.image]
    views = _audit(engine, "operator.view")
    assert len(views) == 1
    actor, subject, purpose, details = views[0]
    assert (actor, subject, purpose) == (
        "op-anne",
        f"site:{world.site}",
        f"incident:{world.incident}",
    )
    assert '"contacts": 1' in details and '"withheld_restricted": 1' in details


def test_restricted_contacts_are_left_out(
    engine: Engine, world: World, policy: LoadedPolicy
) -> None:
    _assign(engine, world)
    with engine.begin() as conn:
        restriction.lift(conn, world.hidden, actor="dpo")
    view = ops.site_view(
        engine, policy.policy, "op-anne", world.site, OPENED + timedelta(minutes=5)
    )
    assert [c.person_id for c in view.contacts] == [world.contact, world.hidden]


def test_another_operator_or_another_site_is_refused(
    engine: Engine, world: World, policy: LoadedPolicy
) -> None:
    _assign(engine, world)
    now = OPENED + timedelta(minutes=5)
    with pytest.raises(ops.AccessRefused):
        ops.site_view(engine, policy.policy, "op-bjorn", world.site, now=now)
    with pytest.raises(ops.AccessRefused):
        ops.site_view(engine, policy.policy, "op-anne", world.other_site, now=now)
    assert len(_audit(engine, "operator.refused")) == 2


def test_access_ends_when_the_grace_period_after_closing_ends(
    engine: Engine, world: World, policy: LoadedPolicy
) -> None:
    _assign(engine, world)
    with engine.begin() as conn:
        inc.close(conn, world.incident, "op-anne", "falsk alarm", at=CLOSED)
    grace = policy.policy.operations.operator_grace.after(CLOSED)
    view = ops.site_view(engine, policy.policy, "op-anne", world.site, grace - timedelta(seconds=1))
    assert view.incident_id == world.incident
    with pytest.raises(ops.AccessRefused):
        ops.site_view(engine, policy.policy, "op-anne", world.site, now=grace)
    with engine.connect() as conn:
        assert ops.allowed(conn, policy.policy, "op-anne", world.site, grace) is None
    assert len(_audit(engine, "operator.refused")) == 1


def test_media_content_is_given_to_the_operator_of_the_incident_only(
    engine: Engine, world: World, vault: Vault, policy: LoadedPolicy
) -> None:
    now = OPENED + timedelta(minutes=5)
    with pytest.raises(ops.AccessRefused):
        ops.media_content(engine, vault, policy.policy, "op-anne", world.image, now=now)
    _assign(engine, world)
    data = ops.media_content(engine, vault, policy.policy, "op-anne", world.image, now=now).data
    assert data == b"\x89PNG test image"
    subjects = [(r[1], r[2]) for r in _audit(engine, "operator.view")]
    assert subjects == [(f"media:{world.image}", f"incident:{world.incident}")]


def test_on_demand_images_are_never_shown_to_operators(
    engine: Engine, world: World, vault: Vault, policy: LoadedPolicy
) -> None:
    _assign(engine, world)
    with engine.begin() as conn:  # even an on-demand image tied to the operator's incident
        conn.execute(
            t.media.update()
            .where(t.media.c.id == world.on_demand)
            .values(incident_id=world.incident, site_id=world.site)
        )
    now = OPENED + timedelta(minutes=5)
    view = ops.site_view(engine, policy.policy, "op-anne", world.site, now=now)
    assert world.on_demand not in [m.id for m in view.media]
    with pytest.raises(ops.AccessRefused):
        ops.media_content(engine, vault, policy.policy, "op-anne", world.on_demand, now=now)
    refused = _audit(engine, "operator.refused")
    assert refused[-1][1] == f"media:{world.on_demand}" and "on-demand" in refused[-1][3]


def test_presence_shows_the_latest_state_of_consenting_people_only(
    engine: Engine, world: World, policy: LoadedPolicy
) -> None:
    _assign(engine, world)
    with engine.begin() as conn:
        user = b.person(conn, name="Siri Bruker")
        for person in (world.holder, user):
            for minutes, state in ((0, "away"), (3, "home")):
                b.insert(
                    conn,
                    t.presence,
                    account_id=world.account,
                    person_id=person,
                    state=state,
                    recorded_at=OPENED + timedelta(minutes=minutes),
                )
        consent.give(
            conn,
            policy.policy,
            world.holder,
            "presence",
            notice_version="1",
            channel="app",
            actor="t",
        )
    view = ops.site_view(
        engine, policy.policy, "op-anne", world.site, OPENED + timedelta(minutes=5)
    )
    assert [(p.person_id, p.state) for p in view.presence] == [(world.holder, "home")]
