"""Conformance: real DC-09 frames (tests/data/sia_vectors.json, "conformance") sent over TCP
and UDP to the real receiver on a store, on SQLite and PostgreSQL: each gets its exact answer
and leaves exactly its rows in alarm_events.

The receiver is what ``alarmvern receive`` runs (``intake.receiver.start``): the DC-09 server
in front of the store sink, with the panel keys registered through ``intake.keys`` as the CLI
registers them (text and hex forms), but with the receiver's clock set to each case's ``now``
so that published frames from years ago fall inside the timestamp window.

A new case is a new row in the table. Rows for fixes not yet merged carry ``xfail``.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select

from alarmvern.intake import keys as panel_keys
from alarmvern.intake.sink import StoreSink
from alarmvern.sia.protocol import Connection, Frame, FrameReader, Message, decrypt_body, parse_key
from alarmvern.sia.server import serve
from alarmvern.store import tables as t
from alarmvern.vault import FolderBlobStore, MasterKey, Vault

HOST = "127.0.0.1"
VECTORS = json.loads((Path(__file__).parent / "data" / "sia_vectors.json").read_text())
KEYS: dict[str, dict[str, str]] = VECTORS["conformance_keys"]
LATER = datetime(2030, 1, 1, tzinfo=UTC)
COLUMNS = ("panel_account", "protocol", "sequence", "code", "qualifier", "zone", "user_no")


def _case(case: dict[str, Any]) -> Any:
    marks = []
    if "xfail" in case:
        marks.append(pytest.mark.xfail(reason=case["xfail"], strict=case.get("strict", False)))
    return pytest.param(case, id=case["name"], marks=marks)


CASES = [_case(case) for case in VECTORS["conformance"]]


def _now(case: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(case["now"]) if "now" in case else LATER


def _wire(case: dict[str, Any]) -> bytes:
    frames = "".join(f"\n{frame}\r" for frame in case["frames"])
    return (case.get("wire_prefix", "") + frames).encode("latin-1")


def _keys(engine: Engine, tmp_path: Path) -> dict[str, bytes]:
    vault = Vault(MasterKey.generate(), FolderBlobStore(tmp_path / "blobs"))
    with engine.begin() as conn:
        for account, key in KEYS.items():
            panel_keys.set_key(conn, vault, account, key["value"], key["form"])  # type: ignore[arg-type]
    return panel_keys.load(engine, vault)


def _rows(engine: Engine, expected: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The stored rows, each with only the columns its expected row names."""
    with engine.connect() as conn:
        stored = conn.execute(select(t.alarm_events).order_by(t.alarm_events.c.id)).mappings()
        rows = [dict(row) for row in stored]
    names = [set(row) for row in expected] + [set(COLUMNS)] * max(0, len(rows) - len(expected))
    return [{name: row[name] for name in keep} for row, keep in zip(rows, names, strict=False)]


def _check_reply(frame: Frame, expected: str | dict[str, str], keys: dict[str, bytes]) -> None:
    if isinstance(expected, str):
        assert frame.payload.decode("latin-1") == expected[8:]
        return
    head, _, cipher_text = frame.payload.decode("latin-1").partition("[")
    assert head + "[" == expected["head"]
    assert decrypt_body(cipher_text, keys[expected["account"]]) == expected["plain"]


def _frames(data: bytes) -> list[Frame]:
    reader = FrameReader()
    reader.feed(data)
    items = list(reader.frames())
    assert all(isinstance(item, Frame) for item in items), items  # right CRC and length
    return [item for item in items if isinstance(item, Frame)]


async def _over_tcp(port: int, wire: bytes, count: int, per_byte: bool) -> list[Frame]:
    reader, writer = await asyncio.open_connection(HOST, port)
    try:
        for chunk in [wire[i : i + 1] for i in range(len(wire))] if per_byte else [wire]:
            writer.write(chunk)
            await writer.drain()
        received = b""
        while len(_frames(received)) < count:
            data = await asyncio.wait_for(reader.read(4096), 5)
            assert data, "the receiver closed the connection"
            received += data
        if count == 0:  # nothing is due: make sure nothing comes
            with pytest.raises(TimeoutError):
                received += await asyncio.wait_for(reader.read(4096), 0.2)
        return _frames(received)
    finally:
        writer.close()


