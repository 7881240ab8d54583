"""The asyncio shell: ACK after storing, batching, faults, timeouts, limits, UDP, simulator."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime

from alarmvern.sia.protocol import Message, build_frame, parse_key
from alarmvern.sia.server import Limits, Receiver, serve
from alarmvern.sia.simulate import panel_accounts, simulate

HOST = "127.0.0.1"


class MemorySink:
    """Stores batches in a list; ``gate`` (if set) holds every call until it is set."""

    def __init__(self, gate: asyncio.Event | None = None, fail: bool = False) -> None:
        self.batches: list[list[Message]] = []
        self.gate = gate
        self.fail = fail

    async def __call__(self, messages: Sequence[Message]) -> None:
        if self.gate is not None:
            await self.gate.wait()
        if self.fail:
            raise OSError("disk full")
        self.batches.append(list(messages))


def _frame(sequence: int, data: str = "Nri1/BA001") -> bytes:
    stamp = datetime.now(UTC)
    return build_frame(
        "SIA-DCS", f"{sequence:04d}", "0", account="1234", data=data, timestamp=stamp
    )


def _run(test: Callable[[], Awaitable[None]]) -> None:
    asyncio.run(asyncio.wait_for(test(), 5))


async def _read_frames(reader: asyncio.StreamReader, count: int) -> list[bytes]:
    frames = []
    for _ in range(count):
        frames.append(await asyncio.wait_for(reader.readuntil(b"\r"), 2))
    return frames


def test_ack_is_written_only_after_the_sink_returns() -> None:
    async def test() -> None:
        gate = asyncio.Event()
        sink = MemorySink(gate)
        async with await serve(HOST, 0, sink=sink) as receiver:
            reader, writer = await asyncio.open_connection(HOST, receiver.tcp_port)
            writer.write(_frame(1))
            pending = asyncio.ensure_future(reader.read(100))
            await asyncio.sleep(0.2)
            assert not pending.done() and sink.batches == []
            gate.set()
            ack = await asyncio.wait_for(pending, 2)
            assert b'"ACK"0001L0#1234[]' in ack
            assert len(sink.batches) == 1
            writer.close()

    _run(test)


def test_frames_from_one_read_reach_the_sink_as_one_batch() -> None:
    async def test() -> None:
        sink = MemorySink()
        async with await serve(HOST, 0, sink=sink) as receiver:
            reader, writer = await asyncio.open_connection(HOST, receiver.tcp_port)
            writer.write(_frame(1) + _frame(2) + _frame(3))
            acks = await _read_frames(reader, 3)
            assert [ack[14:18] for ack in acks] == [b"0001", b"0002", b"0003"]
            assert [[m.sequence for m in batch] for batch in sink.batches] == [
                ["0001", "0002", "0003"]
            ]
            writer.close()

    _run(test)


def test_bad_frame_then_good_frame_on_one_connection() -> None:
    async def test() -> None:
        sink = MemorySink()
        async with await serve(HOST, 0, sink=sink) as receiver:
            reader, writer = await asyncio.open_connection(HOST, receiver.tcp_port)
            bad = bytearray(_frame(1))
            bad[1:5] = b"0000" if bad[1:5] != b"0000" else b"FFFF"
            writer.write(bytes(bad))
            [nak] = await _read_frames(reader, 1)
            assert b'"NAK"0000R0L0A0[]_' in nak
            writer.write(_frame(2))
            [ack] = await _read_frames(reader, 1)
            assert b'"ACK"0002' in ack
            assert [m.sequence for batch in sink.batches for m in batch] == ["0002"]
            writer.close()

    _run(test)


def test_idle_connection_is_closed() -> None:
    async def test() -> None:
        async with await serve(HOST, 0, sink=MemorySink(), idle_timeout=0.2) as receiver:
            reader, writer = await asyncio.open_connection(HOST, receiver.tcp_port)
            assert await asyncio.wait_for(reader.read(10), 2) == b""
            writer.close()

    _run(test)


def test_a_peer_trickling_a_frame_byte_by_byte_is_closed() -> None:
    async def test() -> None:
        limits = Limits(idle_timeout=10.0, frame_timeout=0.3)
        receiver = Receiver(MemorySink(), None, limits=limits)
        await receiver.start(HOST, 0)
        async with receiver:
            reader, writer = await asyncio.open_connection(HOST, receiver.tcp_port)
            began = asyncio.get_running_loop().time()
            closed = False
            for byte in _frame(1)[:-1]:  # never the final CR: the frame is never complete
                writer.write(bytes([byte]))
                await writer.drain()
                try:
                    closed = await asyncio.wait_for(reader.read(10), 0.05) == b""
                except TimeoutError:
                    continue
                if closed:
                    break
            assert closed
            assert asyncio.get_running_loop().time() - began < 2.0
            writer.close()

    _run(test)


def test_connections_beyond_the_limit_are_refused() -> None:
    async def test() -> None:
        async with await serve(HOST, 0, sink=MemorySink(), max_connections=1) as receiver:
            _, first = await asyncio.open_connection(HOST, receiver.tcp_port)
            await asyncio.sleep(0.05)
            second_reader, second = await asyncio.open_connection(HOST, receiver.tcp_port)
            assert await asyncio.wait_for(second_reader.read(10), 2) == b""
            first.close()
            second.close()

    _run(test)


def test_failing_sink_means_no_ack_and_a_closed_connection() -> None:
    async def test() -> None:
        async with await serve(HOST, 0, sink=MemorySink(fail=True)) as receiver:
            reader, writer = await asyncio.open_connection(HOST, receiver.tcp_port)
            writer.write(_frame(1))
            assert await asyncio.wait_for(reader.read(100), 2) == b""
            writer.close()

    _run(test)


def test_udp_datagram_gets_its_ack() -> None:
    class Client(asyncio.DatagramProtocol):
        def __init__(self) -> None:
            self.replies: asyncio.Queue[bytes] = asyncio.Queue()

        def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
            self.replies.put_nowait(data)

    async def test() -> None:
        sink = MemorySink()
        async with await serve(HOST, 0, sink=sink, protocol="udp") as receiver:
            loop = asyncio.get_running_loop()
            transport, client = await loop.create_datagram_endpoint(
                Client, remote_addr=(HOST, receiver.udp_port)
            )
            transport.sendto(_frame(7))
            reply = await asyncio.wait_for(client.replies.get(), 2)
            assert b'"ACK"0007L0#1234[]' in reply
            assert len(sink.batches) == 1
            transport.close()

    _run(test)


def test_simulated_panels_are_all_acked_and_stored() -> None:
    async def test() -> None:
        sink = MemorySink()
        keys = {account: parse_key(key, "hex") for account, key in panel_accounts(4, seed=3)}
        async with Receiver(sink, keys) as receiver:
            await receiver.start(HOST, 0, "both")
            for protocol, port in (("tcp", receiver.tcp_port), ("udp", receiver.udp_port)):
                stats = await simulate(HOST, port, panels=4, rate=40, duration=0.5, seed=3,
                                       protocol=protocol)  # fmt: skip
                assert stats.sent > 5
                assert stats.acked == stats.sent == len(stats.latencies)
                assert stats.naks == stats.duhs == stats.failed == 0
        stored = {m.account for batch in sink.batches for m in batch}
        assert stored <= set(keys) and len(stored) > 1
        assert all(m.encrypted for batch in sink.batches for m in batch)

    _run(test)


def test_panel_accounts_are_deterministic_and_distinct() -> None:
    accounts = panel_accounts(50, seed=9)
    assert accounts == panel_accounts(50, seed=9) != panel_accounts(50, seed=10)
    assert len({account for account, _ in accounts}) == 50
    assert all(len(parse_key(key, "hex")) == 32 for _, key in accounts)
