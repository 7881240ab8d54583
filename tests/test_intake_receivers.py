"""Intake at scale (issue 19): several receivers on one port, and a batch that opens many
incidents at once, through the real receiver on both databases."""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from alarmvern import audit
from alarmvern.audit import log as audit_log
from alarmvern.initialise import initialise
from alarmvern.intake import receiver, writer
from alarmvern.intake.directory import Directory
from alarmvern.intake.signals import signals
from alarmvern.settings import Settings
from alarmvern.sia.protocol import build_frame
from alarmvern.store import tables as t
from alarmvern.system import open_system
from tests.test_intake_resends import _message
from tests.test_intake_sink import PANEL, _system, acked, events, exchange, frame, make_world
from tests.test_web_workers import free_port, wait_for


def test_two_receivers_on_one_port_share_the_panels_and_store_each_frame_once(
    engine: Engine, tmp_path: Path
) -> None:
    make_world(engine)
    system = _system(engine, tmp_path)
    frames = [frame("SIA-DCS", f"Nri1/CL{n:02d}") for n in range(1, 41)]

    async def test() -> tuple[list[list[bytes]], list[int]]:
        first = await receiver.start(system, "127.0.0.1", 0, reuse_port=True)
        port = first.receiver.tcp_port
        second = await receiver.start(system, "127.0.0.1", port, reuse_port=True)
        try:
            # Each frame on a connection of its own (the kernel picks a receiver for each),
            # then each again on another connection, as a panel that lost its ACK does.
            answers = await asyncio.gather(*(exchange(port, [f]) for f in frames))
            again = await asyncio.gather(*(exchange(port, [f]) for f in frames))
        finally:
            await first.close()
            await second.close()
        return [*answers, *again], [first.sink.totals.messages, second.sink.totals.messages]

    answers, handled = asyncio.run(asyncio.wait_for(test(), 120))
    assert all(acked(a) for (a,) in answers), answers
    assert sum(handled) == 80
    # 80 connections: that the kernel gave every one to the same receiver is a 2^-79 chance.
    assert all(n > 0 for n in handled), handled
    assert sorted(r["raw"] for r in events(engine)) == [f"Nri1/CL{n:02d}" for n in range(1, 41)]


def test_alarms_from_many_sites_in_one_batch_open_an_incident_each_with_its_audit_entry(
    engine: Engine, tmp_path: Path
) -> None:
    panels = [f"5B{n:04X}" for n in range(12)]
    worlds = [make_world(engine, panel=p, number=f"K{n}") for n, p in enumerate(panels)]
    system = _system(engine, tmp_path)
    with engine.connect() as conn:
        entries_before = audit_log.count(conn)

    async def test() -> list[list[bytes]]:
        intake = await receiver.start(system, "127.0.0.1", 0)
        port = intake.receiver.tcp_port
        try:
            # All at once: they share group-commit batches, and each batch opens several.
            pairs = [
                [frame("SIA-DCS", "Nri1/BA001", panel=p), frame("SIA-DCS", "Nri1/FA002", panel=p)]
                for p in panels
            ]
            return list(await asyncio.gather(*(exchange(port, pair) for pair in pairs)))
        finally:
            await intake.close()

    answers = asyncio.run(asyncio.wait_for(test(), 120))
    assert all(acked(a) for pair in answers for a in pair), answers
    with engine.connect() as conn:
        opened = conn.execute(
            select(t.incidents.c.site_id, t.incidents.c.kind, t.incidents.c.id)
        ).all()
        steps = conn.execute(select(t.incident_steps.c.incident_id, t.incident_steps.c.step)).all()
        count, broken = audit.verify(conn)
        added = audit_log.count(conn) - entries_before
        subjects = set(
            conn.execute(
                select(t.audit_log.c.subject).where(t.audit_log.c.action == "incident.received")
            ).scalars()
        )
        per_site = dict(
            conn.execute(
                select(t.incidents.c.site_id, func.count()).group_by(t.incidents.c.site_id)
            ).all()
        )
    # One open alarm incident per site collects the fire alarm after the burglary.
    assert per_site == {w.site_id: 1 for w in worlds}
    assert {kind for _, kind, _ in opened} == {"burglary"}
    assert sorted(steps) == sorted((i, "received") for _, _, i in opened)
    assert subjects == {f"incident:{i}" for _, _, i in opened}
    assert added == len(opened) and broken is None and count >= added


