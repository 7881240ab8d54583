"""Blobs that no row names: written for an upload whose row never committed.

An upload's blob is encrypted and written before its row's transaction, so that no write
lock is held meanwhile (:mod:`alarmvern.intake.media`, :mod:`alarmvern.intake.calls`). A
process that dies between the two, or a transaction that rolls back without reaching the
code that deletes the blob again, leaves a blob that no row and no tombstone names. It
cannot be read after its subject's erasure (the key goes with the subject), but it is
data kept without a purpose, so the sweep deletes it.

Only blobs older than ``GRACE`` are looked at: a blob written a moment ago may belong to a
transaction that is about to commit its row, and must not be taken from under it. An
upload's transaction takes seconds at most; an hour is far beyond that.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, select

from alarmvern.store.datamap import bindings
from alarmvern.store.tables import blob_tombstones, metadata
from alarmvern.vault import Vault

GRACE = timedelta(hours=1)


def delete_orphan_blobs(engine: Engine, vault: Vault, now: datetime) -> int:
    """Delete every blob written before ``now - GRACE`` that no row names; how many.

    The grace runs on the real clock too: a sweep told that ``now`` is a later day must
    still not take a blob written a moment ago."""
    before = min(now, datetime.now(UTC)) - GRACE
    candidates = list(vault.blobs.iter_written_before(before))
    if not candidates:
        return 0
    named = _named(engine, set(candidates))
    orphans = [blob_id for blob_id in candidates if blob_id not in named]
    for blob_id in orphans:
        vault.delete_blob(blob_id)  # a blob deleted meanwhile is not an error
    return len(orphans)


def _named(engine: Engine, wanted: set[str]) -> set[str]:
    """Which of ``wanted`` a row or a tombstone names (read after the listing, so a row
    committed since the blob was listed is seen)."""
    columns = [table.c[binding.blob] for table, binding in bindings(metadata) if binding.blob]
    columns.append(blob_tombstones.c.blob_id)
    found: set[str] = set()
    ordered = sorted(wanted)
    with engine.connect() as conn:
        for start in range(0, len(ordered), 500):
            part = ordered[start : start + 500]
            for column in columns:
                found.update(conn.execute(select(column).where(column.in_(part))).scalars())
    return found
