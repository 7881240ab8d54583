"""A panel that loses one receiver reaches the other (#20): the simulator's backup path.

Real panels are configured with a primary and a backup receiver path. Here two
``alarmvern receive`` processes share one PostgreSQL database; the simulator's panels send to
the first, with the second as their backup. The first is killed (SIGKILL) while they send:
every panel must move to the backup and go on, every frame ACKed by either receiver must be
stored once (a frame the dead receiver stored but did not ACK is sent again to the other,
which knows it by its frame key), and once the first is back the panels return to it. The
time from the kill to each panel's first ACK on the backup is printed.

A receiver that takes the connection but never answers (a hung process) is left the same
way, after ``switch_after`` ACK timeouts in a row; that test runs in this process.
"""

from __future__ import annotations

import asyncio
import socket
import statistics
import subprocess
import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from typer.testing import CliRunner

import alarmvern.cli.intake  # registers simulate
from alarmvern.cli import app
from alarmvern.sia.protocol import Message, parse_key
from alarmvern.sia.server import Receiver
from alarmvern.sia.simulate import Stats, Switch, panel_accounts, simulate
from alarmvern.store import tables as t
from tests import builders as b
from tests.test_intake_kill import HOST, alarmvern, free_port, kill

PANELS = 8
RATE = 16.0  # frames a second, all panels together
SWITCH_AFTER = 3
RETURN_AFTER = 3.0  # seconds on the backup before a panel tries the primary again
MIX = {"openclose": 1.0}  # every frame an event row, so ACKed frames can be counted
WAIT = 60.0  # generous: a loaded machine is slow, and nothing here is timed


def start_receiver(data_dir: Path, db: str, port: int, name: str) -> subprocess.Popen[bytes]:
    """``alarmvern receive`` on ``port``, once it listens."""
    with (data_dir.parent / f"{name}.log").open("ab") as log:
        process = subprocess.Popen(
            alarmvern(data_dir, db, "receive", "--port", str(port)),
            stdout=subprocess.DEVNULL,
            stderr=log,
        )
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        assert process.poll() is None, (data_dir.parent / f"{name}.log").read_text()[-2000:]
        try:
            with socket.create_connection((HOST, port), timeout=1):
                return process
        except OSError:
            time.sleep(0.1)
    kill(process)
    raise AssertionError(f"{name} did not start listening")


