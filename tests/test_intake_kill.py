"""Nothing acknowledged is lost: ``alarmvern receive`` killed (SIGKILL) while many panels have
frames in flight keeps every frame it ACKed; after each restart it takes frames again.

The panels are this process's asyncio clients; each records the (account, sequence,
timestamp) of every frame whose ACK it read. After the kill the store must hold each of them
in ``alarm_events``. Heartbeats are not events: their last-seen times are written within a
second of their ACK (``intake.sink``), so the last second of them may be forgotten by a kill;
every panel whose business event was stored has its supervision row.
"""

from __future__ import annotations

import asyncio
import os
import random
import selectors
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import select
from sqlalchemy.engine import make_url

from alarmvern.intake.signals import frame_key
from alarmvern.sia.protocol import Connection, FrameReader, Message, build_frame
from alarmvern.sia.protocol.framing import Frame
from alarmvern.store import tables as t
from alarmvern.store.engine import create_store_engine
from alarmvern.store.tables.columns import as_utc
from tests import builders as b

HOST = "127.0.0.1"
PANELS = 48
ROUNDS = {"sqlite": 4, "postgresql": 3}
# What the panels send: mostly events that must be in alarm_events, some heartbeats.
KINDS = [
    ("SIA-DCS", "Nri1/CL{user:03d}"),
    ("SIA-DCS", "Nri1/OP{user:03d}"),
    ("ADM-CID", "3401 01 {user:03d}"),
    ("SIA-DCS", "Nri1/BA{user:03d}"),
    ("ADM-CID", "1302 00 000"),
    ("NULL", ""),
    ("SIA-DCS", "Nri0/RP0000"),
]

Identity = tuple[str, str, datetime]  # (panel account, sequence, timestamp)


@dataclass
class Seen:
    """What the panels sent and what came back ACKed."""

    events: set[Identity] = field(default_factory=set)
    keys: set[str] = field(default_factory=set)
    heartbeats: set[str] = field(default_factory=set)  # panels with an ACKed heartbeat
    unanswered: int = 0  # frames in flight when the receiver died


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def alarmvern(data_dir: Path, db: str | None, *args: str) -> list[str]:
    command = [sys.executable, "-m", "alarmvern", "--data-dir", str(data_dir)]
    return command + (["--db", db] if db else []) + list(args)


def start_receiver(
    data_dir: Path, db: str | None, receivers: int = 1
) -> tuple[subprocess.Popen[bytes], int]:
    """``alarmvern receive``; with several receivers, in a session of its own (killed as a
    group) and only once it says every process listens."""
    port = free_port()
    several = ["--receivers", str(receivers)] if receivers > 1 else []
    with (data_dir / "receiver.log").open("ab") as log:  # the child keeps its own handle
        process = subprocess.Popen(
            alarmvern(data_dir, db, "receive", "--port", str(port), *several),
            stdout=subprocess.PIPE if several else subprocess.DEVNULL,
            stderr=log,
            start_new_session=bool(several),
        )
    deadline = time.monotonic() + 90  # a loaded machine starts Python slowly
    if several:
        assert process.stdout is not None
        with selectors.DefaultSelector() as waiting:
            waiting.register(process.stdout, selectors.EVENT_READ)
            line = process.stdout.readline() if waiting.select(90) else b""
        if b"receiving" not in line:
            kill(process)
            log_text = (data_dir / "receiver.log").read_text(errors="replace")
            raise AssertionError(f"the receivers did not start: {line!r} {log_text[-2000:]}")
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log_text = (data_dir / "receiver.log").read_text(errors="replace")
            raise AssertionError(f"receiver exited: {log_text[-2000:]}")
        with socket.socket() as sock:
            if sock.connect_ex((HOST, port)) == 0:
                return process, port
        time.sleep(0.05)
    process.kill()
    process.wait()
    raise AssertionError("the receiver did not start listening")


def kill(process: subprocess.Popen[bytes]) -> None:
    """SIGKILL the receiver: every process of it at once where it runs several."""
    try:
        if os.getpgid(process.pid) == process.pid:  # its own group: the receivers together
            os.killpg(process.pid, signal.SIGKILL)
        else:
            process.kill()
    except ProcessLookupError:
        pass
    process.wait()


def parsed(data: bytes) -> Message:
    connection = Connection()
    connection.receive_data(data)
    [message] = connection.next_events(datetime.now(UTC))
    assert isinstance(message, Message)
    return message


async def panel(
    account: str, rng: random.Random, first: int, port: int, seen: Seen, stop: asyncio.Event
) -> None:
    """Send frames one after another, each after the ACK of the last, until the line dies."""
    reader, writer = await asyncio.open_connection(HOST, port)
    frames = FrameReader()
    sequence = first
    try:
        while not stop.is_set():
            sequence = sequence % 9999 + 1
            token, template = rng.choice(KINDS)
            data = build_frame(
                token,
                f"{sequence:04d}",
                "0",
                account=account,
                data=template.format(user=rng.randint(1, 30)),
                timestamp=datetime.now(UTC),
            )
            message = parsed(data)
            assert message.timestamp is not None
            writer.write(data)
            seen.unanswered += 1
            await writer.drain()
            reply = await _reply(reader, frames)
            seen.unanswered -= 1
            assert reply.startswith(f'"ACK"{sequence:04d}'.encode()), reply
            if token == "NULL" or template.startswith("Nri0/RP"):
                seen.heartbeats.add(account)
            else:
                seen.events.add((account, message.sequence, message.timestamp))
                seen.keys.add(str(frame_key(message, 0)))
    except (ConnectionError, asyncio.IncompleteReadError):
        return  # killed: this frame got no ACK
    finally:
        writer.close()


