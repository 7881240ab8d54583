"""The retention examples of the notices, swept exactly on their dates (the clock is moved)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from alarmvern import audit
from alarmvern.policy import LoadedPolicy, load, loads
from alarmvern.retention import holds
from alarmvern.retention.sweep import sweep
from alarmvern.store import tables as t
from alarmvern.store.tables import audit_log
from alarmvern.vault import FolderBlobStore, MasterKey, Vault
from tests import builders as b

POLICY = Path(__file__).parent / "data" / "retention.yaml"
SECOND = timedelta(seconds=1)


@pytest.fixture
def policy() -> LoadedPolicy:
    return load(POLICY)


@pytest.fixture
def vault(tmp_path: Path) -> Vault:
    return Vault(MasterKey.generate(), FolderBlobStore(tmp_path / "blobs"))


def count(engine: Engine, table: t.Table) -> int:  # type: ignore[name-defined]
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


def test_alarm_images_go_seven_days_after_capture(
    engine: Engine, policy: LoadedPolicy, vault: Vault
) -> None:
    with engine.begin() as conn:
        holder = b.person(conn)
        acc = b.account(conn, holder)
        _, blob_id = b.image(conn, vault, acc, b.T0)
    sweep(engine, policy.policy, vault, now=b.T0 + timedelta(days=7) - SECOND)
    assert count(engine, t.media) == 1 and vault.blobs.exists(blob_id)
    report = sweep(engine, policy.policy, vault, now=b.T0 + timedelta(days=7))
    assert count(engine, t.media) == 0
    assert not vault.blobs.exists(blob_id)
    assert report.blobs_deleted == 1


def test_alarm_system_data_goes_three_years_after_the_relationship_ends(
    engine: Engine, policy: LoadedPolicy, vault: Vault
) -> None:
    ended = datetime(2026, 2, 28, 12, 0, tzinfo=UTC)
    with engine.begin() as conn:
        gone = b.account(conn, b.person(conn), "K1", ended_at=ended)
        active = b.account(conn, b.person(conn), "K2")
        for acc in (gone, active):
            b.events(conn, acc, b.site(conn, acc), [b.T0 - timedelta(days=400), b.T0])
    # Years count in dates: due on 28 February 2029, from midnight.
    sweep(engine, policy.policy, vault, now=datetime(2029, 2, 27, 23, 59, 59, tzinfo=UTC))
    assert count(engine, t.alarm_events) == 4
    sweep(engine, policy.policy, vault, now=datetime(2029, 2, 28, 0, 0, tzinfo=UTC))
    with engine.connect() as conn:
        left = conn.execute(select(t.alarm_events.c.account_id).distinct()).scalars().all()
        site_of_gone = conn.execute(
            select(t.sites.c.panel_type).where(t.sites.c.account_id == gone)
        ).scalar_one()
    assert left == [active]
    assert site_of_gone is None  # the site's alarm-system columns went with the events


def test_identity_is_anonymised_a_year_after_the_end_while_invoices_stay(
    engine: Engine, policy: LoadedPolicy, vault: Vault
) -> None:
    ended = datetime(2024, 2, 29, 10, 0, tzinfo=UTC)  # a leap day: + 12 months = 28 Feb 2025
    with engine.begin() as conn:
        holder = b.person(conn, vault, nin="17068012345", relationship_ended_at=ended)
        acc = b.account(conn, holder, "K100200", ended_at=ended)
        b.insert(
            conn,
            t.invoices,
            account_id=acc,
            person_id=holder,
            invoice_no="F1",
            issued_at=datetime(2024, 2, 1, tzinfo=UTC),
            amount=399,
            billed_name="Kari Nordmann",
            billed_address="Storgata 1, 0155 Oslo",
        )
    sweep(engine, policy.policy, vault, now=datetime(2025, 2, 27, 23, 59, 59, tzinfo=UTC))
    with engine.connect() as conn:
        assert conn.execute(select(t.persons.c.name)).scalar_one() == "Kari Nordmann"
    sweep(engine, policy.policy, vault, now=datetime(2025, 2, 28, 0, 0, tzinfo=UTC))
    with engine.connect() as conn:
        person = conn.execute(select(t.persons)).one()._mapping
        customer_no = conn.execute(select(t.customer_accounts.c.customer_no)).scalar_one()
        invoice = conn.execute(select(t.invoices)).one()._mapping
    assert person["name"].startswith("psd-") and "Kari" not in person["name"]
    assert person["phone"] is None and person["email"] is None and person["nin_enc"] is None
    assert person["street"] is None and person["postcode"] == "0155"
    assert person["birth_date"] == date(1980, 1, 1)
    assert customer_no.startswith("psd-")
    assert invoice["billed_name"] == "Kari Nordmann"  # the bookkeeping act keeps it whole
    # Invoices: 5 years after the end of the fiscal year (2024) they were issued in.
    sweep(engine, policy.policy, vault, now=datetime(2029, 12, 31, 23, 59, 59, tzinfo=UTC))
    assert count(engine, t.invoices) == 1
    sweep(engine, policy.policy, vault, now=datetime(2030, 1, 1, tzinfo=UTC))
    assert count(engine, t.invoices) == 0


def test_the_same_pseudonym_for_the_same_value(
    engine: Engine, policy: LoadedPolicy, vault: Vault
) -> None:
    ended = datetime(2024, 1, 10, tzinfo=UTC)
    with engine.begin() as conn:
        for _ in range(2):
            b.person(conn, name="Ola Nordmann", relationship_ended_at=ended)
    sweep(engine, policy.policy, vault, now=datetime(2025, 6, 1, tzinfo=UTC))
    with engine.connect() as conn:
        names = conn.execute(select(t.persons.c.name)).scalars().all()
    assert len(set(names)) == 1 and names[0].startswith("psd-")


def test_leads_go_a_year_after_last_contact_unless_they_became_customers(
    engine: Engine, policy: LoadedPolicy, vault: Vault
) -> None:
    with engine.begin() as conn:
        for name in ("stays a lead", "becomes a customer"):
            who = b.person(conn, name=name)
            b.insert(
                conn,
                t.leads,
                person_id=who,
                kind="contact_form",
                received_at=b.T0,
                last_contact_at=b.T0,
            )
        b.account(conn, who)  # the second lead signed a contract
    due = datetime(2027, 3, 15, tzinfo=UTC)  # 12 months after 15 March 2026, from midnight
    sweep(engine, policy.policy, vault, now=due - SECOND)
    assert count(engine, t.leads) == 2
    sweep(engine, policy.policy, vault, now=due)
    with engine.connect() as conn:
        left = conn.execute(select(t.leads.c.person_id)).scalars().all()
    assert left == [who]


def test_marketing_consent_data_goes_when_consent_is_withdrawn(
    engine: Engine, policy: LoadedPolicy, vault: Vault
) -> None:
    withdrawn = b.T0 + timedelta(days=30)
    with engine.begin() as conn:
        who = b.person(conn)
        for when in (withdrawn, None):
            b.insert(
                conn,
                t.consents,
                person_id=who,
                activity="marketing",
                notice_version="1",
                given_at=b.T0,
                withdrawn_at=when,
            )
    sweep(engine, policy.policy, vault, now=withdrawn - SECOND)
    assert count(engine, t.consents) == 2
    sweep(engine, policy.policy, vault, now=withdrawn)
    assert count(engine, t.consents) == 1


def test_call_recordings_go_after_twelve_months(
    engine: Engine, policy: LoadedPolicy, vault: Vault
) -> None:
    started = datetime(2026, 1, 31, 8, 0, tzinfo=UTC)
    with engine.begin() as conn:
        b.insert(conn, t.call_recordings, direction="in", started_at=started, phone="+4790000000")
    sweep(engine, policy.policy, vault, now=datetime(2027, 1, 30, 23, 59, 59, tzinfo=UTC))
    assert count(engine, t.call_recordings) == 1
    sweep(engine, policy.policy, vault, now=datetime(2027, 1, 31, 0, 0, tzinfo=UTC))
    assert count(engine, t.call_recordings) == 0


def test_held_media_survive_until_the_hold_is_released(
    engine: Engine, policy: LoadedPolicy, vault: Vault
) -> None:
    with engine.begin() as conn:
        acc = b.account(conn, b.person(conn))
        incident = b.insert(
            conn, t.incidents, account_id=acc, kind="burglary", status="closed", opened_at=b.T0
        )
        _, held_blob = b.image(conn, vault, acc, b.T0, incident=incident)
        _, free_blob = b.image(conn, vault, acc, b.T0)
        hold = holds.place(
            conn,
            policy.policy,
            target="incident",
            target_id=incident,
            reason="Politisak 123",
            ends_on=(b.T0 + timedelta(days=20)).date(),
            placed_by="dpo",
            now=b.T0,
        )
    sweep(engine, policy.policy, vault, now=b.T0 + timedelta(days=8))
    assert vault.blobs.exists(held_blob) and not vault.blobs.exists(free_blob)
    assert count(engine, t.media) == 1
    with engine.begin() as conn:
        holds.release(conn, hold.id, released_by="dpo")
    sweep(engine, policy.policy, vault, now=b.T0 + timedelta(days=9))
    assert count(engine, t.media) == 0 and not vault.blobs.exists(held_blob)


def test_an_expired_hold_no_longer_keeps_anything(
    engine: Engine, policy: LoadedPolicy, vault: Vault
) -> None:
    with engine.begin() as conn:
        acc = b.account(conn, b.person(conn))
        media_id, _ = b.image(conn, vault, acc, b.T0)
        holds.place(
            conn,
            policy.policy,
            target="media",
            target_id=media_id,
            reason="sak",
            ends_on=(b.T0 + timedelta(days=10)).date(),
            placed_by="dpo",
            now=b.T0,
        )
    sweep(engine, policy.policy, vault, now=b.T0 + timedelta(days=10, hours=12))
    assert count(engine, t.media) == 1
    sweep(engine, policy.policy, vault, now=b.T0 + timedelta(days=11))
    assert count(engine, t.media) == 0


def test_a_hold_past_the_policy_maximum_needs_an_audited_override(
    engine: Engine, policy: LoadedPolicy, vault: Vault
) -> None:
    with engine.begin() as conn:
        acc = b.account(conn, b.person(conn))
        media_id, _ = b.image(conn, vault, acc, b.T0)
        too_late = (b.T0 + timedelta(days=31)).date()
        with pytest.raises(holds.HoldError, match="longest the policy allows"):
            holds.place(
                conn,
                policy.policy,
                target="media",
                target_id=media_id,
                reason="sak",
                ends_on=too_late,
                placed_by="dpo",
                now=b.T0,
            )
        hold = holds.place(
            conn,
            policy.policy,
            target="media",
            target_id=media_id,
            reason="sak",
            ends_on=too_late,
            placed_by="dpo",
            override="Kjennelse fra tingretten",
            now=b.T0,
        )
        assert hold.override == "Kjennelse fra tingretten"
        entry = conn.execute(
            select(audit_log.c.details).where(audit_log.c.action == "hold.place")
        ).scalar_one()
    assert '"override": true' in entry


def test_a_second_sweep_finds_nothing_to_do(
    engine: Engine, policy: LoadedPolicy, vault: Vault
) -> None:
    ended = datetime(2020, 1, 1, tzinfo=UTC)
    with engine.begin() as conn:
        holder = b.person(conn, relationship_ended_at=ended)
        acc = b.account(conn, holder, ended_at=ended)
        b.events(conn, acc, b.site(conn, acc), [b.T0])
        b.image(conn, vault, acc, b.T0)
    first = sweep(engine, policy.policy, vault, now=datetime(2026, 6, 1, tzinfo=UTC))
    second = sweep(engine, policy.policy, vault, now=datetime(2026, 6, 1, tzinfo=UTC))
    assert first.rows > 0 and second.rows == 0


def test_each_batch_is_audited_with_counts_and_ids_never_content(
    engine: Engine, policy: LoadedPolicy, vault: Vault
) -> None:
    with engine.begin() as conn:
        acc = b.account(conn, b.person(conn))
        for _ in range(5):
            b.image(conn, vault, acc, b.T0)
    sweep(engine, policy.policy, vault, now=b.T0 + timedelta(days=8), batch_size=2)
    with engine.connect() as conn:
        entries = (
            conn.execute(select(audit_log.c.details).where(audit_log.c.action == "retention.sweep"))
            .scalars()
            .all()
        )
        assert audit.verify(conn)[1] is None
    assert len(entries) == 3
    assert all(
        '"table": "media"' in e and '"first_id"' in e and '"count": 2' in e for e in entries[:2]
    )
    assert not any("Kari" in e or "PNG" in e for e in entries)


def test_a_dry_run_counts_and_changes_nothing(
    engine: Engine, policy: LoadedPolicy, vault: Vault
) -> None:
    with engine.begin() as conn:
        acc = b.account(conn, b.person(conn))
        b.image(conn, vault, acc, b.T0)
    report = sweep(engine, policy.policy, vault, now=b.T0 + timedelta(days=8), dry_run=True)
    assert report.rows == 1 and count(engine, t.media) == 1


def test_statistics_per_municipality_survive_anonymisation(engine: Engine, vault: Vault) -> None:
    text = POLICY.read_text().replace(
        "user.alarm: {keep: 3y, from: relationship_end, then: delete}",
        "user.alarm: {keep: 3y, from: relationship_end, then: anonymise, strategy: drop}",
    )
    policy = loads(text, name="anonymising.yaml").policy
    ended = datetime(2020, 1, 1, tzinfo=UTC)
    with engine.begin() as conn:
        for n, town in enumerate(["Bergen", "Bergen", "Tromsø"]):
            holder = b.person(conn, relationship_ended_at=ended)
            acc = b.account(conn, holder, f"K{n}", ended_at=ended)
            site = b.site(conn, acc, municipality=town)
            b.events(conn, acc, site, [b.T0, b.T0 + SECOND], actor_person_id=holder)

    def per_municipality() -> dict[str, int]:
        with engine.connect() as conn:
            rows = conn.execute(
                select(t.sites.c.municipality, func.count())
                .select_from(t.alarm_events.join(t.sites))
                .group_by(t.sites.c.municipality)
            ).all()
        return {town: n for town, n in rows}

    before = per_municipality()
    sweep(engine, policy, vault, now=datetime(2026, 6, 1, tzinfo=UTC))
    with engine.connect() as conn:
        actors = conn.execute(select(t.alarm_events.c.actor_person_id)).scalars().all()
        coordinates = conn.execute(select(t.sites.c.latitude)).scalars().all()
    assert set(actors) == {None} and set(coordinates) == {None}
    assert per_municipality() == before == {"Bergen": 4, "Tromsø": 2}


def test_a_lead_with_nothing_left_is_deleted_and_their_key_shredded(
    engine: Engine, policy: LoadedPolicy, vault: Vault
) -> None:
    contact = datetime(2027, 1, 10, tzinfo=UTC)  # after the person row was made (today)
    with engine.begin() as conn:
        lead = b.person(conn, vault, nin="01019012345", name="Lead Person", created_at=contact)
        b.insert(
            conn,
            t.leads,
            person_id=lead,
            kind="quote_request",
            received_at=contact,
            last_contact_at=contact,
        )
    report = sweep(engine, policy.policy, vault, now=contact + timedelta(days=366))
    assert count(engine, t.leads) == 0 and count(engine, t.persons) == 0
    assert report.subjects_shredded == 1
    with engine.connect() as conn:
        assert (
            conn.execute(
                select(func.count()).where(t.subject_keys.c.subject == f"person:{lead}")
            ).scalar()
            == 0
        )


def test_a_held_person_is_not_deleted_when_nothing_refers_to_them(
    engine: Engine, policy: LoadedPolicy, vault: Vault
) -> None:
    made = datetime(2027, 1, 10, tzinfo=UTC)
    with engine.begin() as conn:
        who = b.person(conn, name="Held Person", created_at=made)
        holds.place(
            conn,
            policy.policy,
            target="person",
            target_id=who,
            reason="Sivil sak",
            ends_on=date(2027, 12, 31),
            placed_by="dpo",
            now=made,
        )
    sweep(engine, policy.policy, vault, now=made + timedelta(days=60))
    assert count(engine, t.persons) == 1


def test_a_longer_rule_of_another_activity_is_not_overridden_by_a_narrower_key() -> None:
    from alarmvern.retention.plan import rules_for

    text = (
        POLICY.read_text()
        .replace(
            "    categories: [user.financial.invoice]\n    retention:\n"
            "      user.financial.invoice: {keep: 5y, from: fiscal_year_end, then: delete}",
            "    categories: [user.financial]\n    retention:\n"
            "      user.financial: {keep: 5y, from: fiscal_year_end, then: delete}",
        )
        .replace(
            "  user.financial.invoice: {name: {nb: Fakturaer, en: Invoices}}",
            "  user.financial.invoice: {name: {nb: Fakturaer, en: Invoices}}\n"
            "  user.financial: {name: {nb: Økonomi, en: Finance}}",
        )
        .replace(
            "    categories: [user.content.call_recording]\n",
            "    categories: [user.content.call_recording, user.financial.invoice]\n",
        )
        .replace(
            "      user.content.call_recording: {keep: 12mo, from: captured, then: delete}",
            "      user.content.call_recording: {keep: 12mo, from: captured, then: delete}\n"
            "      user.financial.invoice: {keep: 1y, from: fiscal_year_end, then: delete}",
        )
    )
    rules = rules_for(loads(text, name="overlap.yaml").policy, "user.financial.invoice")
    assert sorted(r.rule.keep.amount for r in rules if r.rule.keep) == [1, 5]
