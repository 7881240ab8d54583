"""Simulated panels for the store's own sites: their account numbers, and keys registered so
that the receiver on the same store can read their encrypted frames."""

from __future__ import annotations

import random

from sqlalchemy import select

from alarmvern.intake import keys as panel_keys
from alarmvern.sia.simulate import panel_accounts
from alarmvern.store.tables import sites
from alarmvern.system import System


def fleet(system: System, panels: int, encrypted: bool, seed: int = 0) -> list[tuple[str, str]]:
    """``panels`` (account, key as hex): the store's sites first, then made-up panels."""
    with system.engine.connect() as conn:
        known = (
            conn.execute(
                select(sites.c.panel_account)
                .where(sites.c.panel_account.is_not(None))
                .order_by(sites.c.id)
                .limit(panels)
            )
            .scalars()
            .all()
        )
    rng = random.Random(seed)
    accounts = [(str(a).upper(), rng.randbytes(32).hex().upper()) for a in known]
    taken = {a for a, _ in accounts}
    spare = [a for a in panel_accounts(panels * 2, seed) if a[0] not in taken]
    accounts += spare[: panels - len(accounts)]
    if encrypted:
        with system.engine.begin() as conn:
            for account, key in accounts:
                panel_keys.set_key(conn, system.vault, account, key, "hex")
    return accounts
