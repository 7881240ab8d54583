"""Panel account → (customer account, site), and (site, user number) → person, in memory.

Intake meets the same panels all day; a lookup per event would cost more than the insert.
Everything is loaded in one query each, and loaded again when the receiver is told that
sites or panel users may have changed (every 30 s, with the panel keys). Account numbers are
compared in upper case, as the protocol layer gives them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Connection, func, select

from alarmvern.store.tables import panel_users, sites

Place = tuple[int | None, int | None]  # (customer account, site)
UNKNOWN: Place = (None, None)


@dataclass
class Directory:
    sites: dict[str, Place] = field(default_factory=dict)
    users: dict[tuple[int, int], int] = field(default_factory=dict)
    loaded: bool = False

    def load(self, conn: Connection) -> None:
        query = select(sites.c.panel_account, sites.c.account_id, sites.c.id).where(
            sites.c.panel_account.is_not(None)
        )
        self.sites = {str(a).upper(): (acc, site) for a, acc, site in conn.execute(query)}
        query_users = select(panel_users.c.site_id, panel_users.c.user_no, panel_users.c.person_id)
        self.users = {
            (int(s), int(n)): int(p)
            for s, n, p in conn.execute(
                query_users.where(
                    panel_users.c.removed_at.is_(None), panel_users.c.person_id.is_not(None)
                )
            )
        }
        self.loaded = True

    def site(self, conn: Connection, panel_account: str) -> Place:
        if not self.loaded:
            self.load(conn)
        account = panel_account.upper()
        if account not in self.sites:  # a site added since the last load: look once
            row = conn.execute(
                select(sites.c.account_id, sites.c.id).where(
                    func.upper(sites.c.panel_account) == account
                )
            ).first()
            self.sites[account] = (row.account_id, row.id) if row else UNKNOWN
        return self.sites[account]

    def person(self, site_id: int | None, user_no: int | None) -> int | None:
        if site_id is None or user_no is None:
            return None
        return self.users.get((site_id, user_no))

    def forget(self) -> None:
        """Load everything again at the next use (sites or panel users may have changed)."""
        self.loaded = False
