"""The asyncio shell: ACK after storing, batching, faults, timeouts, limits, UDP, simulator."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path

import pytest

from alarmvern.sia import server as server_log
from alarmvern.sia.logs import CauseLog
from alarmvern.sia.protocol import Message, build_frame, parse_key
from alarmvern.sia.server import Limits, Receiver, serve
from alarmvern.sia.simulate import (
    KEYS_VARIABLE,
    accounts_from_text,
    load_accounts,
    panel_accounts,
    simulate,
)

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


async def _closed_within(reader: asyncio.StreamReader, seconds: float) -> bool:
    try:
        return await asyncio.wait_for(reader.read(4096), seconds) == b""
    except TimeoutError:
        return False


def test_a_peer_trickling_garbage_is_closed_at_the_idle_timeout() -> None:
    """M1 / #11 item 6: garbage bytes do not count as activity, only messages do."""

    async def test() -> None:
        receiver = Receiver(MemorySink(), limits=Limits(idle_timeout=0.4, frame_timeout=10.0))
        await receiver.start(HOST, 0)
        async with receiver:
            reader, writer = await asyncio.open_connection(HOST, receiver.tcp_port)
            began = asyncio.get_running_loop().time()
            closed = False
            while not closed and asyncio.get_running_loop().time() - began < 2.0:
                writer.write(b"x\r")  # never an LF: no frame ever begins
                await writer.drain()
                closed = await _closed_within(reader, 0.05)
            assert closed
            assert asyncio.get_running_loop().time() - began < 1.0
            writer.close()

    _run(test)


def test_a_message_keeps_the_connection_open_past_the_idle_timeout() -> None:
    async def test() -> None:
        sink = MemorySink()
        limits = Limits(idle_timeout=0.3)
        async with await serve(HOST, 0, sink=sink, limits=limits) as receiver:
            reader, writer = await asyncio.open_connection(HOST, receiver.tcp_port)
            for sequence in range(1, 5):
                await asyncio.sleep(0.15)
                writer.write(_frame(sequence))
                [ack] = await _read_frames(reader, 1)
                assert f'"ACK"{sequence:04d}'.encode() in ack
            writer.close()

    _run(test)


def test_garbage_bytes_beyond_the_budget_close_the_connection() -> None:
    async def test() -> None:
        limits = Limits(idle_timeout=10.0, max_garbage_bytes=1000)
        async with await serve(HOST, 0, sink=MemorySink(), limits=limits) as receiver:
            reader, writer = await asyncio.open_connection(HOST, receiver.tcp_port)
            writer.write(b"y" * 900)
            assert not await _closed_within(reader, 0.2)
            writer.write(b"y" * 200)
            assert await _closed_within(reader, 1.0)
            writer.close()

    _run(test)


def test_refused_frames_beyond_the_budget_close_the_connection_and_a_message_renews_it() -> None:
    async def test() -> None:
        sink = MemorySink()
        limits = Limits(idle_timeout=10.0, max_refused_frames=3)
        bad = bytearray(_frame(1))
        bad[1:5] = b"0000" if bad[1:5] != b"0000" else b"FFFF"
        async with await serve(HOST, 0, sink=sink, limits=limits) as receiver:
            reader, writer = await asyncio.open_connection(HOST, receiver.tcp_port)
            for round_ in range(3):  # three NAKs, then a message: the budget starts again
                for _ in range(3):
                    writer.write(bytes(bad))
                    [nak] = await _read_frames(reader, 1)
                    assert b'"NAK"' in nak
                writer.write(_frame(round_ + 2))
                [ack] = await _read_frames(reader, 1)
                assert b'"ACK"' in ack
            writer.write(bytes(bad) * 4)
            naks = await _read_frames(reader, 4)
            assert all(b'"NAK"' in nak for nak in naks)  # answered, then closed
            assert await _closed_within(reader, 1.0)
            writer.close()

    _run(test)


def test_connections_per_address_are_capped_within_the_global_cap() -> None:
    async def test() -> None:
        limits = Limits(max_connections=10, max_per_address=2, uncapped_addresses=frozenset())
        async with await serve(HOST, 0, sink=MemorySink(), limits=limits) as receiver:
            first = await asyncio.open_connection(HOST, receiver.tcp_port)
            second = await asyncio.open_connection(HOST, receiver.tcp_port)
            await asyncio.sleep(0.05)
            third_reader, third = await asyncio.open_connection(HOST, receiver.tcp_port)
            assert await _closed_within(third_reader, 1.0)
            assert receiver.connections == 2
            first[1].close()
            await asyncio.sleep(0.1)
            fourth_reader, fourth = await asyncio.open_connection(HOST, receiver.tcp_port)
            fourth.write(_frame(1))
            [ack] = await _read_frames(fourth_reader, 1)  # a slot freed is a slot to use
            assert b'"ACK"0001' in ack
            for writer in (second[1], third, fourth):
                writer.close()

    _run(test)


