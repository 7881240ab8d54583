"""The forecast foretells what sweeps then do, day by day, and what holds keep back."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine

from alarmvern.policy import load
from alarmvern.retention import holds
from alarmvern.retention.forecast import forecast
from alarmvern.retention.sweep import sweep
from alarmvern.store import leases
from alarmvern.store import tables as t
from alarmvern.vault import FolderBlobStore, MasterKey, Vault
from tests import builders as b

POLICY = load(Path(__file__).parent / "data" / "retention.yaml").policy


@pytest.fixture
def vault(tmp_path: Path) -> Vault:
    return Vault(MasterKey.generate(), FolderBlobStore(tmp_path / "blobs"))


def test_forecast_matches_the_sweeps_that_follow(engine: Engine, vault: Vault) -> None:
    start = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    with engine.begin() as conn:
        acc = b.account(conn, b.person(conn))
        for day in range(6):
            for _ in range(day + 1):
                b.image(conn, vault, acc, start + timedelta(days=day))
        held_id, _ = b.image(conn, vault, acc, start + timedelta(days=2))
        hold = holds.place(
            conn,
            POLICY,
            target="media",
            target_id=held_id,
            reason="sak 7",
            ends_on=(start + timedelta(days=25)).date(),
            placed_by="dpo",
            now=start,
        )
    now = start + timedelta(days=8)  # day 0 and 1 captures are due (7 days), the rest later
    with engine.connect() as conn:
        foretold = forecast(conn, POLICY, days=10, now=now)
    media = next(u for u in foretold.units if u.unit == "media:user.alarm.media")
    assert media.due_now == 1 + 2
    assert media.held == 1
    assert [h.keeps_back for h in foretold.holds if h.hold == hold.id] == [1]
    assert len(media.by_day) == 4

    def swept(at: datetime) -> int:
        report = sweep(engine, POLICY, vault, now=at)
        return sum(r.rows for r in report.results if r.unit == media.unit)

    assert swept(now) == media.due_now
    for day_text, expected in sorted(media.by_day.items()):
        due = datetime.fromisoformat(day_text).replace(hour=12, tzinfo=UTC)  # captured at noon
        assert swept(due - timedelta(seconds=1)) == 0, day_text
        assert swept(due) == expected, day_text
    as_json = foretold.as_dict()
    assert as_json["days"] == 10 and as_json["holds"][0]["keeps_back"] == 1


def test_two_sweeps_never_run_at_once(engine: Engine, vault: Vault) -> None:
    lease = leases.acquire(engine, "retention-sweep")
    try:
        with pytest.raises(leases.AlreadyRunning, match="already running"):
            sweep(engine, POLICY, vault)
    finally:
        lease.release(engine)
    sweep(engine, POLICY, vault)  # free again once released


def test_a_lease_of_a_dead_process_is_taken_over(engine: Engine) -> None:
    import os

    lease = leases.acquire(engine, "retention-sweep")
    with engine.begin() as conn:
        conn.execute(t.job_leases.update().values(pid=2**22 + os.getpid() % 1000))
    taken = leases.acquire(engine, "retention-sweep")
    assert taken.holder != lease.holder
    taken.release(engine)
