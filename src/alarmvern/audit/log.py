"""An append-only log in which each entry carries the hash of the one before.

The hash of entry n covers its sequence number, every field and the hash of entry n-1, so
editing, deleting, inserting or reordering entries breaks the chain at the first place
touched, and :func:`verify` names that place. On a protected engine the hash is an
HMAC-SHA256 under a key outside the database, and the head is anchored outside it too
(:mod:`alarmvern.audit.anchor`), so that forged appends, re-chaining, and deleting the last
entries or all of them are caught as well. Entries hold identifiers and counts, never the
content of personal data.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, func, select, text

from alarmvern.audit.anchor import AnchorError, Protection, protection_of
from alarmvern.audit.anchor import read as read_anchor
from alarmvern.store.tables import audit_log
from alarmvern.store.tables.columns import as_utc

GENESIS = "0" * 64
# PostgreSQL: one transaction at a time may extend the chain (an arbitrary, fixed lock id).
_PG_CHAIN_LOCK = 0x414C524D
_HEAD = select(audit_log.c.seq, audit_log.c.hash).order_by(audit_log.c.seq.desc()).limit(1)


@dataclass(frozen=True)
class AuditEntry:
    seq: int
    at: datetime
    actor: str
    action: str
    subject: str | None
    purpose: str | None
    details: str
    prev_hash: str
    hash: str


@dataclass(frozen=True)
class Break:
    """The first entry at which the chain does not hold, and what is wrong with it."""

    seq: int
    problem: str


def _digest(
    seq: int,
    at: datetime,
    actor: str,
    action: str,
    subject: str | None,
    purpose: str | None,
    details: str,
    prev_hash: str,
    key: bytes | None = None,
) -> str:
    canonical = json.dumps(
        [seq, _utc_text(at), actor, action, subject, purpose, details, prev_hash],
        ensure_ascii=False,
        separators=(",", ":"),
    ).encode()
    if key is None:
        return hashlib.sha256(canonical).hexdigest()
    return hmac.new(key, canonical, hashlib.sha256).hexdigest()


def _utc_text(at: datetime) -> str:
    return as_utc(at).astimezone(UTC).isoformat(timespec="microseconds")


def append(
    conn: Connection,
    *,
    actor: str,
    action: str,
    subject: str | None = None,
    purpose: str | None = None,
    details: Mapping[str, Any] | None = None,
    at: datetime | None = None,
) -> AuditEntry:
    """Append one entry in the caller's transaction, so it commits with what it records.
    Inside :func:`batch` on the same connection, the entry is queued instead."""
    return append_many(conn, [Entry(actor, action, subject, purpose, details, at)])[0]


@dataclass(frozen=True)
class Entry:
    """An entry to append: what :func:`append` takes."""

    actor: str
    action: str
    subject: str | None = None
    purpose: str | None = None
    details: Mapping[str, Any] | None = None
    at: datetime | None = None


def append_many(conn: Connection, wanted: Sequence[Entry]) -> list[AuditEntry]:
    """Append ``wanted`` in order in the caller's transaction: the chain is read and locked
    once and the entries inserted in one statement (intake opening many incidents at once).
    Inside :func:`batch` on the same connection, they are queued instead."""
    if not wanted:
        return []
    queued: Batch | None = conn.info.get(_BATCH)
    if queued is not None:
        return [queued.add(e.actor, e.action, e.subject, e.purpose, e.details, e.at)
                for e in wanted]  # fmt: skip
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_CHAIN_LOCK})
    last = conn.execute(_HEAD).first()
    seq, prev = (last.seq + 1, last.hash) if last else (1, GENESIS)
    protection = protection_of(conn)
    key = protection.key if protection else None
    now = datetime.now(UTC)
    written = []
    for e in wanted:
        entry = _entry(seq, prev, key, e.actor, e.action, e.subject, e.purpose, e.details,
                       e.at or now)  # fmt: skip
        written.append(entry)
        seq, prev = seq + 1, entry.hash
    conn.execute(_INSERT, [entry.__dict__ for entry in written])
    return written


def _entry(
    seq: int,
    prev: str,
    key: bytes | None,
    actor: str,
    action: str,
    subject: str | None,
    purpose: str | None,
    details: Mapping[str, Any] | None,
    at: datetime | None,
) -> AuditEntry:
    at = at or datetime.now(UTC)
    body = json.dumps(dict(details or {}), sort_keys=True, ensure_ascii=False, default=str)
    digest = _digest(seq, at, actor, action, subject, purpose, body, prev, key)
    return AuditEntry(seq, at, actor, action, subject, purpose, body, prev, digest)


class Batch:
    """Entries chained in memory, written together when :func:`batch` ends.

    :meth:`mark` and :meth:`rewind` follow a savepoint: when the changes since a mark are
    rolled back, so are the entries that recorded them, and the chain goes on from there.
    """

    def __init__(self, seq: int, prev: str, key: bytes | None) -> None:
        self.entries: list[AuditEntry] = []
        self._first, self._genesis, self._key = seq, prev, key

    def add(
        self,
        actor: str,
        action: str,
        subject: str | None,
        purpose: str | None,
        details: Mapping[str, Any] | None,
        at: datetime | None,
    ) -> AuditEntry:
        last = self.entries[-1] if self.entries else None
        seq, prev = (last.seq + 1, last.hash) if last else (self._first, self._genesis)
        entry = _entry(seq, prev, self._key, actor, action, subject, purpose, details, at)
        self.entries.append(entry)
        return entry

    def mark(self) -> int:
        return len(self.entries)

    def rewind(self, mark: int) -> None:
        del self.entries[mark:]


@contextmanager
def batch(conn: Connection) -> Iterator[Batch]:
    """Within the block, :func:`append` on ``conn`` queues its entries, and they are written
    in one statement when the block ends, in the caller's transaction (so they still commit
    with what they record). For thousands of changes in one transaction (an import): the
    chain's head is read once, and no one else can extend the chain meanwhile (SQLite's
    write lock, held since the write transaction began; PostgreSQL's chain lock, taken here
    and held to the transaction's end)."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_CHAIN_LOCK})
    last = conn.execute(_HEAD).first()
    protection = protection_of(conn)
    queued = Batch(
        last.seq + 1 if last else 1,
        last.hash if last else GENESIS,
        protection.key if protection else None,
    )
    conn.info[_BATCH] = queued
    try:
        yield queued
    finally:
        conn.info.pop(_BATCH, None)
    if queued.entries:
        conn.execute(_INSERT, [e.__dict__ for e in queued.entries])


