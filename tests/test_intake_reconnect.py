"""A receiver whose database goes away (a failover) holds the batch, unacknowledged, and
stores it once the database answers again, on a new connection; the panel gets its ACK then.

The database "goes away" as a dead primary does: the receiver reaches PostgreSQL through a
TCP relay in this test, which cuts every connection and stops listening, and later listens
again. (The cluster test, tests/test_failover.py, does the same with a real failover.)
"""

from __future__ import annotations

import asyncio
import contextlib

import psycopg
import pytest
from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError

from alarmvern.intake import sink as sink_module
from alarmvern.intake.sink import StoreSink, _unreachable
from alarmvern.sia.server import serve
from alarmvern.store.engine import create_store_engine
from tests.test_intake_sink import HOST, acked, events, exchange, frame, make_world

pytestmark = pytest.mark.postgres


class Relay:
    """A TCP relay to PostgreSQL that can be cut (every connection closed, none accepted)."""

    def __init__(self, host: str, port: int) -> None:
        self.target = (host, port)
        self.port = 0
        self.server: asyncio.Server | None = None
        self.writers: set[asyncio.StreamWriter] = set()

    async def listen(self) -> None:
        self.server = await asyncio.start_server(self._relay, HOST, self.port)
        self.port = self.server.sockets[0].getsockname()[1]

    async def cut(self) -> None:
        assert self.server is not None
        self.server.close()
        for writer in list(self.writers):
            writer.transport.abort()
        await self.server.wait_closed()

    async def _relay(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        up_reader, up_writer = await asyncio.open_connection(*self.target)
        self.writers |= {writer, up_writer}

        async def pump(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
            with contextlib.suppress(OSError):
                while data := await source.read(65536):
                    sink.write(data)
                    await sink.drain()
            sink.transport.abort()

        await asyncio.gather(pump(reader, up_writer), pump(up_reader, writer))
        self.writers -= {writer, up_writer}


def test_a_batch_waits_for_the_database_and_is_stored_once_it_is_back(
    pg_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_world(pg_engine)
    monkeypatch.setattr(sink_module, "RECONNECT_PAUSE", (0.05, 0.2))
    url = pg_engine.url
    before, during = frame("SIA-DCS", "Nri1/CL001"), frame("SIA-DCS", "Nri1/OP001")

    async def test() -> tuple[list[bytes], list[bytes], bool]:
        relay = Relay(str(url.host), int(url.port or 5432))
        await relay.listen()
        engine = create_store_engine(url.set(port=relay.port).render_as_string(False))
        sink = StoreSink(engine)
        server = await serve(HOST, 0, sink=sink)
        try:
            first = await exchange(server.tcp_port, [before])  # a pooled connection now
            await relay.cut()
            sending = asyncio.create_task(exchange(server.tcp_port, [during]))
            await asyncio.sleep(1.0)
            waited = not sending.done()  # not acknowledged while it is not stored
            await relay.listen()
            second = await asyncio.wait_for(sending, 30)
            return first, second, waited
        finally:
            await server.close()
            await sink.close()
            await relay.cut()
            engine.dispose()

    first, second, waited = asyncio.run(asyncio.wait_for(test(), 60))
    assert acked(first[0]) and acked(second[0]), (first, second)
    assert waited, "the frame was answered while the database was away"
    stored = events(pg_engine)
    assert sorted(e.code for e in stored) == ["CL", "OP"]  # each once


def test_only_a_lost_database_is_waited_for() -> None:
    """A broken connection or none at all is waited for; a row the database refuses is not."""

    lost = OperationalError("COMMIT", {}, psycopg.OperationalError("server closed"))
    refused = OperationalError("INSERT", {}, psycopg.errors.DiskFull("disk full"))
    shutting = OperationalError("INSERT", {}, psycopg.errors.AdminShutdown("shutdown"))
    assert _unreachable(lost) and _unreachable(shutting)
    assert not _unreachable(refused)
    assert not _unreachable(ValueError("not the database"))
