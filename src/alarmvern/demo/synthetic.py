"""Synthetic customers (Faker, no_NO: Norwegian) with everything an alarm company stores about them.

Every person, address and number here is made up. What customer service registers (the
customer and holder, the site, the contract, panel users, alarm contacts, leads, the end
of a relationship) goes through the same :mod:`alarmvern.customers` functions the console,
the API and the CLI call, so the demo exercises, checks and audits that path; what other
parts of the system write (alarm events, presence, invoices, incidents, media, consents)
is inserted here as those parts would store it. Media are generated pictures of a camera's
view (:mod:`alarmvern.demo.pictures`), encrypted through the vault exactly as real
verification images are.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from faker import Faker
from sqlalchemy import Connection, func, select

from alarmvern import audit
from alarmvern.customers import accounts, contracts, parse, sites
from alarmvern.customers.accounts import PersonIn
from alarmvern.customers.errors import InputError
from alarmvern.demo.pictures import picture
from alarmvern.store import tables as t
from alarmvern.store.writes import insert_many
from alarmvern.vault import Vault

ACTOR = "demo"  # how the audit log names who made the demo's changes
ARM_CODES = [("CL", "keypad"), ("OP", "keypad"), ("CL", "app"), ("OP", "app"), ("OP", "tag")]
ALARM_KINDS = [("BA", "burglary"), ("FA", "fire"), ("PA", "panic"), ("WA", "water")]


@dataclass
class Filled:
    customers: int = 0
    counts: dict[str, int] = field(default_factory=dict)

    def add(self, table: str, n: int) -> None:
        self.counts[table] = self.counts.get(table, 0) + n


def insert_id(conn: Connection, statement: Any) -> int:
    """Execute an INSERT of one row and return its new id."""
    key = conn.execute(statement).inserted_primary_key
    assert key is not None
    return int(key[0])


class Generator:
    """Writes one synthetic customer at a time, each in the caller's transaction."""

    def __init__(
        self,
        vault: Vault,
        seed: int = 2026,
        now: datetime | None = None,
        notice_version: str = "unknown",
    ) -> None:
        self.notice_version = notice_version
        self.fake = Faker("no_NO")
        self.fake.seed_instance(seed)
        self.rng = random.Random(seed)
        self.vault = vault
        self.now = now or datetime.now(UTC)

    def given(self) -> PersonIn:
        """A made-up person as customer service would type them in."""
        return PersonIn(
            name=self.fake.name(),
            email=self.email(),
            phone=f"9{self.rng.randrange(10**7):07d}",  # a mobile number
            street=self.fake.street_address(),
            postcode=self.fake.postcode(),
            city=self.fake.city(),
        )

    def email(self) -> str | None:
        try:
            return parse.email(self.fake.email())
        except InputError:  # Faker's address is not one a real form would take
            return None

    def with_birth_and_nin(self, conn: Connection, person_id: int) -> None:
        """What no customer-service form takes: a birth date and the national identity
        number a credit check gives (encrypted, with its lookup hash)."""
        birth = self.fake.date_of_birth(minimum_age=18, maximum_age=90)
        nin = birth.strftime("%d%m%y") + f"{self.rng.randrange(100000):05d}"
        subject = f"person:{person_id}"
        conn.execute(
            t.persons.update()
            .where(t.persons.c.id == person_id)
            .values(
                birth_date=birth,
                nin_enc=self.vault.encrypt_field(conn, subject, "persons", "nin_enc", nin),
                nin_lookup=self.vault.lookup_hash(conn, nin),
            )
        )

    def customer(self, conn: Connection, filled: Filled, number: int) -> None:
        started = self.now - timedelta(days=self.rng.randrange(30, 3000))
        ended = started + timedelta(days=self.rng.randrange(200, 2500))
        business = self.rng.random() < 0.15
        made = accounts.register_customer(
            conn,
            actor=ACTOR,
            customer_no=f"K{100000 + number}",
            holder=self.given(),
            kind="business" if business else "private",
            org_no=f"9{self.rng.randrange(10**8):08d}" if business else None,
            org_name=self.fake.company() if business else None,
            started_at=started,
        )
        account, holder = made.account_id, made.person_id
        self.with_birth_and_nin(conn, holder)
        conn.execute(  # the credit bureau's answer, as the credit check stores it
            t.customer_accounts.update()
            .where(t.customer_accounts.c.id == account)
            .values(
                credit_check_result=self.rng.choice(["approved", "approved", "manual"]),
                credit_checked_at=started,
            )
        )
        filled.add("persons", 1)
        filled.add("customer_accounts", 1)
        site = self.site(conn, filled, account, number)
        users = self.panel_users(conn, filled, site, holder)
        self.alarm_contacts(conn, filled, site)
        self.contract_and_invoices(conn, filled, account, holder, started)
        self.events(conn, filled, account, site, users, number)
        self.presence(conn, filled, account, holder)
        if self.rng.random() < 0.3:
            self.incident_with_media(conn, filled, account, site)
        conn.execute(
            t.consents.insert().values(
                person_id=holder,
                activity="presence",
                notice_version=self.notice_version,
                given_at=started,
                channel="app",
            )
        )
        filled.add("consents", 1)
        if ended < self.now:
            accounts.end_relationship(conn, actor=ACTOR, account_id=account, at=ended)
        filled.customers += 1

    def site(self, conn: Connection, filled: Filled, account: int, number: int) -> int:
        at = self.given()
        site_id = sites.add_site(
            conn,
            self.vault,
            actor=ACTOR,
            account_id=account,
            street=at.street,
            postcode=at.postcode,
            city=at.city,
            municipality=self.fake.city(),
            panel_type=self.rng.choice(["Ajax Hub 2", "Texecom Premier", "Vanderbilt"]),
            panel_account=f"{number:06d}",
            supervision_seconds=3600,
        )
        lat, lon = self.rng.uniform(58.0, 70.5), self.rng.uniform(5.0, 30.5)  # inside Norway
        conn.execute(  # what the installer's survey records, not a customer-service form
            t.sites.update()
            .where(t.sites.c.id == site_id)
            .values(
                latitude=lat,
                longitude=lon,
                components={"detectors": self.rng.randrange(2, 9), "cameras": 1},
            )
        )
        filled.add("sites", 1)
        return site_id

    def panel_users(
        self, conn: Connection, filled: Filled, site: int, holder: int
    ) -> list[tuple[int, int]]:
        """The holder is user 1; one to two more. No codes: a code is hashed with argon2's
        full cost, which would make the demo slow to build."""
        users = [(1, holder)]
        sites.add_panel_user(conn, actor=ACTOR, site_id=site, user_no=1, person_id=holder)
        for user_no in range(2, self.rng.randrange(2, 5)):
            made = sites.add_panel_user(
                conn, actor=ACTOR, site_id=site, user_no=user_no, person=self.given()
            )
            person = conn.execute(
                select(t.panel_users.c.person_id).where(t.panel_users.c.id == made)
            ).scalar_one()
            users.append((user_no, int(person)))
            filled.add("persons", 1)
        filled.add("panel_users", len(users))
        return users

    def alarm_contacts(self, conn: Connection, filled: Filled, site: int) -> None:
        """Two contacts; they are told of it (art. 14(3)) when the demo starts."""
        for priority in (1, 2):
            sites.add_contact(
                conn,
                actor=ACTOR,
                site_id=site,
                person=self.given(),
                priority=priority,
                has_keys=priority == 1,
            )
        filled.add("persons", 2)
        filled.add("alarm_contacts", 2)

    def contract_and_invoices(
        self, conn: Connection, filled: Filled, account: int, holder: int, started: datetime
    ) -> None:
        contracts.add_contract(
            conn,
            actor=ACTOR,
            account_id=account,
            product=self.rng.choice(["Boligalarm", "Boligalarm + kamera", "Næringsalarm"]),
            signed_at=started,
        )
        filled.add("contracts", 1)
        invoices = [
            {
                "account_id": account,
                "person_id": holder,
                "invoice_no": f"F{account:06d}-{i:03d}",
                "issued_at": started + timedelta(days=30 * i),
                "amount": 399,
                "billed_name": "(som på faktura)",
                "billed_address": "(som på faktura)",
            }
            for i in range(1, 4)
        ]
        filled.add("invoices", insert_many(conn, t.invoices, invoices))

    def events(
        self,
        conn: Connection,
        filled: Filled,
        account: int,
        site: int,
        users: list[tuple[int, int]],
        number: int,
    ) -> None:
        rows = []
        for i in range(40):
            code, method = self.rng.choice(ARM_CODES)
            user_no, person = self.rng.choice(users)
            at = self.now - timedelta(hours=6 * i + self.rng.random())
            rows.append(
                {
                    "account_id": account,
                    "site_id": site,
                    "actor_person_id": person,
                    "panel_account": f"{number:06d}",
                    "protocol": "SIA-DCS",
                    "sequence": f"{i % 10000:04d}",
                    "code": code,
                    "user_no": user_no,
                    "method": method,
                    "occurred_at": at,
                    "received_at": at,
                }
            )
        filled.add("alarm_events", insert_many(conn, t.alarm_events, rows))

    def presence(self, conn: Connection, filled: Filled, account: int, person: int) -> None:
        rows = [
            {
                "account_id": account,
                "person_id": person,
                "state": self.rng.choice(["home", "away"]),
                "recorded_at": self.now - timedelta(hours=12 * i),
            }
            for i in range(5)
        ]
        filled.add("presence", insert_many(conn, t.presence, rows))

    def incident_with_media(
        self, conn: Connection, filled: Filled, account: int, site: int, pictures: int = 1
    ) -> None:
        _code, kind = self.rng.choice(ALARM_KINDS)
        ago = timedelta(days=self.rng.randrange(0, 10), minutes=self.rng.randrange(24 * 60))
        cause = self.rng.choice(["false alarm", "real alarm", "unknown"])
        seed = self.rng.randrange(10**6)
        made = incident_with_pictures(
            conn, self.vault, account, site, kind, self.now - ago, pictures, seed=seed, cause=cause
        )
        filled.add("incidents", 1)
        filled.add("media", made)

    def lead(self, conn: Connection, filled: Filled) -> None:
        received = self.now - timedelta(days=self.rng.randrange(0, 500))
        accounts.register_lead(
            conn,
            actor=ACTOR,
            person=self.given(),
            kind=self.rng.choice(["contact_form", "quote_request", "site_survey"]),
            message="Ønsker tilbud på boligalarm.",
            received_at=received,
        )
        filled.add("persons", 1)
        filled.add("leads", 1)


