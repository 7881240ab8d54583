"""Several receiver processes on one port: every core used for intake.

Each process has its own event loop, writer and database connection, and listens on the
same port with SO_REUSEPORT; the kernel shares the panels' connections among them (by their
addresses, so a panel's connection stays with one process for its life). What they share is
the database, and every rule holds across them:

- nothing is ACKed before its own process's commit (each is a whole receiver);
- a resend is stored once: on PostgreSQL the writers store in parallel and the frame key's
  ``ON CONFLICT DO NOTHING`` makes the second of two at once skip the row; on SQLite the
  writers take turns for the one write lock (each commit durable, group commit in each);
- the panel keys, rules and sites are loaded by each process, every ``KEYS_EVERY`` seconds.

``alarmvern receive --receivers N`` runs this process and ``N - 1`` siblings.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import signal
from collections.abc import Sequence
from multiprocessing.process import BaseProcess

from alarmvern import aio
from alarmvern.intake import receiver
from alarmvern.settings import Settings
from alarmvern.sia.server import Transport
from alarmvern.system import System, open_system

STOP_SECONDS = 15.0


def start(
    settings: Settings, host: str, port: int, protocol: Transport, count: int
) -> list[BaseProcess]:
    """Start ``count`` receiver processes on ``host:port`` (bound with SO_REUSEPORT)."""
    context = multiprocessing.get_context("spawn")  # a clean process: no engine inherited
    processes: list[BaseProcess] = [
        context.Process(
            target=run,
            args=(settings, host, port, protocol),
            name=f"alarmvern-receiver-{n + 2}",
            daemon=True,
        )
        for n in range(count)
    ]
    for process in processes:
        process.start()
    return processes


def stop(processes: Sequence[BaseProcess]) -> None:
    """Stop each (SIGTERM: it stores and ACKs what it has), then wait for it."""
    for process in processes:
        if process.is_alive():
            process.terminate()
    for process in processes:
        process.join(STOP_SECONDS)
        if process.is_alive():
            process.kill()
            process.join()


def run(settings: Settings, host: str, port: int, protocol: Transport) -> None:
    """A sibling receiver, until SIGTERM (Ctrl-C is left to the first process)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    system = open_system(settings)
    try:
        aio.run(_serve(system, host, port, protocol))
    finally:
        system.close()


async def _serve(system: System, host: str, port: int, protocol: Transport) -> None:
    stop_now = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop_now.set)
    intake = await receiver.start(system, host, port, protocol, reuse_port=True)
    try:
        await stop_now.wait()
    finally:
        await intake.close()
