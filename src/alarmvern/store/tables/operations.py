"""What the system keeps to run itself: pending blob deletions and job leases."""

from __future__ import annotations

from sqlalchemy import Column, Integer, String, Table

from alarmvern.store.datamap import Unbound, bind
from alarmvern.store.tables.columns import Timestamp, metadata

# A blob whose row is gone, waiting to be deleted from the blob store. It is written in the
# same transaction that deletes the row, so a crash between the commit and the blob deletion
# leaves a note here, and the next sweep finishes the job: no blob outlives its row for long.
blob_tombstones = bind(
    Table(
        "blob_tombstones",
        metadata,
        Column("blob_id", String(64), primary_key=True),
        Column("source_table", String(64), nullable=False),
        Column("deleted_at", Timestamp, nullable=False),
    ),
    Unbound("the ids of blobs already deleted with their rows"),
)

# A data key shredded in a committed transaction, for the key store (a file of its own, see
# alarmvern.vault.keystore) to delete after the commit. While the row is here the key is not
# used; the next erasure, sweep or replay deletes the key and then the row.
key_tombstones = bind(
    Table(
        "key_tombstones",
        metadata,
        Column("subject", String(64), primary_key=True),
        Column("shredded_at", Timestamp, nullable=False),
    ),
    Unbound("the ids of data subjects whose keys are being shredded"),
)

# One row per job that must not run twice at once (the retention sweep). A lease, renewed as
# the job goes on; a holder that died (same host, pid gone) or went silent loses it.
job_leases = bind(
    Table(
        "job_leases",
        metadata,
        Column("job", String(64), primary_key=True),
        Column("holder", String(200), nullable=False),
        Column("pid", Integer, nullable=False),
        Column("host", String(200), nullable=False),
        Column("expires_at", Timestamp, nullable=False),
    ),
    Unbound("which process runs a job"),
)
