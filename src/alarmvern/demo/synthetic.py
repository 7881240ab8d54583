"""Synthetic customers (Faker, no_NO: Norwegian) with everything an alarm company stores about them.

Every person, address and number here is made up. Media are tiny generated images,
encrypted through the vault exactly as real verification images are.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from argon2 import PasswordHasher
from faker import Faker
from sqlalchemy import Connection, func, select

from alarmvern.store import tables as t
from alarmvern.store.writes import insert_many
from alarmvern.vault import Vault

ARM_CODES = [("CL", "keypad"), ("OP", "keypad"), ("CL", "app"), ("OP", "app"), ("OP", "tag")]
ALARM_KINDS = [("BA", "burglary"), ("FA", "fire"), ("PA", "panic"), ("WA", "water")]
# A 1×1 PNG; the demo's "verification image".
TINY_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360f8cf00000301010018dd8db00000000049454e44ae426082"
)


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
        # Hashing cost kept low for synthetic codes only; real codes use argon2's defaults.
        self.hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)

    def person(self, conn: Connection, filled: Filled, *, with_nin: bool = False) -> int:
        birth = self.fake.date_of_birth(minimum_age=18, maximum_age=90)
        row: dict[str, Any] = {
            "name": self.fake.name(),
            "email": self.fake.email(),
            "phone": self.fake.phone_number(),
            "street": self.fake.street_address(),
            "postcode": self.fake.postcode(),
            "city": self.fake.city(),
            "birth_date": birth,
        }
        person_id = insert_id(conn, t.persons.insert().values(**row))
        if with_nin:
            nin = birth.strftime("%d%m%y") + f"{self.rng.randrange(100000):05d}"
            subject = f"person:{person_id}"
            conn.execute(
                t.persons.update()
                .where(t.persons.c.id == person_id)
                .values(
                    nin_enc=self.vault.encrypt_field(conn, subject, "persons", "nin_enc", nin),
                    nin_lookup=self.vault.lookup_hash(conn, nin),
                )
            )
        filled.add("persons", 1)
        return person_id

    def customer(self, conn: Connection, filled: Filled, number: int) -> None:
        holder = self.person(conn, filled, with_nin=True)
        started = self.now - timedelta(days=self.rng.randrange(30, 3000))
        ended = started + timedelta(days=self.rng.randrange(200, 2500))
        business = self.rng.random() < 0.15
        account = insert_id(
            conn,
            t.customer_accounts.insert().values(
                customer_no=f"K{100000 + number}",
                kind="business" if business else "private",
                holder_person_id=holder,
                org_no=f"9{self.rng.randrange(10**8):08d}" if business else None,
                org_name=self.fake.company() if business else None,
                started_at=started,
                ended_at=ended if ended < self.now else None,
                credit_check_result=self.rng.choice(["approved", "approved", "manual"]),
                credit_checked_at=started,
            ),
        )
        filled.add("customer_accounts", 1)
        site = self.site(conn, filled, account, number)
        users = self.panel_users(conn, filled, account, site, holder)
        self.alarm_contacts(conn, filled, account, site)
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
        filled.customers += 1

    def site(self, conn: Connection, filled: Filled, account: int, number: int) -> int:
        lat, lon = self.rng.uniform(58.0, 70.5), self.rng.uniform(5.0, 30.5)  # inside Norway
        site_id = insert_id(
            conn,
            t.sites.insert().values(
                account_id=account,
                street=self.fake.street_address(),
                postcode=self.fake.postcode(),
                city=self.fake.city(),
                municipality=self.fake.city(),
                latitude=lat,
                longitude=lon,
                panel_type=self.rng.choice(["Ajax Hub 2", "Texecom Premier", "Vanderbilt"]),
                panel_account=f"{number:06d}",
                components={"detectors": self.rng.randrange(2, 9), "cameras": 1},
                supervision_seconds=3600,
            ),
        )
        filled.add("sites", 1)
        return site_id

    def panel_users(
        self, conn: Connection, filled: Filled, account: int, site: int, holder: int
    ) -> list[tuple[int, int]]:
        users = [(1, holder)]
        for user_no in range(2, self.rng.randrange(2, 5)):
            users.append((user_no, self.person(conn, filled)))
        rows = [
            {
                "account_id": account,
                "site_id": site,
                "person_id": person,
                "user_no": user_no,
                "display_name": f"Bruker {user_no}",
                "code_hash": self.hasher.hash(f"{self.rng.randrange(10000):04d}"),
            }
            for user_no, person in users
        ]
        filled.add("panel_users", insert_many(conn, t.panel_users, rows))
        return users

    def alarm_contacts(self, conn: Connection, filled: Filled, account: int, site: int) -> None:
        rows = [
            {
                "account_id": account,
                "site_id": site,
                "person_id": self.person(conn, filled),
                "priority": priority,
                "has_keys": priority == 1,
                "informed_at": self.now - timedelta(days=self.rng.randrange(1, 900)),
            }
            for priority in (1, 2)
        ]
        filled.add("alarm_contacts", insert_many(conn, t.alarm_contacts, rows))

    def contract_and_invoices(
        self, conn: Connection, filled: Filled, account: int, holder: int, started: datetime
    ) -> None:
        conn.execute(
            t.contracts.insert().values(
                account_id=account,
                person_id=holder,
                product=self.rng.choice(["Boligalarm", "Boligalarm + kamera", "Næringsalarm"]),
                signed_at=started,
            )
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
        self, conn: Connection, filled: Filled, account: int, site: int
    ) -> None:
        _code, kind = self.rng.choice(ALARM_KINDS)
        opened = self.now - timedelta(days=self.rng.randrange(0, 10))
        incident = insert_id(
            conn,
            t.incidents.insert().values(
                account_id=account,
                site_id=site,
                kind=kind,
                status="closed",
                opened_at=opened,
                closed_at=opened + timedelta(minutes=20),
                cause=self.rng.choice(["false alarm", "real alarm", "unknown"]),
            ),
        )
        filled.add("incidents", 1)
        blob_id = self.vault.new_blob_id()
        self.vault.put_blob(conn, f"account:{account}", "media", blob_id, TINY_PNG)
        conn.execute(
            t.media.insert().values(
                account_id=account,
                site_id=site,
                incident_id=incident,
                kind="image",
                content_type="image/png",
                size=len(TINY_PNG),
                blob_id=blob_id,
                captured_at=opened,
            )
        )
        filled.add("media", 1)

    def lead(self, conn: Connection, filled: Filled) -> None:
        person = self.person(conn, filled)
        received = self.now - timedelta(days=self.rng.randrange(0, 500))
        conn.execute(
            t.leads.insert().values(
                person_id=person,
                kind=self.rng.choice(["contact_form", "quote_request", "site_survey"]),
                message="Ønsker tilbud på boligalarm.",
                received_at=received,
                last_contact_at=received,
            )
        )
        filled.add("leads", 1)


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
        with conn_factory() as conn:
            for number in range(first, min(first + 50, customers)):
                generator.customer(conn, filled, start + number)
    with conn_factory() as conn:
        for _ in range(leads):
            generator.lead(conn, filled)
    return filled
