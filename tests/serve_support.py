"""``alarmvern serve`` run in the test's own process until it is ready, then stopped."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from alarmvern.initialise import initialise
from alarmvern.settings import Settings
from alarmvern.system import System, open_system
from alarmvern.web.serve import Options, run

T = TypeVar("T")


def serve_until_ready(data_dir: Path, when_ready: Callable[[System], T]) -> T:
    """Serve a new store in ``data_dir`` (the web and DC-09 on free ports), call
    ``when_ready`` once all listen, stop, and return what it returned. Serving freezes the
    process's heap (:mod:`alarmvern.heap`); the test process, which lives on, is thawed."""
    settings = Settings(data_dir=data_dir, policy="default")
    initialise(settings)
    system = open_system(settings)
    stop, found = asyncio.Event(), []

    async def ready() -> None:
        found.append(when_ready(system))
        stop.set()

    options = Options(port=0, dc09_port=0, sweep_hours=10_000.0)
    try:
        asyncio.run(asyncio.wait_for(run(system, options, ready=ready, stop=stop), 240))
    finally:
        system.engine.dispose()
        gc.unfreeze()
    (answer,) = found
    return answer