async def until(check: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + WAIT
    while not check():
        assert time.monotonic() < deadline, what
        await asyncio.sleep(0.05)


def moved(stats: Stats, to: int, since: float) -> dict[str, Switch]:
    """Per panel, its first move to path ``to`` after ``since`` that has had an ACK there."""
    found: dict[str, Switch] = {}
    for each in stats.switches:
        if each.to == to and each.at >= since and each.first_ack is not None:
            found.setdefault(each.account, each)
    return found


def register(engine: Engine, accounts: Sequence[str]) -> None:
    with engine.begin() as conn:
        holder = b.person(conn, name="Backup path test holder")
        account = b.account(conn, holder, "BACKUP")
        for panel in accounts:
            b.site(conn, account, panel_account=panel)


@pytest.mark.slow
@pytest.mark.postgres
def test_panels_move_to_the_backup_receiver_when_the_primary_is_killed_and_back(
    pg_engine: Engine, tmp_path: Path
) -> None:
    url = pg_engine.url.render_as_string(hide_password=False)
    data_dir = tmp_path / "data"
    init = subprocess.run(alarmvern(data_dir, url, "init"), capture_output=True, timeout=300)
    assert init.returncode == 0, init.stderr.decode()
    fleet = panel_accounts(PANELS, seed=7)
    register(pg_engine, [account for account, _ in fleet])
    ports = [free_port(), free_port()]
    receivers = [
        start_receiver(data_dir, url, ports[0], "primary"),
        start_receiver(data_dir, url, ports[1], "backup"),
    ]
    stats = Stats()
    try:
        switch_times, back_times = asyncio.run(_drive(data_dir, url, ports, receivers, stats))
    finally:
        for process in receivers:
            kill(process)
    print(f"after the SIGKILL every panel had its first ACK from the backup within "
          f"{max(switch_times):.2f} s (median {statistics.median(switch_times):.2f} s); back "
          f"on the restarted primary within {max(back_times):.2f} s of its restart; ACKs "
          f"on the primary {stats.path_acks[0]}, on the backup {stats.path_acks[1]}")  # fmt: skip
    with pg_engine.connect() as conn:
        rows = Counter(
            (str(account), str(sequence))
            for account, sequence in conn.execute(
                select(t.alarm_events.c.panel_account, t.alarm_events.c.sequence)
            )
        )
    acked = set(stats.acked_frames)
    assert len(acked) == len(stats.acked_frames) == stats.acked
    assert not acked - set(rows), "an ACKed frame is not stored"
    assert all(count == 1 for count in rows.values()), "a frame was stored twice"
    assert stats.failed == 0


async def _drive(
    data_dir: Path,
    url: str,
    ports: list[int],
    receivers: list[subprocess.Popen[bytes]],
    stats: Stats,
) -> tuple[list[float], list[float]]:
    """Panels send to ``ports[0]`` with ``ports[1]`` as backup; the primary is killed, and
    later started again (appended to ``receivers``). Seconds from the kill to each panel's
    first ACK on the backup, and from the restart to each one's first ACK on the primary."""
    run = asyncio.create_task(
        simulate(
            HOST,
            ports[0],
            backup=(HOST, ports[1]),
            panels=PANELS,
            rate=RATE,
            duration=3600,
            encrypted=False,
            mix=MIX,
            accounts=panel_accounts(PANELS, seed=7),
            ack_timeout=5.0,
            retries=20,
            reconnect_for=WAIT,
            switch_after=SWITCH_AFTER,
            return_after=RETURN_AFTER,
            stats=stats,
        )
    )
    try:
        await until(lambda: stats.path_acks[0] >= 3 * PANELS, "the panels got no ACKs")
        assert stats.path_acks[1] == 0 and not stats.switches  # all on the primary so far
        killed_at = time.monotonic()
        kill(receivers[0])  # SIGKILL, while the panels send
        await until(lambda: len(moved(stats, 1, killed_at)) == PANELS, "not all moved")
        switched = [_seconds(s, killed_at) for s in moved(stats, 1, killed_at).values()]
        on_backup = stats.path_acks[1]
        await until(lambda: stats.path_acks[1] >= on_backup + 3 * PANELS, "the backup stalled")
        receivers.append(
            await asyncio.to_thread(start_receiver, data_dir, url, ports[0], "primary-again")
        )
        back_at = time.monotonic()
        await until(lambda: len(moved(stats, 0, back_at)) == PANELS, "not all came back")
        back = [_seconds(s, back_at) for s in moved(stats, 0, back_at).values()]
        on_primary = stats.path_acks[0]
        await until(lambda: stats.path_acks[0] >= on_primary + PANELS, "the primary stalled")
        assert not run.done(), run
        return switched, back
    finally:
        run.cancel()
        await asyncio.gather(run, return_exceptions=True)


def _seconds(switch: Switch, since: float) -> float:
    assert switch.first_ack is not None
    return switch.first_ack - since


class _Sink:
    """Keeps what a receiver in this process stores."""

    def __init__(self) -> None:
        self.stored: list[Message] = []

    async def __call__(self, messages: Sequence[Message]) -> None:
        self.stored.extend(messages)


def test_a_panel_leaves_a_receiver_that_never_answers_after_its_timeouts() -> None:
    """A primary that takes the connection and the frames but never ACKs (hung): after
    ``switch_after`` timeouts in a row each panel sends the same frame to the backup."""

    async def test() -> None:
        async def hung(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            while await reader.read(4096):
                pass  # read, never answered
            writer.close()

        fleet = panel_accounts(3, seed=5)
        sink = _Sink()
        keys = {account: parse_key(key, "hex") for account, key in fleet}
        silent = await asyncio.start_server(hung, HOST, 0)
        silent_port = silent.sockets[0].getsockname()[1]
        async with silent, Receiver(sink, keys) as spare:
            await spare.start(HOST, 0)
            stats = await simulate(
                HOST, silent_port, backup=(HOST, spare.tcp_port), panels=3, rate=30,
                duration=3, seed=5, accounts=fleet, ack_timeout=1.0, retries=10,
                switch_after=2, return_after=3600,
            )  # fmt: skip
        assert stats.failed == 0 and stats.path_acks[0] == 0
        assert stats.acked == stats.sent == stats.path_acks[1] > 3
        assert {s.account for s in stats.switches if s.to == 1} == {a for a, _ in fleet}
        assert stats.timeouts >= 2 * 3  # two per panel on the silent primary at least
        assert len({(m.account, m.sequence) for m in sink.stored}) == stats.acked

    asyncio.run(asyncio.wait_for(test(), 30))


def test_switch_after_must_be_at_least_one() -> None:
    with pytest.raises(ValueError, match="minst 1"):
        asyncio.run(simulate(HOST, 9, backup=(HOST, 10), switch_after=0))


def test_the_cli_sends_to_the_backup_while_the_primary_is_down(tmp_path: Path) -> None:
    """``alarmvern simulate --backup``: with nothing at the primary address, every frame
    goes to the backup, and the summary says so."""
    fleet = panel_accounts(2, seed=6)
    keys_file = tmp_path / "keys.txt"
    keys_file.write_text("".join(f"{a} {k}\n" for a, k in fleet), encoding="utf-8")
    sink, started, stop = _Sink(), threading.Event(), threading.Event()
    port: list[int] = []

    async def backup() -> None:
        keys = {account: parse_key(key, "hex") for account, key in fleet}
        async with Receiver(sink, keys) as receiver:
            await receiver.start(HOST, 0)
            port.append(receiver.tcp_port)
            started.set()
            while not stop.is_set():
                await asyncio.sleep(0.05)

    thread = threading.Thread(target=asyncio.run, args=(backup(),))
    thread.start()
    try:
        assert started.wait(30)
        nobody = free_port()  # nothing listens there
        result = CliRunner().invoke(
            app,
            ["--data-dir", str(tmp_path / "data"), "simulate", "--panels", "2", "--rate", "10",
             "--duration", "1", "--port", str(nobody), "--keys-file", str(keys_file),
             "--backup", f"{HOST}:{port[0]}", "--switch-after", "1"],
        )  # fmt: skip
    finally:
        stop.set()
        thread.join(30)
    assert result.exit_code == 0, result.output
    assert "på reserveveien / on the backup path" in result.output
    assert "on the primary path 0," in result.output
    assert len({(m.account, m.sequence) for m in sink.stored}) >= 2


@pytest.mark.parametrize("given", ["127.0.0.1", "host:port", "h:70000", ":0"])
def test_a_backup_that_is_not_host_and_port_is_refused(given: str, tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["--data-dir", str(tmp_path), "simulate", "--backup", given, "--duration", "0"]
    )
    assert result.exit_code == 2
    assert "VERT:PORT" in result.output
