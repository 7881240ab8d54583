"""The demo builds its customers through the functions customer service uses: every
customer, site, panel user, contact, contract and lead is a checked, audited change, and
what those functions normalise (phone numbers in E.164) is normalised in the demo too."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from sqlalchemy import Engine, func, select

from alarmvern import audit
from alarmvern.demo.synthetic import fill
from alarmvern.store import tables as t
from alarmvern.vault import FolderBlobStore, MasterKey, Vault


def test_the_demo_registers_its_customers_as_customer_service_would(
    engine: Engine, tmp_path: Path
) -> None:
    vault = Vault(MasterKey.generate(), FolderBlobStore(tmp_path / "blobs"))
    filled = fill(engine.begin, vault, customers=6, leads=2, seed=7)
    assert filled.customers == 6
    with engine.connect() as conn:
        actions = Counter(conn.execute(select(t.audit_log.c.action)).scalars())
        count = {
            table.name: conn.execute(select(func.count()).select_from(table)).scalar_one()
            for table in (t.customer_accounts, t.sites, t.panel_users, t.alarm_contacts,
                          t.contracts, t.leads)
        }  # fmt: skip
        phones = conn.execute(select(t.persons.c.phone)).scalars().all()
        ended = conn.execute(
            select(func.count()).where(t.customer_accounts.c.ended_at.is_not(None))
        ).scalar_one()
    assert actions["customer.registered"] == count["customer_accounts"] == 6
    assert actions["site.added"] == count["sites"] == 6
    assert actions["panel_user.added"] == count["panel_users"] >= 6
    assert actions["contact.added"] == count["alarm_contacts"] == 12
    assert actions["contract.signed"] == count["contracts"] == 6
    assert actions["lead.registered"] == count["leads"] == 2
    assert actions["customer.ended"] == ended
    assert phones and all(p.startswith("+47") and len(p) == 11 for p in phones)
    with engine.connect() as conn:
        entries, broken = audit.verify(conn)
    assert broken is None and entries == sum(actions.values())
