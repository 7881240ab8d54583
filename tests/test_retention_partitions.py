"""On PostgreSQL a wholly due month is dropped as a partition; held rows inside are kept."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine, func, select

from alarmvern.policy import load
from alarmvern.retention import holds
from alarmvern.retention.sweep import sweep
from alarmvern.store import partitions
from alarmvern.store import tables as t
from alarmvern.vault import FolderBlobStore, MasterKey, Vault
from tests import builders as b

POLICY = load(Path(__file__).parent / "data" / "retention.yaml").policy


def test_due_months_are_dropped_whole_and_held_rows_survive(
    pg_engine: Engine, tmp_path: Path
) -> None:
    engine = pg_engine
    vault = Vault(MasterKey.generate(), FolderBlobStore(tmp_path / "blobs"))
    captured = [datetime(2026, m, d, 8, tzinfo=UTC) for m in (1, 2, 3) for d in (5, 15, 25)]
    with engine.begin() as conn:
        acc = b.account(conn, b.person(conn))
        images = [b.image(conn, vault, acc, at) for at in captured]
        held_id, held_blob = images[4]  # 15 February
        holds.place(
            conn,
            POLICY,
            target="media",
            target_id=held_id,
            reason="sak 9",
            override="dom",
            ends_on=datetime(2026, 12, 31).date(),
            placed_by="dpo",
            now=captured[4],
        )
    with engine.connect() as conn:
        assert [p.name for p in partitions.partitions(conn, "media")] == [
            "media_p202601",
            "media_p202602",
            "media_p202603",
        ]
    now = datetime(2026, 3, 20, tzinfo=UTC)  # due: up to 13 March
    report = sweep(engine, POLICY, vault, now=now)
    media = next(r for r in report.results if r.unit == "media:user.alarm.media")
    assert media.partitions_dropped == 2
    assert media.rows == 3 + 2 + 1  # January, February less the held one, and 5 March
    with engine.connect() as conn:
        assert [p.name for p in partitions.partitions(conn, "media")] == ["media_p202603"]
        left = conn.execute(select(t.media.c.id).order_by(t.media.c.id)).scalars().all()
        drops = conn.execute(
            select(func.count()).where(t.audit_log.c.action == "retention.drop_partition")
        ).scalar()
    assert left == [held_id, images[7][0], images[8][0]]
    assert drops == 2
    assert vault.blobs.exists(held_blob)
    assert set(vault.blobs.iter_ids()) == {held_blob, images[7][1], images[8][1]}