def test_the_host_itself_is_not_capped_per_address() -> None:
    async def test() -> None:
        limits = Limits(max_connections=10, max_per_address=1)
        async with await serve(HOST, 0, sink=MemorySink(), limits=limits) as receiver:
            opened = [await asyncio.open_connection(HOST, receiver.tcp_port) for _ in range(3)]
            reader, writer = opened[-1]
            writer.write(_frame(1))
            [ack] = await _read_frames(reader, 1)
            assert b'"ACK"0001' in ack
            for _, other in opened:
                other.close()

    _run(test)


def test_a_store_failing_for_every_peer_logs_one_traceback(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """M8: one line (and one traceback) per cause, not one per failed connection."""

    async def test() -> None:
        async with await serve(HOST, 0, sink=MemorySink(fail=True)) as receiver:
            for sequence in range(20):
                reader, writer = await asyncio.open_connection(HOST, receiver.tcp_port)
                writer.write(_frame(sequence))
                assert await _closed_within(reader, 2.0)
                writer.close()

    server_log.causes = CauseLog(server_log.log)  # a fresh memory of causes for this test
    with caplog.at_level(logging.INFO, logger="alarmvern.sia.server"):
        _run(test)
    failures = [r for r in caplog.records if "storing failed" in r.getMessage()]
    assert len(failures) == 1
    assert failures[0].exc_info is not None
    assert "OSError" in failures[0].getMessage()


def test_cause_log_repeats_a_cause_at_most_once_per_interval() -> None:
    moments = iter([0.0, 1.0, 2.0, 61.0, 62.0])
    records: list[str] = []

    class Handler(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record.getMessage())

    logger = logging.getLogger("tests.cause_log")
    logger.addHandler(Handler())
    logger.setLevel(logging.INFO)
    causes = CauseLog(logger, every=60.0, clock=lambda: next(moments))
    for bytes_ in (5, 7, 9, 11):
        causes.log(logging.INFO, f"skipped {bytes_} bytes", "skipped %d bytes", bytes_)
    causes.log(logging.INFO, "other", "other")
    assert records == ["skipped 5 bytes", "skipped 11 bytes (2 more like it since)", "other"]


def test_simulated_panels_reconnect_when_the_receiver_restarts() -> None:
    """L11: the simulator keeps going across a restart and every ACK it counts was stored."""

    async def test() -> None:
        sink = MemorySink()
        keys = {account: parse_key(key, "hex") for account, key in panel_accounts(3, seed=4)}
        first = Receiver(sink, keys)
        await first.start(HOST, 0)
        port = first.tcp_port
        run = asyncio.ensure_future(
            simulate(HOST, port, panels=3, rate=30, duration=1.5, seed=4, reconnect_for=5)
        )
        await asyncio.sleep(0.5)
        await first.close()
        await asyncio.sleep(0.3)
        async with Receiver(sink, keys) as second:
            await second.start(HOST, port)
            stats = await asyncio.wait_for(run, 10)
        assert stats.reconnects >= 1
        assert stats.failed == 0
        assert stats.acked == stats.sent > 10
        stored = {(m.account, m.sequence) for batch in sink.batches for m in batch}
        assert len(stored) == stats.acked  # a resend after the restart is the same message

    asyncio.run(asyncio.wait_for(test(), 15))


def test_keys_come_from_a_file_or_the_environment_in_either_form(tmp_path: Path) -> None:
    text = (
        "# panel keys\n"
        "5a0f31 00112233445566778899AABBCCDDEEFF\n"
        "5A0F32 0123456789abcdefghijklmn text  # a 24-character text key\n"
    )
    expected = [
        ("5A0F31", "00112233445566778899AABBCCDDEEFF"),
        ("5A0F32", b"0123456789abcdefghijklmn".hex().upper()),
    ]
    path = tmp_path / "keys.txt"
    path.write_text(text)
    assert load_accounts(path, {}) == expected
    assert load_accounts(None, {KEYS_VARIABLE: text.replace("\n", ";")}) == expected
    assert load_accounts(None, {}) is None


def test_a_bad_key_entry_is_named_without_its_key() -> None:
    with pytest.raises(ValueError, match="entry 2") as error:
        accounts_from_text("1234 00112233445566778899AABBCCDDEEFF\n1235 SECRETKEYTOOSHORT")
    assert "SECRET" not in str(error.value)
