"""A sweep killed (SIGKILL) at random instants, hundreds of times, never leaves a row partly
anonymised, a row without its blob or (once finished) a blob without its row; and the next
run finishes the job."""

from __future__ import annotations

import os
import random
import signal
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from alarmvern import audit
from alarmvern.policy import load
from alarmvern.retention.sweep import sweep
from alarmvern.store import tables as t
from alarmvern.store.engine import create_store_engine
from alarmvern.vault import FolderBlobStore, MasterKey, Vault
from tests import builders as b

POLICY = load(Path(__file__).parent / "data" / "retention.yaml").policy
NOW = datetime(2026, 6, 1, tzinfo=UTC)
KILLS = {"sqlite": 300, "postgresql": 100}


def add_due_data(engine: Engine, vault: Vault, round_no: int) -> None:
    ended = datetime(2020, 1, 1, tzinfo=UTC)
    with engine.begin() as conn:
        for n in range(12):
            holder = b.person(conn, name=f"Person {round_no}-{n}", relationship_ended_at=ended)
            acc = b.account(conn, holder, f"K{round_no}-{n}", ended_at=ended)
            site = b.site(conn, acc)
            b.events(conn, acc, site, [ended - timedelta(hours=h) for h in range(8)])
            b.image(conn, vault, acc, NOW - timedelta(days=30))


def due_left(engine: Engine, vault: Vault) -> int:
    return sweep(engine, POLICY, vault, now=NOW, dry_run=True).rows


def check_whole(engine: Engine, vault: Vault) -> None:
    with engine.connect() as conn:
        for person in conn.execute(select(t.persons)).mappings():
            anonymised = [
                person["name"].startswith("psd-"),
                person["phone"] is None,
                person["email"] is None,
                person["street"] is None,
                person["birth_date"].month == 1 and person["birth_date"].day == 1,
            ]
            assert len(set(anonymised)) == 1, f"person {person['id']} is partly anonymised"
        for site in conn.execute(select(t.sites.c.latitude, t.sites.c.longitude)):
            assert (site.latitude is None) == (site.longitude is None)
        rows = set(conn.execute(select(t.media.c.blob_id)).scalars())
        pending = set(conn.execute(select(t.blob_tombstones.c.blob_id)).scalars())
        _, broken = audit.verify(conn)
    stored = set(vault.blobs.iter_ids())
    assert rows <= stored, "a media row lost its blob"
    assert stored <= rows | pending, "a blob outlived its row without a tombstone"
    assert broken is None, broken


def run_and_kill(url: str, master: MasterKey, blob_root: Path, delay: float) -> None:
    pid = os.fork()
    if pid == 0:  # the child: a sweep of its own, on its own connections
        try:
            engine = create_store_engine(url)
            sweep(engine, POLICY, Vault(master, FolderBlobStore(blob_root)), now=NOW, batch_size=5)
        finally:
            os._exit(0)
    time.sleep(delay)
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)


@pytest.mark.slow
def test_hundreds_of_random_kills(engine: Engine, tmp_path: Path) -> None:
    master = MasterKey.generate()
    blob_root = tmp_path / "blobs"
    vault = Vault(master, FolderBlobStore(blob_root))
    url = engine.url.render_as_string(hide_password=False)
    rng = random.Random(20261122)
    round_no = 0
    kills = KILLS[engine.dialect.name]
    for _ in range(kills):
        if due_left(engine, vault) == 0:
            round_no += 1
            add_due_data(engine, vault, round_no)
        # Mostly early kills, now and then a long run that lets a sweep finish.
        delay = rng.uniform(0.3, 1.5) if rng.random() < 0.05 else rng.uniform(0.0, 0.08)
        run_and_kill(url, master, blob_root, delay)
        check_whole(engine, vault)
    assert round_no >= 2, "the kills never let a sweep finish: the test proves too little"
    sweep(engine, POLICY, vault, now=NOW)
    check_whole(engine, vault)
    assert due_left(engine, vault) == 0
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(t.blob_tombstones)).scalar() == 0
        assert conn.execute(select(func.count()).select_from(t.media)).scalar() == 0
        assert conn.execute(select(func.count()).select_from(t.alarm_events)).scalar() == 0
    assert list(vault.blobs.iter_ids()) == []
