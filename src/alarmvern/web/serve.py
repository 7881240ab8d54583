"""``alarmvern serve``: the web app, the DC-09 receiver and the retention schedule, started
together and stopped together (Ctrl-C or SIGTERM). The receiver runs in a process of its own,
at a higher priority than the web (:mod:`alarmvern.intake.process`), started again if it
crashes; this process serves the web and runs the retention schedule, and with ``workers``
above one, more processes serve the web beside it (:mod:`alarmvern.web.workers`)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import socket
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta

from alarmvern import heap
from alarmvern.intake.process import ReceiverProcess, lower_priority
from alarmvern.outbox.settings import serving_at
from alarmvern.retention.sweep import sweep
from alarmvern.rights import selfservice
from alarmvern.store.leases import Duty
from alarmvern.system import System
from alarmvern.web import workers
from alarmvern.web.app import create_app

log = logging.getLogger(__name__)

SWEEP_DUTY = "serve-retention-sweeps"  # the lease row of the node that runs the schedule
DUTY_EVERY = 15.0  # seconds between a node's checks of the duty (the lease lasts four)


@dataclass
class Options:
    host: str = "127.0.0.1"
    port: int = 8000
    dc09_host: str = "127.0.0.1"
    dc09_port: int = 9000
    dc09_protocol: str = "tcp"
    sweep_hours: float = 24.0  # between retention sweeps; the first runs a minute after start
    workers: int = 1  # web processes, this one included
    receivers: int = 1  # DC-09 receiver processes on the one port (SO_REUSEPORT when > 1)


async def run(
    system: System,
    options: Options,
    *,
    ready: Callable[[], Awaitable[None]] | None = None,
    stop: asyncio.Event | None = None,
) -> None:
    """Serve until ``stop`` is set (or a signal arrives); ``ready`` runs once all listen."""
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(signum, stop.set)
    sock, *more = workers.listening_sockets(options.host, options.port, options.workers)
    with serving_at(options.host, sock.getsockname()[1]):  # (port 0: the one given)
        await _serve(system, options, sock, more, ready, stop)


async def _serve(
    system: System,
    options: Options,
    sock: socket.socket,
    more: list[socket.socket],
    ready: Callable[[], Awaitable[None]] | None,
    stop: asyncio.Event,
) -> None:
    others = workers.Workers(system.settings, system.configured.sha256, more)
    app = create_app(system)
    heap.keep_what_is_loaded()
    server = workers.QuietServer(workers.uvicorn_config(app, system.settings.trusted_proxies))
    intakes = [
        ReceiverProcess(
            system.settings,
            system.configured.sha256,
            options.dc09_host,
            options.dc09_port,
            options.dc09_protocol,  # type: ignore[arg-type]
            reuse_port=options.receivers > 1,
        )
        for _ in range(options.receivers)
    ]
    tasks: list[asyncio.Task[None]] = []
    try:
        for intake in intakes:
            await asyncio.to_thread(intake.start)
        # After the receiver (and the helper it is forked from) started: the web, this
        # process and the workers it starts, yields the CPU to intake. Not on SQLite when
        # the receiver could raise its own priority: there the web's threads hold the write
        # lock the receiver waits for, and must not starve behind other programs meanwhile.
        # (On PostgreSQL the receiver's work is done by server processes at the usual
        # priority, which a web at the same priority would compete with.)
        if not (all(i.raised for i in intakes) and system.engine.dialect.name == "sqlite"):
            lower_priority()
        others.start()
        web = asyncio.create_task(server.serve(sockets=[sock]))
        tasks = [
            web,
            asyncio.create_task(_sweeps(system, options.sweep_hours)),
            asyncio.create_task(_package_builds(system)),
            asyncio.create_task(_supervise(others)),
            *(asyncio.create_task(intake.supervise()) for intake in intakes),
        ]
        while not server.started and not web.done():
            await asyncio.sleep(0.05)
        if ready is not None and not web.done():
            await ready()
        await asyncio.wait([web, asyncio.create_task(stop.wait())], return_when="FIRST_COMPLETED")
    finally:
        # Whatever ended the wait (a stop, a failure, a cancellation), everything stops.
        server.should_exit = True
        for task in tasks[1:]:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await asyncio.to_thread(others.stop)
        for intake in intakes:
            await asyncio.to_thread(intake.stop)
        for each in (sock, *more):
            each.close()


async def _supervise(others: workers.Workers) -> None:
    while True:
        await asyncio.sleep(1.0)
        try:
            others.supervise()
        except Exception as exc:  # logged; the next round tries again
            log.error("web workers: supervision failed: %s", type(exc).__name__)


async def _package_builds(system: System, every: float = 1.0) -> None:
    """Build the access packages people ask for on Mine Sider, as soon as they ask: in this
    process (the web's, at the web's lower priority), never in the DC-09 receiver's."""
    while True:
        await asyncio.sleep(every)
        try:
            if selfservice.waiting(system):
                await asyncio.to_thread(selfservice.build_waiting, system)
        except Exception as exc:  # logged; the next round tries again
            log.error("self-service packages: %s", type(exc).__name__)


async def _sweeps(system: System, hours: float) -> None:
    """The retention sweep every ``hours``, on the one node of several that holds its duty
    (the first a minute after start, or after taking the duty over from a dead node)."""
    duty = Duty(system.engine, SWEEP_DUTY, timedelta(seconds=DUTY_EVERY * 4))
    due = time.monotonic() + 60
    while True:
        await asyncio.sleep(DUTY_EVERY)
        try:
            mine = await asyncio.to_thread(duty.mine)
        except Exception as exc:  # the database is away (a failover): ask again next round
            log.error("retention: the sweep's duty could not be checked: %s", type(exc).__name__)
            continue
        if not mine:
            due = max(due, time.monotonic() + 60)
            continue
        if time.monotonic() < due:
            continue
        due = time.monotonic() + hours * 3600
        try:
            report = await asyncio.to_thread(
                sweep,
                system.engine,
                system.policy.policy,
                system.vault,
                exports=system.settings.exports_dir,
            )
            log.warning("retention: swept %d rows", report.rows)
        except Exception as exc:  # logged; the next run tries again
            log.error("retention: the sweep failed: %s", type(exc).__name__)
