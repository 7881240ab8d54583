"""Group commit: messages from every panel connection wait here for the next transaction.

Each connection hands its messages to :meth:`StoreSink.__call__` and waits. One writer
takes everything waiting, stores it in one transaction (one fsync for many panels), and only
then wakes the connections, which send their ACKs. While a transaction commits, the next
batch gathers; under load, batches grow and the cost of each fsync is shared.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Engine

from alarmvern.intake import writer
from alarmvern.intake.directory import Directory
from alarmvern.intake.signals import signals
from alarmvern.sia.protocol import Message

log = logging.getLogger(__name__)

MAX_BATCH = 20_000  # messages per transaction


@dataclass
class Totals:
    messages: int = 0
    events: int = 0
    duplicates: int = 0
    incidents: int = 0
    transactions: int = 0


class StoreSink:
    """A ``Sink`` for :mod:`alarmvern.sia.server` that stores before it returns."""

    def __init__(self, engine: Engine, *, max_batch: int = MAX_BATCH) -> None:
        self.engine = engine
        self.max_batch = max_batch
        self.directory = Directory()
        self.totals = Totals()
        self._waiting: deque[tuple[Sequence[Message], asyncio.Future[None]]] = deque()
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def __call__(self, messages: Sequence[Message]) -> None:
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._run())
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting.append((messages, done))
        self._wake.set()
        await done

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            while self._waiting:
                batch = self._take()
                try:
                    await asyncio.to_thread(self._store, [m for ms, _ in batch for m in ms])
                except Exception as exc:  # the panels get no ACK and send again
                    log.error(
                        "intake: a batch of %d messages was not stored: %s",
                        sum(len(ms) for ms, _ in batch),
                        type(exc).__name__,
                    )
                    for _, done in batch:
                        if not done.done():
                            done.set_exception(exc)
                    continue
                for _, done in batch:
                    if not done.done():
                        done.set_result(None)

    def _take(self) -> list[tuple[Sequence[Message], asyncio.Future[None]]]:
        taken: list[tuple[Sequence[Message], asyncio.Future[None]]] = []
        count = 0
        while self._waiting and count < self.max_batch:
            item = self._waiting.popleft()
            taken.append(item)
            count += len(item[0])
        return taken

    def _store(self, messages: list[Message]) -> None:
        now = datetime.now(UTC)
        seen: dict[str, datetime] = {}
        found = []
        for message in messages:
            seen[message.account] = now
            found += signals(message, now)
        with self.engine.begin() as conn:
            written = writer.write(conn, self.directory, found, seen, now)
        self.totals.messages += len(messages)
        self.totals.events += written.events
        self.totals.duplicates += written.duplicates
        self.totals.incidents += written.incidents
        self.totals.transactions += 1
