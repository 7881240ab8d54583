"""The asyncio shell around the DC-09 core: TCP and UDP listeners.

For every read (TCP) or datagram (UDP) the messages parsed from it go to the
sink in one call; the sink says when they are durably stored, and only then
are the ACKs written. A TCP connection is an asyncio protocol (``tcp.py``), with
no task, stream or timer per read; a sink that says at once that nothing waits
(heartbeats) has its ACKs written in the read that brought them. Logs carry
account numbers and sequence numbers, never message content or peer addresses,
and are written once per cause (``logs.CauseLog``).

What keeps a TCP connection open is messages, not bytes: a connection is closed
when no message arrived within the idle timeout, when a frame begun is not
finished within the frame timeout, or when it spends its garbage budget (bytes
that form no frame, frames that are refused) before its next message. Each
source address may hold only so many connections, within the global cap.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal, cast

from .logs import CauseLog
from .protocol import Connection, Event, KeyLookup, Message, Policy, ProtocolError
from .protocol.message import DEFAULT_POLICY
from .tcp import PanelConnection

log = logging.getLogger(__name__)
causes = CauseLog(log)

Sink = Callable[[Sequence[Message]], Awaitable[None]]
Clock = Callable[[], datetime]
Transport = Literal["tcp", "udp", "both"]
READ_SIZE = 4096


def utc_now() -> datetime:
    """The receiver's clock."""
    return datetime.now(UTC)


@dataclass(frozen=True)
class Limits:
    """Bounds on what peers may hold: connections, idle time, buffered bytes, write time."""

    max_connections: int = 1000
    # Seconds a connection stays open without a message (bytes alone do not count).
    idle_timeout: float = 120.0
    max_buffer: int = 4096
    write_timeout: float = 10.0
    # A frame begun must be complete within this.
    frame_timeout: float = 30.0
    # Open TCP connections per source address. Generous: panels behind a carrier's NAT
    # share one address.
    max_per_address: int = 100
    # Addresses the per-address cap does not apply to: the host itself, where a local TLS
    # terminator or the simulator connects for many panels.
    uncapped_addresses: frozenset[str] = frozenset({"127.0.0.1", "::1", "::ffff:127.0.0.1"})
    # The garbage budget between two messages: bytes that form no frame, and frames
    # refused (NAK, DUH or dropped). Spending either closes the connection.
    max_garbage_bytes: int = 4096
    max_refused_frames: int = 16