def incident_with_pictures(
    conn: Connection,
    vault: Vault,
    account: int,
    site: int,
    kind: str,
    opened: datetime,
    pictures: int,
    *,
    seed: int,
    cause: str = "false alarm",
) -> int:
    """A closed incident at the site with ``pictures`` verification pictures a few seconds
    apart, each encrypted for the account as an uploaded image is; the pictures made."""
    incident = insert_id(
        conn,
        t.incidents.insert().values(
            account_id=account,
            site_id=site,
            kind=kind,
            status="closed",
            opened_at=opened,
            closed_at=opened + timedelta(minutes=20),
            cause=cause,
        ),
    )
    for n in range(pictures):
        at = opened + timedelta(seconds=4 * n)
        image = picture(at, seed + n)
        blob_id = vault.new_blob_id()
        vault.put_blob(conn, f"account:{account}", "media", blob_id, image)
        conn.execute(
            t.media.insert().values(
                account_id=account,
                site_id=site,
                incident_id=incident,
                kind="image",
                content_type="image/png",
                size=len(image),
                blob_id=blob_id,
                captured_at=at,
            )
        )
    return pictures


def fill(
    conn_factory: Any,
    vault: Vault,
    customers: int,
    leads: int = 0,
    seed: int = 2026,
    notice_version: str = "unknown",
) -> Filled:
    """Write ``customers`` synthetic customers, 50 per transaction; ``conn_factory`` is
    ``engine.begin``. Customer numbers continue after those already stored."""
    generator = Generator(vault, seed=seed, notice_version=notice_version)
    filled = Filled()
    with conn_factory() as conn:
        start = int(
            conn.execute(select(func.count()).select_from(t.customer_accounts)).scalar_one()
        )
    for first in range(0, customers, 50):
        with conn_factory() as conn, audit.batch(conn):
            for number in range(first, min(first + 50, customers)):
                generator.customer(conn, filled, start + number)
    with conn_factory() as conn, audit.batch(conn):
        for _ in range(leads):
            generator.lead(conn, filled)
    return filled