async def _reply(reader: asyncio.StreamReader, frames: FrameReader) -> bytes:
    while True:
        for item in frames.frames():
            assert isinstance(item, Frame), item
            return item.payload
        data = await reader.read(4096)
        if not data:
            raise ConnectionError("receiver gone")
        frames.feed(data)


async def drive_and_kill(
    process: subprocess.Popen[bytes], port: int, delay: float, round_no: int, seen: Seen
) -> int:
    """Panels send until the receiver is SIGKILLed ``delay`` s after their first 20 ACKs;
    return the ACKs before the kill."""
    stop = asyncio.Event()
    before = len(seen.events)
    tasks = [
        asyncio.create_task(
            panel(
                f"{0xA000 + n:04X}",
                random.Random(f"{round_no}:{n}"),
                round_no * 2000,
                port,
                seen,
                stop,
            )
        )
        for n in range(PANELS)
    ]
    deadline = time.monotonic() + 15
    while len(seen.events) - before < 20:  # the panels are under way
        assert time.monotonic() < deadline, "the panels got no ACKs"
        await asyncio.sleep(0.01)
    await asyncio.sleep(delay)
    acked_before_kill = len(seen.events) - before
    kill(process)
    stop.set()
    await asyncio.wait_for(asyncio.gather(*tasks), 10)  # ACKs already sent are still read
    return acked_before_kill


def check_store(url: str, seen: Seen) -> None:
    engine = create_store_engine(url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                select(
                    t.alarm_events.c.panel_account,
                    t.alarm_events.c.sequence,
                    t.alarm_events.c.occurred_at,
                    t.alarm_events.c.frame_key,
                )
            ).all()
            supervised = set(conn.execute(select(t.account_supervision.c.panel_account)).scalars())
    finally:
        engine.dispose()
    stored = {(r.panel_account, r.sequence, as_utc(r.occurred_at)) for r in rows}
    missing = seen.events - stored
    assert not missing, f"{len(missing)} ACKed events are not stored, e.g. {sorted(missing)[:3]}"
    assert seen.keys <= {r.frame_key for r in rows}
    assert len(rows) == len(stored), "a frame was stored twice"
    assert {account for account, _, _ in seen.events} <= supervised


def register_panels(url: str) -> None:
    """A site for each panel: the receiver records last-seen times only for known panels,
    and stores no more than a small quota from unknown ones."""
    engine = create_store_engine(url)
    try:
        with engine.begin() as conn:
            holder = b.person(conn, name="Kill test holder")
            account = b.account(conn, holder, "KILL")
            for n in range(PANELS):
                b.site(conn, account, panel_account=f"{0xA000 + n:04X}")
    finally:
        engine.dispose()


def kill_rounds(data_dir: Path, url: str, db: str | None, rounds: int, receivers: int = 1) -> None:
    init = subprocess.run(alarmvern(data_dir, db, "init"), capture_output=True, timeout=300)
    assert init.returncode == 0, init.stderr.decode()
    register_panels(url)
    rng = random.Random(20261130)
    seen = Seen()
    acked, in_flight = [], []
    for round_no in range(rounds):
        process, port = start_receiver(data_dir, db, receivers)
        try:
            before = seen.unanswered
            delay = rng.uniform(0.0, 0.8)
            acked.append(asyncio.run(drive_and_kill(process, port, delay, round_no, seen)))
            in_flight.append(seen.unanswered - before)
        finally:
            kill(process)
        check_store(url, seen)  # the store as the next start finds it
    assert sum(acked) > 20 * rounds
    assert sum(in_flight) > 0, "no frame was in flight at any kill: the test proves too little"


def test_sigkill_loses_no_acked_frame_sqlite(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    kill_rounds(data_dir, f"sqlite:///{data_dir / 'alarmvern.db'}", None, ROUNDS["sqlite"])


@pytest.fixture
def pg_url(pg_admin: str) -> Iterator[str]:
    name = f"alarmvern_kill_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(pg_admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield make_url(pg_admin).set(database=name).render_as_string(hide_password=False)
    with psycopg.connect(pg_admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.postgres
def test_sigkill_loses_no_acked_frame_postgresql(tmp_path: Path, pg_url: str) -> None:
    kill_rounds(tmp_path / "data", pg_url, pg_url, ROUNDS["postgresql"])


# Several receiver processes on one port (issue 19): all killed at once, nothing ACKed lost.


def test_sigkill_of_several_receivers_loses_no_acked_frame_sqlite(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    kill_rounds(data_dir, f"sqlite:///{data_dir / 'alarmvern.db'}", None, 2, receivers=2)


@pytest.mark.postgres
def test_sigkill_of_several_receivers_loses_no_acked_frame_postgresql(
    tmp_path: Path, pg_url: str
) -> None:
    kill_rounds(tmp_path / "data", pg_url, pg_url, 2, receivers=2)
