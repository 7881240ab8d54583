"""Customer service's changes (alarmvern.customers): registering a customer with a site, a
panel user and an alarm contact; bad input named by field, nothing changed; ending the
relationship and removing people, with the dates retention then runs from."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from sqlalchemy import Connection, Engine, func, select

from alarmvern.customers import accounts, contracts, search, sites
from alarmvern.customers.accounts import PersonIn
from alarmvern.customers.errors import InputError
from alarmvern.policy import load
from alarmvern.retention.sweep import sweep
from alarmvern.store import tables as t
from alarmvern.store.tables.columns import as_utc
from alarmvern.vault import FolderBlobStore, MasterKey, Vault
from tests import builders as b

ACTOR = "customer_service:1"
START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
KEY = "00112233445566778899aabbccddeeff"


@pytest.fixture
def vault(tmp_path: Path) -> Vault:
    return Vault(MasterKey.generate(), FolderBlobStore(tmp_path / "blobs"))


def register(conn: Connection, vault: Vault, number: str = "K1", panel: str = "A100") -> dict:
    made = accounts.register_customer(
        conn,
        actor=ACTOR,
        customer_no=number,
        holder=PersonIn(name="Kari Nordmann", email="Kari@Example.NO", phone="912 34 567"),
        started_at=START,
    )
    site = sites.add_site(
        conn,
        vault,
        actor=ACTOR,
        account_id=made.account_id,
        street="Storgata 1",
        postcode="0155",
        city="Oslo",
        panel_account=panel,
        panel_key=KEY,
        supervision_seconds=3600,
    )
    user = sites.add_panel_user(
        conn,
        actor=ACTOR,
        site_id=site,
        user_no=2,
        code="4321",
        person=PersonIn(name="Ola Nordmann", phone="+47 48 12 34 56"),
    )
    contact = sites.add_contact(
        conn,
        actor=ACTOR,
        site_id=site,
        has_keys=True,
        person=PersonIn(name="Per Kontakt", email="per@example.no"),
    )
    contract = contracts.add_contract(
        conn, actor=ACTOR, account_id=made.account_id, product="Boligalarm", signed_at=START
    )
    return {
        "account": made.account_id,
        "holder": made.person_id,
        "site": site,
        "user": user,
        "contact": contact,
        "contract": contract,
    }


def counts(engine: Engine) -> dict[str, int]:
    tables = (
        t.persons,
        t.customer_accounts,
        t.sites,
        t.panel_users,
        t.alarm_contacts,
        t.contracts,
        t.audit_log,
        t.panel_keys,
    )
    with engine.connect() as conn:
        return {
            x.name: int(conn.execute(select(func.count()).select_from(x)).scalar_one())
            for x in tables
        }


def test_a_customer_with_a_site_a_panel_user_and_a_contact_normalised_and_audited(
    engine: Engine, vault: Vault
) -> None:
    with engine.begin() as conn:
        ids = register(conn, vault)
    with engine.connect() as conn:
        holder = conn.execute(select(t.persons).where(t.persons.c.id == ids["holder"])).one()
        user = conn.execute(select(t.panel_users).where(t.panel_users.c.id == ids["user"])).one()
        site = conn.execute(select(t.sites).where(t.sites.c.id == ids["site"])).one()
        contact = conn.execute(select(t.alarm_contacts)).one()
        actions = list(conn.execute(select(t.audit_log.c.action).order_by(t.audit_log.c.seq)))
    hits = search.find(engine, actor=ACTOR, query="912 34 567").hits
    assert (holder.phone, holder.email) == ("+4791234567", "Kari@example.no")
    assert user.code_hash != "4321" and PasswordHasher().verify(user.code_hash, "4321")
    assert (site.panel_account, site.supervision_seconds) == ("A100", 3600)
    assert (contact.priority, contact.has_keys, contact.informed_at) == (1, True, None)
    assert [a for (a,) in actions] == [
        "customer.registered",
        "site.added",
        "panel_user.added",
        "contact.added",
        "contract.signed",
    ]
    assert [h.account_id for h in hits] == [ids["account"]]


BAD = [
    ("customer_no", lambda c, v, i: register(c, v, number="K1", panel="B1")),
    (
        "street",
        lambda c, v, i: sites.add_site(
            c, v, actor=ACTOR, account_id=i["account"], street=" ", postcode="0155"
        ),
    ),
    (
        "panel_account",
        lambda c, v, i: sites.add_site(
            c,
            v,
            actor=ACTOR,
            account_id=i["account"],
            street="Vei 2",
            postcode="0155",
            panel_account="a100",
        ),
    ),
    (
        "phone",
        lambda c, v, i: sites.add_contact(
            c, actor=ACTOR, site_id=i["site"], person=PersonIn(name="X", phone="12")
        ),
    ),
    (
        "email",
        lambda c, v, i: sites.add_contact(
            c, actor=ACTOR, site_id=i["site"], person=PersonIn(name="X", email="x@")
        ),
    ),
    (
        "phone",
        lambda c, v, i: sites.add_contact(
            c, actor=ACTOR, site_id=i["site"], person=PersonIn(name="Uten Nummer")
        ),
    ),
    (
        "ended_at",
        lambda c, v, i: accounts.end_relationship(
            c, actor=ACTOR, account_id=i["account"], at=START - timedelta(days=1)
        ),
    ),
    (
        "ended_at",
        lambda c, v, i: contracts.end_contract(
            c, actor=ACTOR, contract_id=i["contract"], at="2025-12-31"
        ),
    ),
    (
        "panel_key",
        lambda c, v, i: sites.change_site(
            c,
            v,
            actor=ACTOR,
            site_id=i["site"],
            street="Storgata 1",
            postcode="0155",
            panel_account="A100",
            panel_key="not a key",
        ),
    ),
]


@pytest.mark.parametrize(("field", "change"), BAD, ids=[f"{f}-{n}" for n, (f, _) in enumerate(BAD)])
def test_bad_input_names_the_field_in_both_languages_and_changes_nothing(
    engine: Engine, vault: Vault, field: str, change: object
) -> None:
    with engine.begin() as conn:
        ids = register(conn, vault)
    before = counts(engine)
    with pytest.raises(InputError) as raised, engine.begin() as conn:
        change(conn, vault, ids)  # type: ignore[operator]
    assert raised.value.field == field
    assert str(raised.value).startswith(f"{field}: ") and " / " in str(raised.value)
    assert counts(engine) == before
    with engine.connect() as conn:
        ended = conn.execute(select(t.customer_accounts.c.ended_at)).scalar()
    assert ended is None


def test_ending_the_relationship_sets_every_end_date_retention_runs_from(
    engine: Engine, vault: Vault
) -> None:
    end = datetime(2026, 6, 30, 12, 0, tzinfo=UTC)
    with engine.begin() as conn:
        ids = register(conn, vault)
        accounts.end_relationship(conn, actor=ACTOR, account_id=ids["account"], at=end)
    with engine.connect() as conn:
        account = conn.execute(select(t.customer_accounts.c.ended_at)).scalar_one()
        contract = conn.execute(select(t.contracts.c.ended_at)).scalar_one()
        people = conn.execute(select(t.persons.c.relationship_ended_at)).scalars().all()
    assert {as_utc(account), as_utc(contract)} == {end}
    assert {as_utc(p) for p in people} == {end}
    with pytest.raises(InputError, match=r"^account_id: "), engine.begin() as conn:
        sites.add_contact(
            conn, actor=ACTOR, site_id=ids["site"], person=PersonIn(name="Sent", phone="91111111")
        )


def test_a_removed_contact_goes_three_months_after_removal_while_the_customer_stays(
    engine: Engine, vault: Vault
) -> None:
    policy = load("default").policy
    removed = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    with engine.begin() as conn:
        ids = register(conn, vault)
        sites.remove_contact(conn, actor=ACTOR, contact_id=ids["contact"], at=removed)
        sites.remove_panel_user(conn, actor=ACTOR, panel_user_id=ids["user"], at=removed)
    due = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)  # the default pack: 3 months (law branch)
    sweep(engine, policy, vault, now=due - timedelta(days=1))
    assert counts(engine)["alarm_contacts"] == 1 and counts(engine)["panel_users"] == 1
    sweep(engine, policy, vault, now=due + timedelta(days=1))
    after = counts(engine)
    assert (after["alarm_contacts"], after["panel_users"]) == (0, 0)
    assert (after["customer_accounts"], after["sites"]) == (1, 1)  # the customer is current


def test_after_the_end_the_sweep_removes_the_alarm_data_and_keeps_the_invoices(
    engine: Engine, vault: Vault
) -> None:
    policy = load("default").policy
    end = datetime(2026, 6, 30, 12, 0, tzinfo=UTC)
    with engine.begin() as conn:
        ids = register(conn, vault)
        b.insert(
            conn,
            t.invoices,
            account_id=ids["account"],
            person_id=ids["holder"],
            invoice_no="F1",
            issued_at=START,
            amount=399,
        )
        accounts.end_relationship(conn, actor=ACTOR, account_id=ids["account"], at=end)
    sweep(engine, policy, vault, now=end + timedelta(days=3 * 365 - 2))
    assert counts(engine)["sites"] == 1
    sweep(engine, policy, vault, now=end + timedelta(days=3 * 365 + 2))
    after = counts(engine)
    assert (after["panel_users"], after["alarm_contacts"]) == (0, 0)
    with engine.connect() as conn:
        site = conn.execute(select(t.sites.c.street, t.sites.c.panel_account)).first()
        invoices = conn.execute(select(func.count()).select_from(t.invoices)).scalar_one()
        holder = conn.execute(
            select(t.persons.c.email).where(t.persons.c.id == ids["holder"])
        ).first()
    assert site is None or (site.street != "Storgata 1" and site.panel_account is None)
    assert invoices == 1  # bokføringsloven: five years from the end of the fiscal year
    assert holder is None or holder.email is None  # the contact details went after 12 months
