"""Group commit: messages from every panel connection wait here for the next transaction.

Each connection hands its messages to :meth:`StoreSink.__call__` and waits. One writer
takes everything waiting, stores it in one transaction (one fsync for many panels), and only
then wakes the connections, which send their ACKs. While a transaction commits, the next
batch gathers; under load, batches grow and the cost of each fsync is shared.

Heartbeats and periodic tests are not events: they tell us a panel is alive (site health).
Their last-seen times are kept in memory and written at least once a second, with the next
batch or on their own, so a heartbeat is acknowledged at once. A receiver killed between
two writes forgets at most a second of last-seen times, which supervision, counting in
minutes or hours, does not notice; no alarm or arm/disarm event is ever acknowledged before
it is stored.
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
from alarmvern.intake.signals import Effect, Signal, signals
from alarmvern.sia.protocol import Message

log = logging.getLogger(__name__)

MAX_BATCH = 20_000  # signals per transaction
SEEN_EVERY = 1.0  # seconds: the longest a last-seen time waits in memory

Waiting = tuple[list[Signal], int, asyncio.Future[None]]  # signals, messages, the ACK's gate


@dataclass
class Totals:
    messages: int = 0
    events: int = 0
    duplicates: int = 0
    incidents: int = 0
    transactions: int = 0


class StoreSink:
    """A ``Sink`` for :mod:`alarmvern.sia.server` that stores events before it returns."""

    def __init__(self, engine: Engine, *, max_batch: int = MAX_BATCH) -> None:
        self.engine = engine
        self.max_batch = max_batch
        self.directory = Directory()
        self.totals = Totals()
        self._waiting: deque[Waiting] = deque()
        self._seen: dict[str, datetime] = {}
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._closing = False

    async def __call__(self, messages: Sequence[Message]) -> None:
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._run())
        now = datetime.now(UTC)
        found: list[Signal] = []
        for message in messages:
            self._seen[message.account] = now
            found += signals(message, now)
        if all(s.effect is Effect.health for s in found):
            self.totals.messages += len(messages)
            return  # site health only: written within SEEN_EVERY, acknowledged now
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting.append((found, len(messages), done))
        self._wake.set()
        await done

    async def close(self) -> None:
        """Write what is waiting (last-seen times included), then stop the writer."""
        if self._task is None or self._task.done():
            return
        # A flag, not task.cancel(): a cancel arriving as the wake-up completes can be lost
        # inside asyncio.wait_for, and the writer would then never stop.
        self._closing = True
        self._wake.set()
        await self._task

    async def _run(self) -> None:
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), SEEN_EVERY)
            self._wake.clear()
            while self._waiting or self._seen:
                batch, seen = self._take(), self._take_seen()
                try:
                    await asyncio.to_thread(self._store, batch, seen)
                except Exception as exc:  # the panels get no ACK and send again
                    log.error("intake: a batch of %d signals was not stored: %s",
                              sum(len(s) for s, _, _ in batch), type(exc).__name__)  # fmt: skip
                    for account, at in seen.items():
                        self._seen.setdefault(account, at)
                    for _, _, done in batch:
                        if not done.done():
                            done.set_exception(exc)
                    break
                for _, _, done in batch:
                    if not done.done():
                        done.set_result(None)
            if self._closing:
                return

    def _take(self) -> list[Waiting]:
        taken: list[Waiting] = []
        count = 0
        while self._waiting and count < self.max_batch:
            item = self._waiting.popleft()
            taken.append(item)
            count += len(item[0])
        return taken

    def _take_seen(self) -> dict[str, datetime]:
        seen, self._seen = self._seen, {}
        return seen

    def _store(self, batch: list[Waiting], seen: dict[str, datetime]) -> None:
        found = [signal for signals_, _, _ in batch for signal in signals_]
        now = datetime.now(UTC)
        with self.engine.begin() as conn:
            written = writer.write(conn, self.directory, found, seen, now)
        self.totals.messages += sum(count for _, count, _ in batch)
        self.totals.events += written.events
        self.totals.duplicates += written.duplicates
        self.totals.incidents += written.incidents
        self.totals.transactions += 1