_BATCH = "alarmvern.audit.batch"
# Built once: an import appends thousands of entries, and building a statement (with its
# cache key) each time cost more than running it.
_INSERT = audit_log.insert()


def entries(conn: Connection, batch: int = 5000) -> Iterator[AuditEntry]:
    """Every entry in sequence order, read in batches so memory stays flat."""
    after = 0
    while True:
        rows = conn.execute(
            select(audit_log).where(audit_log.c.seq > after).order_by(audit_log.c.seq).limit(batch)
        ).all()
        if not rows:
            return
        for row in rows:
            yield AuditEntry(**row._mapping)
        after = rows[-1].seq


def verify(conn: Connection, protection: Protection | None = None) -> tuple[int, Break | None]:
    """Walk the chain; return the number of entries and the first break, if any.

    With ``protection`` (the key and the anchor file), every entry from the anchor's
    ``keyed_from`` on must carry the keyed hash, and the chain must reach the anchored
    head through the anchored hash."""
    protection = protection or protection_of(conn)
    try:
        anchored = read_anchor(protection) if protection else None
    except AnchorError as exc:
        return 0, Break(0, str(exc))
    if protection is not None and anchored is None:
        return 0, Break(0, f"the anchor file {protection.path} is missing; restore it")
    key = protection.key if protection else None
    keyed_from = anchored.keyed_from if anchored else 0
    count, broken, hashes = _walk(conn, key, keyed_from, anchored.seq if anchored else 0)
    if broken is None and anchored is not None and anchored.seq > 0:
        if count < anchored.seq:
            broken = Break(
                count + 1,
                f"entries {count + 1} to {anchored.seq} are missing: the anchor records "
                f"{anchored.seq} entries",
            )
        elif hashes.get(anchored.seq) != anchored.hash:
            broken = Break(anchored.seq, "is not the entry the anchor records (rewritten)")
    return count, broken


def _walk(
    conn: Connection, key: bytes | None, keyed_from: int, anchored_seq: int
) -> tuple[int, Break | None, dict[int, str]]:
    expected_seq, prev = 1, GENESIS
    count = 0
    hashes: dict[int, str] = {}
    for entry in entries(conn):
        count += 1
        if entry.seq != expected_seq:
            kind = "removed" if entry.seq > expected_seq else "inserted"
            problem = f"expected entry {expected_seq}: an entry was {kind}"
            return count, Break(entry.seq, problem), {}
        if entry.prev_hash != prev:
            problem = "does not follow the entry before (removed or moved)"
            return count, Break(entry.seq, problem), {}
        fields = (
            entry.seq,
            entry.at,
            entry.actor,
            entry.action,
            entry.subject,
            entry.purpose,
            entry.details,
            entry.prev_hash,
        )
        good = key is not None and hmac.compare_digest(_digest(*fields, key=key), entry.hash)
        if not good and (key is None or entry.seq < keyed_from):
            good = _digest(*fields) == entry.hash  # written before the chain was keyed
        if not good:
            return count, Break(entry.seq, "its content was changed after it was written"), {}
        if entry.seq == anchored_seq:
            hashes[entry.seq] = entry.hash
        expected_seq, prev = entry.seq + 1, entry.hash
    return count, None, hashes


def count(conn: Connection) -> int:
    return int(conn.execute(select(func.count()).select_from(audit_log)).scalar_one())
