"""The sweep deletes blobs that no row names once they are past the grace period (an
upload whose process died between writing the blob and committing its row), and keeps
every blob a row or a tombstone names, and every blob young enough to belong to a
transaction still under way."""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine

from alarmvern.policy import load
from alarmvern.retention.orphan_blobs import GRACE, delete_orphan_blobs
from alarmvern.retention.sweep import sweep
from alarmvern.store import tables as t
from alarmvern.vault import FolderBlobStore, MasterKey, Vault
from tests import builders as b

POLICY = Path(__file__).parent / "data" / "retention.yaml"


def _aged(store: FolderBlobStore, blob_id: str, by: timedelta) -> None:
    then = time.time() - by.total_seconds()
    os.utime(store.path(blob_id), (then, then))


def test_old_blobs_no_row_names_are_deleted_and_the_rest_kept(
    engine: Engine, tmp_path: Path
) -> None:
    store = FolderBlobStore(tmp_path / "blobs")
    vault = Vault(MasterKey.generate(), store)
    now = datetime.now(UTC)
    with engine.begin() as conn:
        account = b.account(conn, b.person(conn, name="Kunde"), "K1")
        _, named = b.image(conn, vault, account, now - timedelta(days=1))
        orphan, young, tombstoned = (vault.new_blob_id() for _ in range(3))
        for blob_id in (orphan, young, tombstoned):
            vault.put_blob(conn, f"account:{account}", "media", blob_id, b"left behind")
        conn.execute(
            t.blob_tombstones.insert().values(
                blob_id=tombstoned, source_table="media", deleted_at=now
            )
        )
    for blob_id in (named, orphan, tombstoned):
        _aged(store, blob_id, GRACE + timedelta(minutes=5))
    _aged(store, young, GRACE - timedelta(minutes=5))

    assert delete_orphan_blobs(engine, vault, now) == 1
    assert sorted(store.iter_ids()) == sorted([named, young, tombstoned])


def test_the_sweep_deletes_an_orphan_blob_and_reports_it(engine: Engine, tmp_path: Path) -> None:
    store = FolderBlobStore(tmp_path / "blobs")
    vault = Vault(MasterKey.generate(), store)
    with engine.begin() as conn:
        account = b.account(conn, b.person(conn, name="Kunde"), "K1")
        orphan = vault.new_blob_id()
        vault.put_blob(conn, f"account:{account}", "media", orphan, b"left behind")
    _aged(store, orphan, GRACE + timedelta(minutes=5))
    report = sweep(engine, load(POLICY).policy, vault, now=datetime.now(UTC))
    assert report.orphan_blobs_deleted == 1 and report.as_dict()["orphan_blobs_deleted"] == 1
    assert not store.exists(orphan)
