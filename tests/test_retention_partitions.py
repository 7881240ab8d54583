"""On PostgreSQL a wholly due month is dropped as a partition; held rows inside are kept."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine, func, select, text

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


EVENTS_POLICY = load(Path(__file__).parent / "data" / "alarm-log.yaml").policy


def test_a_dropped_month_is_counted_exactly_with_its_held_rows_apart(
    pg_engine: Engine, tmp_path: Path
) -> None:
    """The audit entry of a dropped month says exactly how many rows went and how many were
    kept under a hold."""
    engine = pg_engine
    vault = Vault(MasterKey.generate(), FolderBlobStore(tmp_path / "blobs"))
    april = datetime(2026, 4, 1, tzinfo=UTC)
    with engine.begin() as conn:
        held, other = (b.account(conn, b.person(conn), number=n) for n in ("K1", "K2"))
        partitions.ensure(conn, "alarm_events", {april})
        conn.execute(
            text(
                "INSERT INTO alarm_events (account_id, panel_account, protocol, code, "
                "occurred_at, received_at, flagged) "
                "SELECT CASE WHEN g % 10 = 0 THEN :held ELSE :other END, '000001', 'SIA-DCS', "
                "'CL', :april + g * interval '1 minute', :april + g * interval '1 minute', false "
                "FROM generate_series(1, 30000) g"
            ),
            {"held": held, "other": other, "april": april},
        )
        holds.place(
            conn,
            EVENTS_POLICY,
            target="account",
            target_id=held,
            reason="sak 9",
            ends_on=datetime(2027, 1, 1).date(),
            placed_by="dpo",
            now=april,
        )
    report = sweep(engine, EVENTS_POLICY, vault, now=datetime(2026, 11, 1, tzinfo=UTC))
    with engine.connect() as conn:
        left = conn.execute(select(func.count()).select_from(t.alarm_events)).scalar()
        entry = select(t.audit_log.c.details).where(
            t.audit_log.c.action == "retention.drop_partition"
        )
        details = json.loads(conn.execute(entry).scalar_one())
    assert report.rows == 27_000 and left == 3_000
    assert (details["count"], details["kept_under_hold"]) == (27_000, 3_000)
