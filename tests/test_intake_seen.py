"""The write path under load (#19): last-seen times go once a second, except a stored panel's
own; the directory of sites is loaded off the write path; a panel's frames sent while its
last ones are being stored are answered after them, in order."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from types import SimpleNamespace

import pytest
from sqlalchemy import Engine, select

from alarmvern.intake import receiver
from alarmvern.intake.sink import SEEN_EVERY, StoreSink
from alarmvern.sia.protocol import FrameReader, Message
from alarmvern.sia.protocol.framing import Frame
from alarmvern.sia.server import serve
from alarmvern.store import tables as t
from tests.test_intake_sink import HOST, PANEL, acked, exchange, frame, make_world, run

OTHER = "5A0F32"


def supervised(engine: Engine) -> set[str]:
    with engine.connect() as conn:
        return set(conn.execute(select(t.account_supervision.c.panel_account)).scalars())


def test_a_batch_writes_its_own_panels_last_seen_and_the_others_once_a_second(
    engine: Engine,
) -> None:
    make_world(engine)
    make_world(engine, panel=OTHER, number="K2")

    async def test() -> None:
        sink = StoreSink(engine)
        server = await serve(HOST, 0, sink=sink)
        try:
            port = server.tcp_port
            assert acked((await exchange(port, [frame("SIA-DCS", "Nri1/CL007")]))[0])
            assert supervised(engine) == {PANEL}  # the first write: every seen time was due
            assert acked((await exchange(port, [frame("NULL", panel=OTHER)]))[0])
            assert acked((await exchange(port, [frame("SIA-DCS", "Nri1/OP007")]))[0])
            # Within the second, a batch writes only its own panels' times.
            assert supervised(engine) == {PANEL}
            await asyncio.sleep(SEEN_EVERY + 0.5)
            assert supervised(engine) == {PANEL, OTHER}
        finally:
            await server.close()
            await sink.close()

    run(test)


def test_the_directory_is_loaded_off_the_write_path_and_swapped_in_whole(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_world(engine)
    sink = StoreSink(engine)
    before = sink.directory
    monkeypatch.setattr(receiver.panel_keys, "load", lambda _engine, _vault: {})
    intake = SimpleNamespace(system=SimpleNamespace(engine=engine, vault=None), keys={}, sink=sink)
    receiver._reload_keys(intake)  # type: ignore[arg-type]
    # Loaded by the reload (in its own thread), not left for the writer to load under a batch.
    assert sink.directory is not before
    assert sink.directory.loaded and PANEL in sink.directory.sites


class _GatedSink:
    """Holds the first business batch until ``gate`` is set; heartbeats pass at once."""

    def __init__(self) -> None:
        self.gate = asyncio.Event()
        self.order: list[str] = []

    async def __call__(self, messages: Sequence[Message]) -> None:
        if any(m.sia_events for m in messages):
            await self.gate.wait()
        self.order.extend(m.sequence for m in messages)


def test_frames_sent_while_a_batch_is_stored_are_answered_after_it_in_order() -> None:
    async def test() -> None:
        sink = _GatedSink()
        server = await serve(HOST, 0, sink=sink)
        try:
            reader, writer = await asyncio.open_connection(HOST, server.tcp_port)
            writer.write(frame("SIA-DCS", "Nri1/BA001", sequence=1))
            await asyncio.sleep(0.1)
            writer.write(frame("NULL", sequence=2))  # while the first is being stored
            await asyncio.sleep(0.2)
            frames = FrameReader()
            assert sink.order == []  # nothing answered, nothing read past the first
            sink.gate.set()
            answers: list[bytes] = []
            while len(answers) < 2:
                data = await asyncio.wait_for(reader.read(4096), 5)
                assert data
                frames.feed(data)
                answers += [f.payload for f in frames.frames() if isinstance(f, Frame)]
            assert [a[5:9] for a in answers] == [b"0001", b"0002"], answers
            writer.close()
        finally:
            await server.close()

    run(test)
