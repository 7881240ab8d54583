"""One panel's TCP connection as an asyncio protocol: no task, no stream and no timer per read.

A panel sends a frame and waits for its answer, so every read is one frame or a few, from
thousands of panels at once. Each read is parsed where it arrives (``data_received``); what
needs no waiting (a heartbeat, a refusal) is answered there and then. Messages that must be
stored first go to the receiver's sink, reading stops, and the answers are written once the
sink says they are stored, in the order the frames came. The connection's timeouts (no
message within the idle timeout, a frame left unfinished) share one timer, moved only when
it fires: a busy panel costs one timer callback per idle timeout, not one per frame.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any, cast

from .logs import CauseLog
from .protocol import Event, Message

if TYPE_CHECKING:
    from collections.abc import Sequence
    from datetime import datetime

    from .server import Limits, Receiver

log = logging.getLogger("alarmvern.sia.server")


def _causes() -> CauseLog:
    from . import server  # the server's memory of causes (tests give it a fresh one)

    return server.causes


class PanelConnection(asyncio.Protocol):
    """A TCP connection from one panel (or one TLS terminator speaking for many)."""

    def __init__(self, receiver: Receiver) -> None:
        self.receiver = receiver
        self.limits = receiver.limits
        self.loop = asyncio.get_running_loop()
        self.peer = next(receiver._ids)
        self.transport: asyncio.Transport | None = None
        self.address = "?"
        self.connection = receiver._connection()
        self.budget: _Budget | None = None
        self.partial_since: float | None = None
        self._storing = False  # a read's messages are with the sink
        self._unread = False  # bytes arrived meanwhile, not yet parsed
        self._eof = False
        self._paused: set[str] = set()  # why reading is paused: "store", "write"
        self._timer: asyncio.TimerHandle | None = None
        self._timer_at = 0.0
        self._stall: asyncio.TimerHandle | None = None

    # asyncio's callbacks

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)
        peername = transport.get_extra_info("peername")
        self.address = str(peername[0]) if isinstance(peername, tuple) and peername else "?"
        refusal = self.receiver._admit_connection(self)
        if refusal is not None:
            _causes().log(logging.WARNING, *refusal)
            self.transport.close()
            self.transport = None
            return
        self.budget = _Budget(self.limits, self.loop.time())
        self._arm(self._deadline())

    def data_received(self, data: bytes) -> None:
        if self.transport is None or self.transport.is_closing():
            return
        self.connection.receive_data(data)
        if self._storing:
            self._unread = True
            return
        self._read()

    def eof_received(self) -> bool:
        self._eof = True
        return self._storing  # keep the socket for the ACKs still to come, then close

    def pause_writing(self) -> None:
        # The panel does not take what we write: read nothing more until it does, and cut it
        # off after the write timeout.
        self._pause("write")
        self._stall = self.loop.call_later(self.limits.write_timeout, self._stalled)

    def resume_writing(self) -> None:
        if self._stall is not None:
            self._stall.cancel()
            self._stall = None
        self._resume("write")

    def connection_lost(self, exc: Exception | None) -> None:
        for handle in (self._timer, self._stall):
            if handle is not None:
                handle.cancel()
        self._timer = self._stall = None
        if self.budget is not None:  # it was admitted
            self.receiver._release_connection(self)
            if exc is not None:
                name = type(exc).__name__
                _causes().log(logging.INFO, f"ended: {name}",
                              "peer %d: connection ended (%s)", self.peer, name)  # fmt: skip
        self.transport = None

    # Reading, storing, answering

    def _read(self) -> None:
        now = self.receiver.clock()
        events = self.connection.next_events(now)
        messages = [event for event in events if isinstance(event, Message)]
        if messages:
            waiting = self.receiver._store(messages)
            if waiting is not None:
                self._storing = True
                self._pause("store")
                waiting.add_done_callback(lambda done: self._stored(done, events))
                return
        self._answer(events, bool(messages), now)

    def _stored(self, done: asyncio.Future[Any], events: list[Event]) -> None:
        self._storing = False
        if self.transport is None or self.transport.is_closing():
            return  # closed meanwhile (the receiver is stopping): the panel sends again
        error: BaseException | None = asyncio.CancelledError() if done.cancelled() else None
        error = error or done.exception()
        if error is not None:
            name = type(error).__name__
            _causes().log(logging.ERROR, f"store: {name}",
                          "peer %d: storing failed (%s); closing without ACK", self.peer, name,
                          exc_info=error)  # fmt: skip
            self.transport.close()
            return
        self._answer(events, True)  # the ACKs' time read now, after the commit
        if self.transport is None or self.transport.is_closing():
            return
        self._resume("store")
        if self._unread:
            self._unread = False
            self._read()
        if self._eof and not self._storing and self.transport is not None:
            self.transport.close()

    def _answer(self, events: list[Event], any_message: bool, now: datetime | None = None) -> None:
        transport, budget = self.transport, self.budget
        assert transport is not None and budget is not None
        reply = self.receiver.replies(self.connection, events, self.peer, now)
        spent = budget.spend(events, any_message, self.connection.discarded, self.loop.time())
        if reply:
            transport.write(reply)
        if spent is not None:
            _causes().log(logging.INFO, spent, "peer %d: %s, closing", self.peer, spent)
            transport.close()
            return
        if not self.connection.buffered:
            self.partial_since = None
        elif self.partial_since is None:
            self.partial_since = self.loop.time()
            if self.partial_since + self.limits.frame_timeout < self._timer_at:
                self._arm(self._deadline())

    # Timeouts

    def _deadline(self) -> float:
        assert self.budget is not None
        at = self.budget.last_message + self.limits.idle_timeout
        if self.partial_since is not None:
            at = min(at, self.partial_since + self.limits.frame_timeout)
        return at

    def _arm(self, at: float) -> None:
        if self._timer is not None:
            self._timer.cancel()
        self._timer, self._timer_at = self.loop.call_at(at, self._expired), at

    def _expired(self) -> None:
        self._timer = None
        if self.transport is None or self.transport.is_closing():
            return
        now = self.loop.time()
        if self._storing:  # reads have no timeout while the sink stores them
            self._arm(max(self._deadline(), now + 1.0))
            return
        deadline = self._deadline()
        if now < deadline:
            self._arm(deadline)
            return
        why = "no message within the idle timeout"
        why = why if self.partial_since is None else "a frame left unfinished"
        _causes().log(logging.INFO, why, "peer %d: %s, closing", self.peer, why)
        self.transport.close()

    def _stalled(self) -> None:
        self._stall = None
        if self.transport is not None and not self.transport.is_closing():
            _causes().log(logging.INFO, "ended: TimeoutError",
                          "peer %d: connection ended (%s)", self.peer, "TimeoutError")  # fmt: skip
            self.transport.abort()

    def _pause(self, why: str) -> None:
        if not self._paused and self.transport is not None:
            self.transport.pause_reading()
        self._paused.add(why)

    def _resume(self, why: str) -> None:
        self._paused.discard(why)
        if not self._paused and self.transport is not None and not self.transport.is_closing():
            self.transport.resume_reading()


class _Budget:
    """A connection's garbage budget, renewed by every message."""

    def __init__(self, limits: Limits, now: float) -> None:
        self.limits = limits
        self.last_message = now
        self.discarded_before = 0  # garbage bytes counted up to the last message
        self.refused = 0

    def spend(
        self, events: Sequence[Event], any_message: bool, discarded: int, now: float
    ) -> str | None:
        """Account for one read's ``events`` (``any_message``: one of them is a Message); the
        reason to close, or None."""
        if any_message:
            self.last_message, self.discarded_before, self.refused = now, discarded, 0
            return None
        self.refused += len(events)
        if discarded - self.discarded_before > self.limits.max_garbage_bytes:
            return "garbage budget spent (bytes that form no frame)"
        if self.refused > self.limits.max_refused_frames:
            return "garbage budget spent (refused frames)"
        return None
