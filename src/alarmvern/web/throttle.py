"""Failed logins, counted in the database: one count for every web process.

Each attempt counts against two keys, its username and its client address, in a short write
transaction of its own, *before* the password is checked (the check itself runs outside any
transaction). A key's ``hits`` are its failures in the window plus the attempts being checked
at that moment; a success gives its hit back. The count and the decision are one atomic step:
the upsert takes the row's lock (PostgreSQL) or the write lock (SQLite's BEGIN IMMEDIATE), so
forty guesses at once are counted one after the other and at most the free ones are checked.

- Past ``USER_FREE`` failures a username goes into back-off, not a lock: one attempt is
  checked, then none until a pause that doubles with each failure (at most ``MAX_DELAY``).
  The back-off holds only for addresses that have failed or have another attempt in flight:
  the right password from a clean address is always checked, so nobody can lock anyone out.
- Past ``IP_FREE`` failures an address goes into back-off for every username. The allowance
  is large, for the many people behind one proxy or NAT.
- A row expires ``WINDOW`` after its last attempt and is deleted then: the table stays as
  small as a quarter of an hour of failures. Keys are SHA-256 digests, never the name or
  the address.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, case, delete, null, select, update
from sqlalchemy.dialects import postgresql, sqlite

from alarmvern.store.engine import reading
from alarmvern.store.tables import login_throttle
from alarmvern.store.tables.columns import as_utc, now

USER_FREE = 5  # failures of a username before back-off
IP_FREE = 30  # failures from an address before back-off (many share one address)
WINDOW = timedelta(minutes=15)
FIRST_DELAY = timedelta(seconds=1)
MAX_DELAY = timedelta(minutes=5)


@dataclass(frozen=True)
class Attempt:
    """An attempt let through; its keys, to give the hits back on success."""

    keys: tuple[str, ...]


@dataclass(frozen=True)
class Refused:
    """No check now: in back-off for ``wait`` more."""

    wait: timedelta


def key_of(kind: str, value: str) -> str:
    return hashlib.sha256(f"{kind}:{value}".encode()).hexdigest()


def delay(over: int) -> timedelta:
    """The pause after the ``over``-th failure past the free ones."""
    return min(FIRST_DELAY * (1 << min(max(over - 1, 0), 20)), MAX_DELAY)


def decide(
    hits: int, next_at: datetime | None, at: datetime, free: int
) -> tuple[bool, datetime | None]:
    """Whether an attempt that made ``hits`` may be checked, and the back-off it then sets."""
    if hits <= free:
        return True, None
    if next_at is None or next_at <= at:
        return True, at + delay(hits - free)
    return False, next_at


def gate(
    engine: Engine, username: str, client: str, at: datetime | None = None
) -> Attempt | Refused:
    """Count an attempt for ``username`` from ``client``; let it through or refuse it."""
    at = at or now()
    user, address = key_of("user", username), key_of("ip", client)
    # First a read: an attempt the counts refuse already is refused without a write (each
    # write is a flush to disk, and on SQLite the write lock the alarm receiver waits for).
    # A refusal changes no count, so the read decides it as the write would; an attempt
    # the read lets through is decided again, atomically, by the write below.
    with reading(engine) as conn:
        found = {
            r.key: r
            for r in conn.execute(
                select(login_throttle).where(login_throttle.c.key.in_((user, address)))
            )
        }
    refused = _judge(_next(found.get(user), at), _next(found.get(address), at), at)
    if isinstance(refused, Refused):
        return refused
    with engine.begin() as conn:
        # Always the username's row first, then the address's: one lock order, no deadlock.
        judged = _judge(_count(conn, user, at), _count(conn, address, at), at)
        if isinstance(judged, Refused):
            _give_back(conn, (user, address))
            return judged
        for key, claim in zip((user, address), judged, strict=True):
            if claim is not None:
                conn.execute(
                    update(login_throttle).where(login_throttle.c.key == key).values(next_at=claim)
                )
    return Attempt((user, address))


Count = tuple[int, datetime | None]  # a key's hits with this attempt, and its back-off


def _judge(
    user: Count, address: Count, at: datetime
) -> Refused | tuple[datetime | None, datetime | None]:
    """Refused, or the back-offs to set for the username and the address (None: none)."""
    (user_hits, user_next), (ip_hits, ip_next) = user, address
    ip_ok, ip_claim = decide(ip_hits, ip_next, at, IP_FREE)
    clean = ip_hits == 1  # this address has no failure and nothing else in flight
    user_ok, user_claim = (True, None) if clean else decide(user_hits, user_next, at, USER_FREE)
    if not (ip_ok and user_ok):
        waits = [w - at for w, ok in ((user_claim, user_ok), (ip_claim, ip_ok)) if not ok and w]
        return Refused(max(waits, default=FIRST_DELAY))
    return user_claim, ip_claim


def _next(row: Any, at: datetime) -> Count:
    """What :func:`_count` would make of the key's row (None: no row) for an attempt now."""
    if row is None or as_utc(row.expires_at) <= at:
        return 1, None
    return int(row.hits) + 1, None if row.next_at is None else as_utc(row.next_at)


def succeeded(conn: Connection, attempt: Attempt) -> None:
    """The password was right: the attempt gives its hits back (in the caller's transaction)."""
    _give_back(conn, attempt.keys)


def failed(engine: Engine, at: datetime | None = None) -> None:
    """The password was wrong: its hits stay. Expired rows are deleted meanwhile."""
    with engine.begin() as conn:
        conn.execute(delete(login_throttle).where(login_throttle.c.expires_at <= (at or now())))


def _count(conn: Connection, key: str, at: datetime) -> tuple[int, datetime | None]:
    table = login_throttle
    insert = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
    expired = table.c.expires_at <= at
    statement = (
        insert(table)
        .values(key=key, hits=1, next_at=None, expires_at=at + WINDOW)
        .on_conflict_do_update(
            index_elements=[table.c.key],
            set_={
                "hits": case((expired, 1), else_=table.c.hits + 1),
                "next_at": case((expired, null()), else_=table.c.next_at),
                "expires_at": at + WINDOW,
            },
        )
        .returning(table.c.hits, table.c.next_at)
    )
    row = conn.execute(statement).one()
    return int(row.hits), None if row.next_at is None else as_utc(row.next_at)


def _give_back(conn: Connection, keys: tuple[str, ...]) -> None:
    table = login_throttle
    conn.execute(
        update(table).where(table.c.key.in_(keys), table.c.hits > 0).values(hits=table.c.hits - 1)
    )
    # A key with nothing left to count is gone at once.
    conn.execute(
        delete(table).where(table.c.key.in_(keys), table.c.hits <= 0, table.c.next_at.is_(None))
    )