class Receiver:
    """Listens for panels, hands their messages to ``sink`` and ACKs what it stored."""

    def __init__(
        self,
        sink: Sink,
        keys: KeyLookup | None = None,
        *,
        limits: Limits | None = None,
        policy: Policy = DEFAULT_POLICY,
        clock: Clock = utc_now,
    ) -> None:
        self.sink = sink
        self.keys = keys
        self.limits = limits or Limits()
        self.policy = policy
        self.clock = clock
        self._tcp: asyncio.Server | None = None
        self._udp: asyncio.DatagramTransport | None = None
        self._tasks: set[asyncio.Future[None]] = set()  # datagrams, and a plain sink's calls
        self._open: set[PanelConnection] = set()  # TCP connections
        self._ids = itertools.count(1)
        self._per_address: Counter[str] = Counter()

    async def start(
        self, host: str, port: int, transport: Transport = "tcp", *, reuse_port: bool = False
    ) -> None:
        """Bind the listeners; port 0 picks a free one (see ``tcp_port`` / ``udp_port``).

        With ``reuse_port`` (SO_REUSEPORT), several receivers, each in a process of its own,
        listen on the same port and the kernel shares the panels' connections among them."""
        loop = asyncio.get_running_loop()
        reuse = reuse_port or None  # asyncio's default (None) where not asked for
        if transport in ("tcp", "both"):
            self._tcp = await loop.create_server(
                lambda: PanelConnection(self), host, port, reuse_port=reuse
            )
        if transport in ("udp", "both"):
            udp_port = self.tcp_port if transport == "both" and port == 0 else port
            self._udp, _ = await loop.create_datagram_endpoint(
                lambda: _Datagrams(self), local_addr=(host, udp_port), reuse_port=reuse
            )

    @property
    def tcp_port(self) -> int:
        """The bound TCP port."""
        assert self._tcp is not None, "TCP is not listening"
        return int(self._tcp.sockets[0].getsockname()[1])

    @property
    def udp_port(self) -> int:
        """The bound UDP port."""
        assert self._udp is not None, "UDP is not listening"
        return int(self._udp.get_extra_info("sockname")[1])

    @property
    def connections(self) -> int:
        """TCP connections and UDP datagrams being handled now."""
        return len(self._open) + len(self._tasks)

    async def close(self) -> None:
        """Stop listening and end every open connection."""
        if self._tcp is not None:
            self._tcp.close()
        if self._udp is not None:
            self._udp.close()
        for panel in list(self._open):
            if panel.transport is not None:
                panel.transport.close()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._tcp is not None:
            await self._tcp.wait_closed()

    async def __aenter__(self) -> Receiver:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    def _track(self, task: asyncio.Future[None]) -> None:
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _connection(self) -> Connection:
        return Connection(self.keys, max_frame=self.limits.max_buffer, policy=self.policy)

    def _store(self, messages: list[Message]) -> asyncio.Future[Any] | None:
        """Hand ``messages`` to the sink: None when they are stored already (nothing to wait
        for), else what says when they are. A sink with ``submit`` is asked without a task
        (:class:`alarmvern.intake.sink.StoreSink`); any other is awaited in one."""
        submit = getattr(self.sink, "submit", None)
        if submit is not None:
            return cast("asyncio.Future[Any] | None", submit(messages))
        task = asyncio.ensure_future(self.sink(messages))
        self._track(task)
        return task

    def replies(
        self, connection: Connection, events: list[Event], peer: int, now: datetime | None = None
    ) -> bytes:
        """Every reply to ``events``, in order; call it once their messages are stored.
        ``now``: the receiver's time, when the caller has just read it (else read here)."""
        now = now or self.clock()
        replies: list[bytes] = []
        for event in events:
            if isinstance(event, Message):
                replies.append(connection.ack(event, now))
            else:
                _log_error(peer, event)
                reply = connection.reply(event, now)
                replies.extend([reply] if reply else [])
        return b"".join(replies)

    async def answer(self, connection: Connection, events: list[Event], peer: int) -> bytes:
        """Store the messages among ``events`` through the sink, then build every reply."""
        messages = [event for event in events if isinstance(event, Message)]
        if messages:
            waiting = self._store(messages)
            if waiting is not None:
                await waiting
        return self.replies(connection, events, peer)

    def _admit_connection(self, panel: PanelConnection) -> tuple[str, str, int, int] | None:
        """Take ``panel`` in, or the cause, message and arguments of its refusal."""
        address = panel.address
        if len(self._open) + len(self._tasks) >= self.limits.max_connections:
            count = len(self._open) + len(self._tasks)
            return "refused: cap", "peer %d refused: %d connections open", panel.peer, count
        if (
            address not in self.limits.uncapped_addresses
            and self._per_address[address] >= self.limits.max_per_address
        ):
            held = self._per_address[address]
            return ("refused: address", "peer %d refused: its address holds %d connections",
                    panel.peer, held)  # fmt: skip
        self._open.add(panel)
        self._per_address[address] += 1
        return None

    def _release_connection(self, panel: PanelConnection) -> None:
        self._open.discard(panel)
        self._per_address[panel.address] -= 1
        if self._per_address[panel.address] <= 0:
            del self._per_address[panel.address]

    def _on_datagram(
        self, transport: asyncio.DatagramTransport, data: bytes, address: tuple[str, int]
    ) -> None:
        peer = next(self._ids)
        if len(self._tasks) >= self.limits.max_connections:
            causes.log(logging.WARNING, "datagram: cap", "datagram %d dropped: %d in flight", peer,
                       len(self._tasks))  # fmt: skip
            return
        coroutine = self._serve_datagram(transport, data, address, peer)
        self._track(asyncio.get_running_loop().create_task(coroutine))

    async def _serve_datagram(
        self,
        transport: asyncio.DatagramTransport,
        data: bytes,
        address: tuple[str, int],
        peer: int,
    ) -> None:
        connection = self._connection()
        connection.receive_data(data)
        events = connection.next_events(self.clock())
        if connection.buffered:
            causes.log(logging.INFO, "datagram: no CR",
                       "datagram %d: %d bytes without a closing CR", peer,
                       connection.buffered)  # fmt: skip
        try:
            reply = await self.answer(connection, events, peer)
        except Exception as error:
            name = type(error).__name__
            causes.log(logging.ERROR, f"store: {name}", "datagram %d: storing failed (%s); no ACK",
                       peer, name, exc_info=True)  # fmt: skip
            return
        if reply and not transport.is_closing():
            transport.sendto(reply, address)


class _Datagrams(asyncio.DatagramProtocol):
    def __init__(self, receiver: Receiver) -> None:
        self.receiver = receiver
        self.transport: asyncio.DatagramTransport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # Python 3.11's selector transport does not subclass DatagramTransport.
        self.transport = cast(asyncio.DatagramTransport, transport)

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        assert self.transport is not None
        self.receiver._on_datagram(self.transport, data, addr)


def _log_error(peer: int, error: ProtocolError) -> None:
    account = error.header.account if error.header else None
    answer = error.answer.value if error.answer else "no answer"
    causes.log(logging.INFO, error.reason, "peer %d: %s at byte %d (account %s, %s)", peer,
               error.reason, error.offset, account, answer)  # fmt: skip


async def serve(
    host: str,
    port: int,
    *,
    sink: Sink,
    keys: KeyLookup | None = None,
    protocol: Transport = "tcp",
    max_connections: int = 1000,
    idle_timeout: float = 120.0,
    max_buffer: int = 4096,
    policy: Policy = DEFAULT_POLICY,
    clock: Clock = utc_now,
    limits: Limits | None = None,
    reuse_port: bool = False,
) -> Receiver:
    """Start a ``Receiver`` listening on ``host:port``; close it (or ``async with`` it) to stop.

    ``limits``, when given, replaces ``max_connections``, ``idle_timeout`` and ``max_buffer``.
    """
    limits = limits or Limits(max_connections, idle_timeout, max_buffer)
    receiver = Receiver(sink, keys, limits=limits, policy=policy, clock=clock)
    await receiver.start(host, port, protocol, reuse_port=reuse_port)
    return receiver
