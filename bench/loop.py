"""The receiver's event loop alone: its CPU per frame, without sockets or client processes.

``bench/ingest.py`` measures the whole receiver over loopback TCP, on cores it shares with
its load generator and the database, so its rates move with whatever else the machine does.
This one measures what the event loop itself spends on a frame, steadily enough to tell a
change of a few microseconds: the real receiver (``alarmvern.intake.receiver.start``, its
sink, writer and admission) on a fresh store of 1,000 sites, and one panel connection per
site whose transport is a stand-in that only counts what is written. Each round hands every
connection one frame of the chosen mix (the frames of ``bench/ingest.py``'s panels) and waits
until every connection has written its answer; business frames wait for their commit, as
over TCP. The figure is the event-loop thread's own CPU time (``time.thread_time``) per
frame; the writer thread's is not in it.

Baseline in the same run: our pure core alone (``Connection.receive_data`` and
``next_events``) on the same frames, per frame, and the ratio.

    .venv/bin/python bench/loop.py [--mix heartbeats|business|mix|all] [--rounds 60]
        [--db sqlite|postgresql] [--pg URL]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import shutil
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from alarmvern import aio
from alarmvern.intake import receiver
from alarmvern.settings import Settings
from alarmvern.sia.protocol import Connection
from alarmvern.sia.tcp import PanelConnection
from alarmvern.system import open_system
from ingest import MIXES, _Panel, build_store
from scratch import scratch_databases

WARMUP_ROUNDS = 5  # rounds left out of the figure: caches filled, the writer started


class _Counted(asyncio.Transport):
    """A connection's transport that writes nowhere; the round ends when all have written."""

    def __init__(self, round_: list[Any]) -> None:
        super().__init__()
        self.round = round_  # [answers written, answers expected, the round's future]
        self.closing = False

    def write(self, data: bytes | bytearray | memoryview) -> None:
        self.round[0] += 1
        if self.round[0] >= self.round[1] and not self.round[2].done():
            self.round[2].set_result(None)

    def is_closing(self) -> bool:
        return self.closing

    def pause_reading(self) -> None:
        pass

    def resume_reading(self) -> None:
        pass

    def close(self) -> None:
        self.closing = True

    def abort(self) -> None:
        self.closing = True

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return ("127.0.0.1", 40000) if name == "peername" else default


def loop_cpu(data_dir: Path, url: str | None, frames: list[list[bytes]]) -> float:
    """Event-loop CPU seconds per frame over ``frames`` (one list per round, one frame per
    connection), warm-up rounds left out."""
    system = open_system(Settings(data_dir=data_dir, database_url=url))

    async def run() -> float:
        intake = await receiver.start(system, "127.0.0.1", 0)
        loop = asyncio.get_running_loop()
        round_: list[Any] = [0, 0, None]
        connections = []
        for _ in frames[0]:
            connection = PanelConnection(intake.receiver)
            connection.connection_made(_Counted(round_))
            connections.append(connection)
        cpu, counted = 0.0, 0
        for number, batch in enumerate(frames):
            round_[1] += len(batch)
            round_[2] = loop.create_future()
            began = time.thread_time()
            for connection, frame in zip(connections, batch, strict=True):
                connection.data_received(frame)
            await round_[2]
            if number >= WARMUP_ROUNDS:
                cpu += time.thread_time() - began
                counted += len(batch)
        await intake.close()
        return cpu / counted

    try:
        return aio.run(run())
    finally:
        system.close()


def parse_cpu(frames: list[list[bytes]]) -> float:
    """Our pure core's CPU seconds per frame on the same frames, nothing stored."""
    connection = Connection()
    now = datetime.now(UTC)
    flat = [frame for batch in frames[WARMUP_ROUNDS:] for frame in batch]
    began = time.thread_time()
    for frame in flat:
        connection.receive_data(frame)
        connection.next_events(now)
    return (time.thread_time() - began) / len(flat)


def bench(mix: str, rounds: int, url: str | None) -> None:
    folder = Path(tempfile.mkdtemp(prefix="alarmvern-bench-loop-"))
    try:
        accounts = build_store(folder / "data", url, 1000, False)
        panels = [_Panel(account, None, random.Random(account)) for account, _ in accounts]
        frames = [[panel.next_frame(MIXES[mix])[0] for panel in panels] for _ in range(rounds)]
        loop = loop_cpu(folder / "data", url, frames)
        parse = parse_cpu(frames)
        db = "postgresql" if url else "sqlite"
        print(
            f"{db:<10} {mix:<10} event loop {loop * 1e6:6.1f} µs/frame | parse only "
            f"{parse * 1e6:5.1f} µs/frame | parse is {parse / loop:4.0%} of the loop's time",
            flush=True,
        )
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--mix", choices=[*MIXES, "all"], default="all")
    parser.add_argument(
        "--rounds",
        type=int,
        default=60,
        help="frames per connection (at most 400: the rate limit lets 500 through at once)",
    )
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--pg", default="postgresql://postgres@127.0.0.1:5432/postgres")
    args = parser.parse_args()
    mixes = list(MIXES) if args.mix == "all" else [args.mix]
    for mix in mixes:
        if args.db == "postgresql":
            with scratch_databases(args.pg, "loop") as databases:
                bench(mix, args.rounds, databases.create())
        else:
            bench(mix, args.rounds, None)


if __name__ == "__main__":
    main()