class _Replies(asyncio.DatagramProtocol):
    def __init__(self) -> None:
        self.queue: asyncio.Queue[bytes] = asyncio.Queue()

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        self.queue.put_nowait(data)


async def _over_udp(port: int, wire: bytes, count: int) -> list[Frame]:
    loop = asyncio.get_running_loop()
    transport, replies = await loop.create_datagram_endpoint(_Replies, remote_addr=(HOST, port))
    try:
        transport.sendto(wire)
        received = b""
        while len(_frames(received)) < count:
            received += await asyncio.wait_for(replies.queue.get(), 5)
        if count == 0:
            with pytest.raises(TimeoutError):
                await asyncio.wait_for(replies.queue.get(), 0.2)
        return _frames(received)
    finally:
        transport.close()


def _exchange(
    engine: Engine, keys: dict[str, bytes], case: dict[str, Any], link: str, per_byte: bool = False
) -> list[Frame]:
    async def run() -> list[Frame]:
        sink = StoreSink(engine)
        now = _now(case)
        server = await serve(HOST, 0, sink=sink, keys=keys, protocol="both", clock=lambda: now)
        try:
            count, wire = len(case["replies"]), _wire(case)
            if link == "udp":
                return await _over_udp(server.udp_port, wire, count)
            return await _over_tcp(server.tcp_port, wire, count, per_byte)
        finally:
            await server.close()
            await sink.close()

    return asyncio.run(asyncio.wait_for(run(), 20))


@pytest.fixture
def keys(engine: Engine, tmp_path: Path) -> dict[str, bytes]:
    return _keys(engine, tmp_path)


@pytest.mark.parametrize("link", ["tcp", "udp"])
@pytest.mark.parametrize("case", CASES)
def test_real_frame_gets_its_answer_and_leaves_its_rows(
    engine: Engine, keys: dict[str, bytes], case: dict[str, Any], link: str
) -> None:
    replies = _exchange(engine, keys, case, link)
    assert len(replies) == len(case["replies"])
    for frame, expected in zip(replies, case["replies"], strict=True):
        _check_reply(frame, expected, keys)
    assert _rows(engine, case["rows"]) == case["rows"]


SPLIT = ["iobroker-aes128-text-key-lowercase-hex", "jablotron-area-text-after-modifier",
         "many-frames-in-one-write"]  # fmt: skip


@pytest.mark.parametrize("case", [c for c in CASES if c.id in SPLIT])
def test_frames_written_one_byte_at_a_time(
    engine: Engine, keys: dict[str, bytes], case: dict[str, Any]
) -> None:
    replies = _exchange(engine, keys, case, "tcp", per_byte=True)
    for frame, expected in zip(replies, case["replies"], strict=True):
        _check_reply(frame, expected, keys)
    assert _rows(engine, case["rows"]) == case["rows"]


def _core_keys() -> dict[str, bytes]:
    return {account: parse_key(key["value"], key["form"]) for account, key in KEYS.items()}  # type: ignore[arg-type]


def _split_everywhere(wire: bytes) -> Iterator[tuple[bytes, bytes]]:
    for cut in range(1, len(wire)):
        yield wire[:cut], wire[cut:]


@pytest.mark.parametrize("case", [c for c in CASES if not c.marks])
def test_a_frame_split_at_any_byte_reads_as_the_whole(case: dict[str, Any]) -> None:
    """Every two-part split of every case, through the protocol core (no sockets: fast)."""
    keys, now, wire = _core_keys(), _now(case), _wire(case)
    whole = Connection(keys)
    whole.receive_data(wire)
    expected = [_kind(event) for event in whole.next_events(now)]
    for head, tail in _split_everywhere(wire):
        connection = Connection(keys)
        connection.receive_data(head)
        events = connection.next_events(now)
        connection.receive_data(tail)
        events += connection.next_events(now)
        assert [_kind(event) for event in events if not _skipped(event)] == [
            kind for kind in expected if kind[0] != "skipped"
        ], len(head)


def _kind(event: Any) -> tuple[str, ...]:
    if isinstance(event, Message):
        return ("message", event.account, event.sequence, event.data)
    if _skipped(event):
        return ("skipped",)
    return ("error", event.reason, str(event.answer))


def _skipped(event: Any) -> bool:
    return not isinstance(event, Message) and event.reason.startswith("skipped")