def test_two_postgresql_writers_with_alarms_from_one_site_open_one_incident(
    pg_engine: Engine,
) -> None:
    """Two receivers' batches for the same site at the same instant: the second waits for
    the first's commit, sees its incident, and opens none of its own."""
    world = make_world(pg_engine)
    with pg_engine.begin() as conn:  # this month's partition exists, as it mostly does
        arming = signals(_message(frame("SIA-DCS", "Nri1/CL007")), datetime.now(UTC))
        writer.write(conn, Directory(), arming, {}, datetime.now(UTC))
    first = signals(_message(frame("SIA-DCS", "Nri1/BA01")), datetime.now(UTC))
    second = signals(_message(frame("SIA-DCS", "Nri1/FA02")), datetime.now(UTC))
    done = threading.Event()
    opened: list[int] = []

    def other_receiver() -> None:
        with pg_engine.begin() as conn:
            opened.append(writer.write(conn, Directory(), second, {}, datetime.now(UTC)).incidents)
        done.set()

    with pg_engine.begin() as conn:
        assert writer.write(conn, Directory(), first, {}, datetime.now(UTC)).incidents == 1
        racing = threading.Thread(target=other_receiver)
        racing.start()
        assert not done.wait(1.0), "the second batch did not wait for the first's commit"
    racing.join(60)
    assert opened == [0]
    with pg_engine.connect() as conn:
        count = select(func.count()).select_from(t.incidents)
        assert conn.execute(count.where(t.incidents.c.site_id == world.site_id)).scalar() == 1
        assert conn.execute(select(func.count()).select_from(t.alarm_events)).scalar() == 3


def test_a_bare_resend_reaching_two_postgresql_writers_at_once_is_stored_once(
    pg_engine: Engine,
) -> None:
    """A frame without a timestamp, its ACK lost, resent to the other receiver while the
    first is still committing it: stored at two received times, unless the second waits."""
    make_world(pg_engine)
    alarm = build_frame("ADM-CID", "0012", "0", account=PANEL, data="1130 01 004")
    with pg_engine.begin() as conn:  # this month's partition exists, as it mostly does
        arming = signals(_message(frame("SIA-DCS", "Nri1/CL007")), datetime.now(UTC))
        writer.write(conn, Directory(), arming, {}, datetime.now(UTC))
    stored: list[int] = []

    def other_receiver() -> None:
        now = datetime.now(UTC)
        with pg_engine.begin() as conn:
            stored.append(
                writer.write(conn, Directory(), signals(_message(alarm), now), {}, now).events
            )

    with pg_engine.begin() as conn:
        now = datetime.now(UTC)
        assert writer.write(conn, Directory(), signals(_message(alarm), now), {}, now).events == 1
        racing = threading.Thread(target=other_receiver)
        racing.start()
        racing.join(1.0)
    racing.join(60)
    assert stored == [0]
    with pg_engine.connect() as conn:
        count = select(func.count()).select_from(t.alarm_events)
        assert conn.execute(count.where(t.alarm_events.c.zone == "004")).scalar() == 1


def _listeners(port: int) -> int:
    """How many sockets listen on TCP ``port`` here (each SO_REUSEPORT receiver has one)."""
    lines = Path("/proc/net/tcp").read_text().splitlines()[1:]
    return sum(
        1 for line in lines if line.split()[1].endswith(f":{port:04X}") and line.split()[3] == "0A"
    )


def test_serve_with_two_receivers_listens_twice_on_the_port_and_stores_each_frame_once(
    tmp_path: Path,
) -> None:
    if not Path("/proc/net/tcp").exists():
        pytest.skip("needs Linux's /proc/net/tcp to count the listening receivers")
    data = tmp_path / "data"
    initialise(Settings(data_dir=data))
    system = open_system(Settings(data_dir=data))
    try:
        make_world(system.engine)
    finally:
        system.close()
    dc09 = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "alarmvern", "--data-dir", str(data), "serve", "--port",
         str(free_port()), "--dc09-port", str(dc09), "--receivers", "2"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        wait_for(lambda: _listeners(dc09) == 2 or process.poll() is not None)
        assert process.poll() is None, process.stderr.read().decode()  # type: ignore[union-attr]
        frames = [frame("SIA-DCS", f"Nri1/CL{n:02d}") for n in range(1, 41)]

        async def send() -> list[list[bytes]]:
            return list(await asyncio.gather(*(exchange(dc09, [f]) for f in frames)))

        answers = asyncio.run(asyncio.wait_for(send(), 120))
        assert all(acked(a) for (a,) in answers), answers
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=60) == 0
    system = open_system(Settings(data_dir=data))
    try:
        stored = sorted(r["raw"] for r in events(system.engine))
    finally:
        system.close()
    assert stored == [f"Nri1/CL{n:02d}" for n in range(1, 41)]
    assert _listeners(dc09) == 0
