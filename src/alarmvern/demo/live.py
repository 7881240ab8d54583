"""The living demo: the whole system on this machine, with simulated panels sending to it."""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass

from rich.console import Console

from alarmvern import aio
from alarmvern.demo import logins
from alarmvern.intake.fleet import fleet
from alarmvern.settings import Settings
from alarmvern.sia.simulate import simulate
from alarmvern.system import System, open_system
from alarmvern.web.serve import Options
from alarmvern.web.serve import run as serve

out = Console()
HOST = "127.0.0.1"


@dataclass(frozen=True)
class Live:
    port: int = 8000
    dc09_port: int = 9000
    panels: int = 50
    rate: float = 5.0
    seconds: float | None = None


def run(settings: Settings, live: Live) -> None:
    system = open_system(settings)
    try:
        aio.run(_run(system, live))
    finally:
        system.close()
    out.print("Demoen er stoppet / the demo has stopped.")


async def _run(system: System, live: Live) -> None:
    accounts = await asyncio.to_thread(fleet, system, live.panels, True)
    demo_logins = await asyncio.to_thread(logins.ensure, system)
    stop = asyncio.Event()
    panels: list[asyncio.Task[object]] = []

    async def ready() -> None:
        _welcome(live, demo_logins)
        panels.append(asyncio.create_task(_panels(live, accounts)))
        if live.seconds is not None:
            asyncio.get_running_loop().call_later(live.seconds, stop.set)

    options = Options(HOST, live.port, HOST, live.dc09_port, "tcp", sweep_hours=24.0)
    try:
        await serve(system, options, ready=ready, stop=stop)
    finally:
        for task in panels:
            task.cancel()
            # The receiver (its own process) may stop before the panels are told to.
            with contextlib.suppress(asyncio.CancelledError, ConnectionError):
                await task


async def _panels(live: Live, accounts: list[tuple[str, str]]) -> object:
    # Panels keep sending for as long as the demo runs: a day is longer than any demo.
    return await simulate(
        HOST, live.dc09_port, panels=len(accounts), rate=live.rate, duration=86_400,
        encrypted=True, accounts=accounts,
    )  # fmt: skip


def _welcome(live: Live, demo_logins: list[logins.DemoLogin]) -> None:
    out.print(f"\n[bold]alarmvern kjører / is running:[/bold] http://{HOST}:{live.port}/")
    out.print(f"API: http://{HOST}:{live.port}/api/docs   DC-09: {HOST}:{live.dc09_port}")
    out.print(f"{live.panels} simulerte alarmsentraler sender / simulated panels are sending.")
    for login in demo_logins:
        out.print(f"  {login.role.value:<17} {login.username:<32} passord: {login.password}")
    out.print("Ctrl-C stopper / stops.\n")
