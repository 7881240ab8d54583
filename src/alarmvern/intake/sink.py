"""Group commit: messages from every panel connection wait here for the next transaction.

Each connection hands its messages to :meth:`StoreSink.__call__` and waits. One writer
takes everything waiting, stores it in one transaction (one fsync for many panels), and only
then wakes the connections, which send their ACKs. While a transaction commits, the next
batch gathers; under load, batches grow and the cost of each fsync is shared.

Heartbeats and periodic tests are not events: they tell us a panel is alive (site health).
Their last-seen times are kept in memory and written once a second, with the batch then
due or on their own, so a heartbeat is acknowledged at once. A receiver killed between
two writes forgets at most a second of last-seen times, which supervision, counting in
minutes or hours, does not notice; no alarm or arm/disarm event is ever acknowledged before
it is stored.

A batch the database refuses is tried again in halves, and each half that fails in halves
again, until every storable message is stored (and acknowledged) and each one that fails alone
is answered as not stored (its connection closes without an ACK). ``RETRIES`` bounds the extra
transactions one failed batch may cost; a frame that fails alone ``admission.POISON_AFTER``
times is refused with DUH when it comes again, so its panel stops sending it.

A batch for which the database could not be reached, or whose connection broke (the primary
died and the cluster fails over, perhaps during its COMMIT), is not split: it is tried again
whole, on a new connection, which the multi-host URL's ``target_session_attrs=read-write``
points at the new primary, until it goes in or ``RECONNECT_FOR`` has passed. Whether the lost
COMMIT went in does not matter: the writer finds frames already stored by their frame keys
and neither stores them again nor opens their incidents again, so the retry loses nothing and
doubles nothing. The panels wait for their ACKs meanwhile, and resend, as they do.

A clear frame from an account with a key (where its encryption is not required) is stored
flagged and never counts as the panel's sign of life; nor does any frame from an account no
site has.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

import psycopg
from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError

from alarmvern.intake import writer
from alarmvern.intake.admission import Admission
from alarmvern.intake.directory import Directory
from alarmvern.intake.signals import Signal, health_only, signals
from alarmvern.sia.protocol import Message

log = logging.getLogger(__name__)

MAX_BATCH = 20_000  # signals per transaction
SEEN_EVERY = 1.0  # seconds: the longest a last-seen time waits in memory
RETRIES = 40  # transactions one failed batch may cost in retries: 2 × log2(MAX_BATCH) and some
RECONNECT_FOR = 60.0  # seconds a batch waits for an unreachable database (a failover: ~10-30)
RECONNECT_PAUSE = (0.1, 1.0)  # seconds between those tries: the first, and at most

Waiting = tuple[list[Signal], Message, asyncio.Future[None]]  # signals, message, the ACK's gate


@dataclass
class Totals:
    messages: int = 0
    events: int = 0
    duplicates: int = 0
    incidents: int = 0
    transactions: int = 0


class StoreSink:
    """A ``Sink`` for :mod:`alarmvern.sia.server` that stores events before it returns."""

    def __init__(
        self, engine: Engine, *, max_batch: int = MAX_BATCH, admission: Admission | None = None
    ) -> None:
        self.engine = engine
        self.max_batch = max_batch
        self.admission = admission
        self.directory = Directory()
        self.totals = Totals()
        self._waiting: deque[Waiting] = deque()
        self._seen: dict[str, datetime] = {}
        self._seen_written = 0.0  # time.monotonic() of the last last-seen write
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._closing = False

    async def __call__(self, messages: Sequence[Message]) -> None:
        waiting = self.submit(messages)
        if waiting is not None:
            await waiting

    def submit(self, messages: Sequence[Message]) -> asyncio.Future[Any] | None:
        """Take ``messages`` in: None when nothing of them waits (heartbeats and tests, whose
        last-seen times are written within ``SEEN_EVERY``), else a future done once every one
        of them is stored (or failed with the error that kept one out). Called in the event
        loop, without a task: the receiver answers a heartbeat in the read that brought it."""
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._run())
        now = datetime.now(UTC)
        gates: list[asyncio.Future[None]] = []
        health = 0
        for message in messages:
            downgraded = self._downgraded(message)  # allowed by its settings, never trusted
            if not downgraded:
                self._seen[message.account] = now
            if health_only(message):
                health += 1  # site health only: written within SEEN_EVERY, acknowledged now
                continue
            found = signals(message, now)
            if downgraded:
                found = [replace(signal, odd=True) for signal in found]
            done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            self._waiting.append((found, message, done))
            gates.append(done)
        self.totals.messages += health
        if not gates:
            return None
        self._wake.set()
        return gates[0] if len(gates) == 1 else asyncio.gather(*gates)

    def _downgraded(self, message: Message) -> bool:
        """A clear frame from an account that has a key."""
        return (
            self.admission is not None
            and not message.encrypted
            and self.admission.keyed(message.account)
        )

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
            while self._waiting or self._seen_due():
                batch = self._take()
                seen = self._take_seen() if self._seen_due() else self._seen_of(batch)
                flags = self.admission.take_limited() if self.admission else {}
                failed = await asyncio.to_thread(self._store_all, batch, seen, flags)
                if failed is None:
                    self._answer(batch, {})
                    continue
                for account, at in seen.items():  # written with the next batch
                    self._seen.setdefault(account, at)
                if self.admission is not None:
                    for account, at in flags.items():
                        self.admission.limited.setdefault(account, at)
                self._answer(batch, failed)
                if len(failed) == len(batch):
                    break  # nothing went in: wait a moment before the next try
            if self._closing:
                return

    def _answer(self, batch: list[Waiting], failed: dict[int, BaseException]) -> None:
        for index, (_, message, done) in enumerate(batch):
            if done.done():
                continue
            if index in failed:
                if self.admission is not None and _poison(failed[index]):
                    self.admission.failed(message)
                done.set_exception(failed[index])
            else:
                done.set_result(None)

    def _take(self) -> list[Waiting]:
        taken: list[Waiting] = []
        count = 0
        while self._waiting and count < self.max_batch:
            item = self._waiting.popleft()
            taken.append(item)
            count += len(item[0])
        return taken

    def _seen_due(self) -> bool:
        """Whether the last-seen times are to go with this batch: once a second (a batch a
        few milliseconds apart need not write the same thousand panels again), and at close."""
        if not self._seen:
            return False
        return self._closing or time.monotonic() - self._seen_written >= SEEN_EVERY

    def _seen_of(self, batch: list[Waiting]) -> dict[str, datetime]:
        """The last-seen times of the batch's own panels: a panel whose event is stored has
        its last-seen time in the same transaction."""
        accounts = {message.account for _, message, _ in batch}
        return {a: self._seen.pop(a) for a in accounts if a in self._seen}

    def _take_seen(self) -> dict[str, datetime]:
        seen, self._seen = self._seen, {}
        self._seen_written = time.monotonic()
        return seen

    def _store_all(
        self, batch: list[Waiting], seen: dict[str, datetime], flags: dict[str, datetime]
    ) -> dict[int, BaseException] | None:
        """Store ``batch``; None when it all went in, else the messages (by index) not stored.

        The whole batch first, in one transaction; if that fails, in halves, each failing
        half in halves again, within ``RETRIES`` transactions. A message whose failure was
        its own (it failed alone) is marked so with ``_Alone``.
        """
        try:
            self._store(batch, seen, flags)
            return None
        except Exception as exc:  # the panels get no ACK for what is not stored
            first: BaseException = exc
        if _unreachable(first):
            again = self._store_when_back(batch, seen, flags)
            if again is None:
                return None
            first = again
        log.error("intake: a batch of %d messages was not stored (%s); retrying apart",
                  len(batch), type(first).__name__)  # fmt: skip
        failed: dict[int, BaseException] = {}
        parts = _halves(list(range(len(batch)))) if len(batch) > 1 else []
        budget = RETRIES
        while parts:
            part = parts.pop()
            if budget == 0:
                failed.update((index, first) for index in part)
                continue
            budget -= 1
            try:
                self._store([batch[i] for i in part], {}, {})
            except Exception as exc:
                if len(part) == 1:
                    failed[part[0]] = _Alone(exc)
                else:
                    parts.extend(_halves(part))
        if len(batch) == 1:
            failed[0] = _Alone(first)
        if failed:
            log.error("intake: %d of %d messages not stored after retrying apart",
                      len(failed), len(batch))  # fmt: skip
        return failed

    def _store_when_back(
        self, batch: list[Waiting], seen: dict[str, datetime], flags: dict[str, datetime]
    ) -> BaseException | None:
        """The whole batch again while the database cannot be reached, within
        ``RECONNECT_FOR`` (or until the receiver is stopped); None once it went in, else the
        error that ended the tries."""
        log.warning("intake: the database is unreachable; holding %d messages until it is back",
                    len(batch))  # fmt: skip
        started = time.monotonic()
        pause = RECONNECT_PAUSE[0]
        while True:
            time.sleep(pause)
            pause = min(pause * 2, RECONNECT_PAUSE[1])
            try:
                self._store(batch, seen, flags)
            except Exception as exc:
                late = time.monotonic() - started > RECONNECT_FOR
                if not _unreachable(exc) or late or self._closing:  # closing: panels resend
                    return exc
                continue
            log.warning("intake: the database is back after %.1f s; the batch is stored",
                        time.monotonic() - started)  # fmt: skip
            return None

    def _store(
        self, batch: list[Waiting], seen: dict[str, datetime], flags: dict[str, datetime]
    ) -> None:
        found = [signal for signals_, _, _ in batch for signal in signals_]
        now = datetime.now(UTC)
        with self.engine.begin() as conn:
            written = writer.write(conn, self.directory, found, seen, now)
            writer.flag_rate_limited(conn, flags)
        self.totals.messages += len(batch)
        self.totals.events += written.events
        self.totals.duplicates += written.duplicates
        self.totals.incidents += written.incidents
        self.totals.transactions += 1


class _Alone(Exception):
    """A message failed alone in its transaction: the fault is its own."""

    def __init__(self, cause: BaseException) -> None:
        super().__init__(f"not stored: {type(cause).__name__}")
        self.cause = cause


def _poison(error: BaseException) -> bool:
    """Whether ``error`` is this message's own fault: it failed alone, and the database said
    the row itself is wrong (DB-API IntegrityError or DataError, whichever driver raised it),
    not that the database is unreachable, locked or full (those pass, and must not end in a
    refusal of the frame)."""
    if not isinstance(error, _Alone):
        return False
    cause = error.cause
    names = {kind.__name__ for kind in type(cause).__mro__}
    origin = getattr(cause, "orig", None)  # SQLAlchemy wraps the driver's error
    if origin is not None:
        names |= {kind.__name__ for kind in type(origin).__mro__}
    return bool(names & {"IntegrityError", "DataError"})


def _unreachable(error: BaseException) -> bool:
    """Whether ``error`` says the database is out of reach rather than the batch wrong: the
    connection broke (SQLAlchemy invalidated it), none could be made (no host answered as
    read-write: the cluster is between primaries), or the server is shutting down, starting
    up or read-only (a demoted primary). SQLite's errors are never this."""
    if isinstance(error, DBAPIError) and error.connection_invalidated:
        return True
    origin = getattr(error, "orig", error)
    if not isinstance(origin, psycopg.Error):
        return False
    state = origin.sqlstate
    if state is None:  # raised by libpq itself: no connection, or it was lost
        return isinstance(origin, psycopg.OperationalError | psycopg.InterfaceError)
    return state.startswith(("08", "57P")) or state == "25006"  # 25006: read-only


def _halves(part: list[int]) -> list[list[int]]:
    middle = len(part) // 2
    return [part[:middle], part[middle:]]
