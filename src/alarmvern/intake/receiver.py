"""The alarm receiver as a running service: the DC-09 server, the store behind it, panel
keys, and the supervision check, started together and stopped cleanly.

Several receivers may share one database (a panel's primary and backup paths); the
supervision check is then done by one of them at a time, whichever holds its
:class:`~alarmvern.store.leases.Duty`, and moves to another when that one dies."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from alarmvern.intake import keys as panel_keys
from alarmvern.intake import supervision
from alarmvern.intake.admission import Admission
from alarmvern.intake.directory import Directory
from alarmvern.intake.sink import StoreSink
from alarmvern.sia.protocol import Policy
from alarmvern.sia.server import Receiver, Transport, serve
from alarmvern.store.engine import checkpoint, reading
from alarmvern.store.leases import Duty
from alarmvern.system import System

log = logging.getLogger(__name__)

SUPERVISION_EVERY = 60.0  # seconds between checks for silent panels
SUPERVISION_DUTY = "intake-supervision"  # the lease row of the receiver that checks
KEYS_EVERY = 30.0  # seconds between reloads of keys, panel settings and known panels
# Seconds between WAL checkpoints on SQLite: the receiver's own commits never run one (they
# would flush the database file before the ACK; see store.engine.give_priority).
CHECKPOINT_EVERY = 5.0


@dataclass
class Intake:
    system: System
    sink: StoreSink
    receiver: Receiver
    keys: dict[str, bytes]
    tasks: list[asyncio.Task[None]] = field(default_factory=list)

    async def close(self) -> None:
        for task in self.tasks:
            task.cancel()
        for task in self.tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await self.receiver.close()
        await self.sink.close()


async def start(
    system: System,
    host: str,
    port: int,
    protocol: Transport = "tcp",
    *,
    max_connections: int = 5000,
    reuse_port: bool = False,
) -> Intake:
    """The receiver on ``host:port``; with ``reuse_port``, one of several receiver processes
    sharing that port (SO_REUSEPORT), each with its own event loop and writer, all storing
    into the same database (see docs/intake.md, "Several receivers")."""
    keys = await asyncio.to_thread(panel_keys.load, system.engine, system.vault)
    admission = Admission(keys)
    await asyncio.to_thread(_load_admission, system, admission)
    sink = StoreSink(system.engine, admission=admission)
    receiver = await serve(
        host, port, sink=sink, keys=keys, protocol=protocol, max_connections=max_connections,
        policy=Policy(admit=admission), reuse_port=reuse_port,
    )  # fmt: skip
    intake = Intake(system, sink, receiver, keys)
    # Held across rounds, so the lease outlives two missed ones before another receiver checks.
    duty = Duty(system.engine, SUPERVISION_DUTY, timedelta(seconds=SUPERVISION_EVERY * 2.5))
    intake.tasks = [
        asyncio.create_task(_every(SUPERVISION_EVERY, lambda: _supervise(system, duty))),
        asyncio.create_task(_every(KEYS_EVERY, lambda: _reload_keys(intake))),
        asyncio.create_task(_every(CHECKPOINT_EVERY, lambda: checkpoint(system.engine))),
    ]
    return intake


async def _every(seconds: float, job: Callable[[], None]) -> None:
    while True:
        await asyncio.sleep(seconds)
        try:
            await asyncio.to_thread(job)
        except Exception as exc:  # a failed check is retried next time; intake goes on
            log.error("intake: periodic job failed: %s", type(exc).__name__)


def _supervise(system: System, duty: Duty) -> None:
    if not duty.mine():
        return  # another receiver checks
    with system.engine.begin() as conn:
        opened = supervision.raise_incidents(conn)
    if opened:
        log.warning("intake: %d silent panel(s): technical incidents opened", opened)


def _reload_keys(intake: Intake) -> None:
    fresh = panel_keys.load(intake.system.engine, intake.system.vault)
    intake.keys.clear()
    intake.keys.update(fresh)  # the receiver holds this very dict
    if intake.sink.admission is not None:
        _load_admission(intake.system, intake.sink.admission)
    # Loaded here, off the write path, and swapped in whole: loaded in the writer, the
    # directory (every site and panel user) held a batch, and its panels' ACKs, for as long.
    directory = Directory()
    with reading(intake.system.engine) as conn:
        directory.load(conn)
    intake.sink.directory = directory


def _load_admission(system: System, admission: Admission) -> None:
    with reading(system.engine) as conn:
        admission.load(conn)


def cannot_listen(host: str, port: int, exc: OSError) -> tuple[str, str]:
    """Why a receiver process could not start listening, as it tells its parent."""
    return (
        f"DC-09: kan ikke lytte på {host}:{port} ({exc.strerror}); velg en annen DC-09-port",
        f"DC-09: cannot listen on {host}:{port} ({exc.strerror}); choose another DC-09 port",
    )
