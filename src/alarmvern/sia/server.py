"""The asyncio shell around the DC-09 core: TCP and UDP listeners.

For every read (TCP) or datagram (UDP) the messages parsed from it go to the
sink in one call; the sink returns once they are durably stored, and only then
are the ACKs written. Logs carry account numbers and sequence numbers, never
message content or peer addresses, and are written once per cause (``logs.CauseLog``).

What keeps a TCP connection open is messages, not bytes: a connection is closed
when no message arrived within the idle timeout, when a frame begun is not
finished within the frame timeout, or when it spends its garbage budget (bytes
that form no frame, frames that are refused) before its next message. Each
source address may hold only so many connections, within the global cap.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal, cast

from .logs import CauseLog
from .protocol import Connection, Event, KeyLookup, Message, Policy, ProtocolError
from .protocol.message import DEFAULT_POLICY

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
        self._tasks: set[asyncio.Task[None]] = set()
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
            self._tcp = await asyncio.start_server(self._on_tcp, host, port, reuse_port=reuse)
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
        return len(self._tasks)

    async def close(self) -> None:
        """Stop listening and end every open connection."""
        if self._tcp is not None:
            self._tcp.close()
        if self._udp is not None:
            self._udp.close()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._tcp is not None:
            await self._tcp.wait_closed()

    async def __aenter__(self) -> Receiver:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    def _track(self, task: asyncio.Task[None]) -> None:
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _connection(self) -> Connection:
        return Connection(self.keys, max_frame=self.limits.max_buffer, policy=self.policy)

    async def answer(self, connection: Connection, events: list[Event], peer: int) -> bytes:
        """Store the messages among ``events`` through the sink, then build every reply."""
        messages = [event for event in events if isinstance(event, Message)]
        if messages:
            await self.sink(messages)
        now = self.clock()
        replies: list[bytes] = []
        for event in events:
            if isinstance(event, Message):
                log.debug("peer %d: account %s seq %s stored", peer, event.account, event.sequence)
                replies.append(connection.ack(event, now))
            else:
                _log_error(peer, event)
                reply = connection.reply(event, now)
                replies.extend([reply] if reply else [])
        return b"".join(replies)

    async def _on_tcp(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        peer = next(self._ids)
        address = _address(writer)
        if len(self._tasks) >= self.limits.max_connections:
            causes.log(logging.WARNING, "refused: cap", "peer %d refused: %d connections open",
                       peer, len(self._tasks))  # fmt: skip
            writer.close()
            return
        if (
            address not in self.limits.uncapped_addresses
            and self._per_address[address] >= self.limits.max_per_address
        ):
            causes.log(logging.WARNING, "refused: address",
                       "peer %d refused: its address holds %d connections", peer,
                       self._per_address[address])  # fmt: skip
            writer.close()
            return
        self._track(task)
        self._per_address[address] += 1
        try:
            await self._serve_tcp(reader, writer, peer)
        except (ConnectionError, TimeoutError) as error:
            name = type(error).__name__
            causes.log(logging.INFO, f"ended: {name}", "peer %d: connection ended (%s)", peer,
                       name)  # fmt: skip
        except asyncio.CancelledError:
            # The receiver is closing. The task ends here, normally: asyncio's stream server
            # reads each handler's result, and a cancelled one would be logged as an error.
            pass
        except Exception as error:
            name = type(error).__name__
            causes.log(logging.ERROR, f"store: {name}",
                       "peer %d: storing failed (%s); closing without ACK", peer, name,
                       exc_info=True)  # fmt: skip
        finally:
            self._per_address[address] -= 1
            if self._per_address[address] <= 0:
                del self._per_address[address]
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()

    async def _serve_tcp(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, peer: int
    ) -> None:
        connection = self._connection()
        loop = asyncio.get_running_loop()
        partial_since: float | None = None
        budget = _Budget(self.limits, loop.time())
        while True:
            wait = budget.last_message + self.limits.idle_timeout - loop.time()
            if partial_since is not None:
                wait = min(wait, partial_since + self.limits.frame_timeout - loop.time())
            try:
                # asyncio.timeout, not wait_for: wait_for wraps each read in a task of its
                # own, and a receiver reads once per frame from thousands of panels.
                async with asyncio.timeout(max(wait, 0.0)):
                    data = await reader.read(READ_SIZE)
            except TimeoutError:
                why = "no message within the idle timeout"
                why = why if partial_since is None else "a frame left unfinished"
                causes.log(logging.INFO, why, "peer %d: %s, closing", peer, why)
                return
            if not data:
                return
            connection.receive_data(data)
            events = connection.next_events(self.clock())
            reply = await self.answer(connection, events, peer)
            spent = budget.spend(events, connection.discarded, loop.time())
            if spent is not None:
                if reply:
                    await self._send(writer, reply)
                causes.log(logging.INFO, spent, "peer %d: %s, closing", peer, spent)
                return
            if not connection.buffered:
                partial_since = None
            elif partial_since is None:
                partial_since = loop.time()
            if reply:
                await self._send(writer, reply)

    async def _send(self, writer: asyncio.StreamWriter, reply: bytes) -> None:
        """Write ``reply``; wait for the panel to take it only while it has not (a panel
        that never reads is cut off after the write timeout)."""
        writer.write(reply)
        if writer.transport.get_write_buffer_size():
            async with asyncio.timeout(self.limits.write_timeout):
                await writer.drain()

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


class _Budget:
    """A connection's garbage budget, renewed by every message."""

    def __init__(self, limits: Limits, now: float) -> None:
        self.limits = limits
        self.last_message = now
        self.discarded_before = 0  # garbage bytes counted up to the last message
        self.refused = 0

    def spend(self, events: Sequence[Event], discarded: int, now: float) -> str | None:
        """Account for one read's ``events``; the reason to close, or None."""
        if any(isinstance(event, Message) for event in events):
            self.last_message, self.discarded_before, self.refused = now, discarded, 0
            return None
        self.refused += len(events)
        if discarded - self.discarded_before > self.limits.max_garbage_bytes:
            return "garbage budget spent (bytes that form no frame)"
        if self.refused > self.limits.max_refused_frames:
            return "garbage budget spent (refused frames)"
        return None


def _address(writer: asyncio.StreamWriter) -> str:
    """The peer's address, for counting only: never logged."""
    peername = writer.get_extra_info("peername")
    return str(peername[0]) if isinstance(peername, tuple) and peername else "?"


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
