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

``alarmvern receive --receivers N`` runs this process and ``N - 1`` siblings. A sibling
stops, storing and ACKing what it holds, on SIGTERM or when the first process is gone (the
pipe between them closes), so a killed first process leaves no receiver behind.
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import signal
from collections.abc import Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess

from alarmvern import aio
from alarmvern.errors import SettingsError
from alarmvern.intake import receiver
from alarmvern.settings import Settings
from alarmvern.sia.server import Transport
from alarmvern.system import System, open_system

START_SECONDS = 60.0
STOP_SECONDS = 15.0


@dataclass
class Sibling:
    process: BaseProcess
    pipe: Connection  # this end; the sibling stops when it closes


def start(
    settings: Settings, host: str, port: int, protocol: Transport, count: int
) -> list[Sibling]:
    """Start ``count`` receiver processes on ``host:port`` (bound with SO_REUSEPORT) and
    wait until each listens."""
    context = multiprocessing.get_context("spawn")  # a clean process: no engine inherited
    started: list[Sibling] = []
    try:
        for n in range(count):
            mine, theirs = context.Pipe()
            process = context.Process(
                target=run,
                args=(settings, host, port, protocol, theirs),
                name=f"alarmvern-receiver-{n + 2}",
                daemon=True,
            )
            process.start()
            theirs.close()
            started.append(Sibling(process, mine))
        for sibling in started:
            if not sibling.pipe.poll(START_SECONDS):
                raise SettingsError(
                    f"DC-09: en mottaker startet ikke innen {START_SECONDS:.0f} s",
                    f"DC-09: a receiver did not start in {START_SECONDS:.0f} s",
                )
            try:
                kind, value = sibling.pipe.recv()
            except EOFError:
                kind, value = (
                    "error",
                    (
                        "DC-09: en mottaker stanset mens den startet",
                        "DC-09: a receiver stopped as it started",
                    ),
                )
            if kind != "ready":
                nb, en = value
                raise SettingsError(nb, en)
    except BaseException:
        stop(started)
        raise
    return started


def stop(siblings: Sequence[Sibling]) -> None:
    """Stop each (SIGTERM: it stores and ACKs what it has), then wait for it."""
    for sibling in siblings:
        if sibling.process.is_alive():
            sibling.process.terminate()
    for sibling in siblings:
        sibling.process.join(STOP_SECONDS)
        if sibling.process.is_alive():
            sibling.process.kill()
            sibling.process.join()
        sibling.pipe.close()


def run(settings: Settings, host: str, port: int, protocol: Transport, pipe: Connection) -> None:
    """A sibling receiver, until SIGTERM or the first process is gone (Ctrl-C is left to
    the first process, which stops the rest)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    system = open_system(settings)
    try:
        aio.run(_serve(system, host, port, protocol, pipe))
    finally:
        system.close()


async def _serve(
    system: System, host: str, port: int, protocol: Transport, pipe: Connection
) -> None:
    stop_now = asyncio.Event()
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, stop_now.set)
    try:
        intake = await receiver.start(system, host, port, protocol, reuse_port=True)
    except OSError as exc:
        pipe.send(("error", receiver.cannot_listen(host, port, exc)))
        return
    pipe.send(("ready", None))
    loop.add_reader(pipe.fileno(), stop_now.set)  # readable only when the first is gone
    try:
        await stop_now.wait()
    finally:
        with contextlib.suppress(Exception):
            loop.remove_reader(pipe.fileno())
        await intake.close()
