"""Intake end to end on a real store: DC-09 frames over TCP into ``serve`` with a
``StoreSink``, then the rows they leave: the arm/disarm log attributed to the panel user,
incidents from alarms and troubles, supervision from heartbeats and tests, resends stored
once, unknown codes stored raw and flagged, encrypted panels through ``receiver.start``, and
silent panels raising technical incidents."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select

from alarmvern.intake import keys as panel_keys
from alarmvern.intake import receiver, supervision
from alarmvern.intake.sink import StoreSink
from alarmvern.policy import load
from alarmvern.settings import Settings
from alarmvern.sia.protocol import FrameReader, build_frame, decrypt_body, parse_key
from alarmvern.sia.protocol.framing import Frame
from alarmvern.sia.server import serve
from alarmvern.sia.simulate import panel_accounts, simulate
from alarmvern.store import tables as t
from alarmvern.store.tables.columns import as_utc
from alarmvern.system import System
from alarmvern.vault import FolderBlobStore, MasterKey, Vault
from tests import builders as b

HOST = "127.0.0.1"
PANEL = "5A0F31"
USER_NO = 7
_sequences = itertools.count(1)


@dataclass(frozen=True)
class World:
    account_id: int
    site_id: int
    holder_id: int
    user_person_id: int


def make_world(
    engine: Engine, panel: str = PANEL, number: str = "K1", supervision_seconds: int | None = None
) -> World:
    """A customer with a site whose panel is ``panel`` and a panel user number 7."""
    with engine.begin() as conn:
        holder = b.person(conn, name=f"Holder {panel}")
        account = b.account(conn, holder, number)
        site = b.site(conn, account, panel_account=panel, supervision_seconds=supervision_seconds)
        user = b.person(conn, name=f"User {panel}", email=None)
        b.insert(
            conn,
            t.panel_users,
            account_id=account,
            site_id=site,
            person_id=user,
            user_no=USER_NO,
            display_name="Panel user 7",
        )
    return World(account, site, holder, user)


def frame(
    token: str,
    data: str = "",
    *,
    panel: str = PANEL,
    sequence: int | None = None,
    at: datetime | None = None,
    key: bytes | None = None,
) -> bytes:
    number = next(_sequences) % 9999 + 1 if sequence is None else sequence
    return build_frame(
        token,
        f"{number:04d}",
        "0",
        account=panel,
        data=data,
        timestamp=at or datetime.now(UTC),
        key=key,
    )


async def _reply(reader: asyncio.StreamReader, frames: FrameReader) -> Frame:
    while True:
        for item in frames.frames():
            assert isinstance(item, Frame), item
            return item
        data = await asyncio.wait_for(reader.read(4096), 5)
        assert data, "the receiver closed the connection"
        frames.feed(data)


async def exchange(port: int, outgoing: Sequence[bytes]) -> list[bytes]:
    """Send each frame as a panel does (the next one after the answer to the last); return
    the answers' payloads."""
    reader, writer = await asyncio.open_connection(HOST, port)
    frames = FrameReader()
    answers = []
    try:
        for data in outgoing:
            writer.write(data)
            await writer.drain()
            answers.append((await _reply(reader, frames)).payload)
    finally:
        writer.close()
    return answers


@asynccontextmanager
async def receiving(engine: Engine) -> AsyncIterator[tuple[int, StoreSink]]:
    sink = StoreSink(engine)
    server = await serve(HOST, 0, sink=sink)
    try:
        yield server.tcp_port, sink
    finally:
        await server.close()
        await sink.close()


def run(test: Callable[[], Awaitable[None]]) -> None:
    asyncio.run(asyncio.wait_for(test(), 30))


def send(engine: Engine, outgoing: Sequence[bytes]) -> list[bytes]:
    """Start a receiver on ``engine``, send ``outgoing`` over one connection, stop it."""
    answers: list[bytes] = []

    async def test() -> None:
        async with receiving(engine) as (port, _sink):
            answers.extend(await exchange(port, outgoing))

    run(test)
    return answers


def acked(answer: bytes) -> bool:
    return answer.startswith((b'"ACK"', b'"*ACK"'))


def events(engine: Engine, **where: Any) -> list[Any]:
    query = select(t.alarm_events).order_by(t.alarm_events.c.id)
    for column, value in where.items():
        query = query.where(t.alarm_events.c[column] == value)
    with engine.connect() as conn:
        return list(conn.execute(query).mappings())


def open_incidents(engine: Engine, site_id: int) -> list[Any]:
    with engine.connect() as conn:
        return list(
            conn.execute(
                select(t.incidents)
                .where(t.incidents.c.site_id == site_id, t.incidents.c.closed_at.is_(None))
                .order_by(t.incidents.c.id)
            ).mappings()
        )


def supervision_rows(engine: Engine) -> dict[str, datetime]:
    with engine.connect() as conn:
        rows = conn.execute(select(t.account_supervision)).all()
    return {r.panel_account: as_utc(r.last_seen_at) for r in rows}


# (a) the arm/disarm log


def test_arm_and_disarm_are_logged_for_the_panel_user_with_the_method(engine: Engine) -> None:
    world = make_world(engine)
    answers = send(
        engine,
        [
            frame("SIA-DCS", f"Nri1/CL{USER_NO:03d}"),
            frame("SIA-DCS", f"Nri1/OP{USER_NO:03d}"),
            frame("ADM-CID", f"3401 01 {USER_NO:03d}"),
            frame("ADM-CID", f"1401 01 {USER_NO:03d}"),
            frame("SIA-DCS", "Nri1/CL012"),  # a user number the store does not know
        ],
    )
    assert all(acked(a) for a in answers), answers
    rows = events(engine)
    assert [(r["protocol"], r["code"], r["qualifier"]) for r in rows] == [
        ("SIA-DCS", "CL", None),
        ("SIA-DCS", "OP", None),
        ("ADM-CID", "401", "3"),
        ("ADM-CID", "401", "1"),
        ("SIA-DCS", "CL", None),
    ]
    for row in rows[:4]:
        assert row["actor_person_id"] == world.user_person_id
        assert row["user_no"] == USER_NO
        assert row["method"] == "code"
        assert (row["account_id"], row["site_id"]) == (world.account_id, world.site_id)
        assert row["zone"] is None and not row["flagged"]
    assert rows[4]["user_no"] == 12 and rows[4]["actor_person_id"] is None
    assert open_incidents(engine, world.site_id) == [], "arming is no incident"


def test_remote_arming_by_contact_id_has_its_method(engine: Engine) -> None:
    world = make_world(engine)
    assert all(acked(a) for a in send(engine, [frame("ADM-CID", f"3407 01 {USER_NO:03d}")]))
    [row] = events(engine)
    assert (row["code"], row["method"], row["actor_person_id"]) == (
        "407",
        "remote",
        world.user_person_id,
    )


# (b) incidents


def test_an_alarm_opens_one_incident_and_a_trouble_a_technical_one(engine: Engine) -> None:
    world = make_world(engine)
    answers = send(
        engine,
        [
            frame("SIA-DCS", "Nri1/BA003"),
            frame("ADM-CID", "1130 01 004"),  # a second burglary while the first is open
            frame("SIA-DCS", "Nri1/FA009"),  # another alarm: the same open incident
            frame("SIA-DCS", "Nri0/AT0000"),  # mains power lost
            frame("ADM-CID", "1302 00 000"),  # low battery
            frame("SIA-DCS", "Nri0/AT0000"),  # power again: that incident is open already
        ],
    )
    assert all(acked(a) for a in answers), answers
    incidents = open_incidents(engine, world.site_id)
    assert sorted(i["kind"] for i in incidents) == [
        "burglary",
        "technical:battery",
        "technical:power",
    ]
    assert all(i["account_id"] == world.account_id for i in incidents)
    assert all(i["status"] == "received" for i in incidents)
    rows = events(engine)
    assert len(rows) == 6 and all(r["site_id"] == world.site_id for r in rows)
    zones = [r["zone"] for r in rows[:3]]
    assert zones == ["003", "004", "009"]
    assert all(r["actor_person_id"] is None and r["user_no"] is None for r in rows)


def test_an_alarm_after_the_incident_closed_opens_a_new_one(engine: Engine) -> None:
    world = make_world(engine)
    send(engine, [frame("SIA-DCS", "Nri1/BA003")])
    [first] = open_incidents(engine, world.site_id)
    with engine.begin() as conn:
        conn.execute(
            t.incidents.update()
            .where(t.incidents.c.id == first["id"])
            .values(status="closed", closed_at=datetime.now(UTC), cause="false alarm")
        )
    send(engine, [frame("SIA-DCS", "Nri1/BA003")])
    [second] = open_incidents(engine, world.site_id)
    assert second["id"] != first["id"] and second["kind"] == "burglary"


def test_signals_from_an_unknown_panel_are_stored_flagged_and_open_no_incident(
    engine: Engine,
) -> None:
    world = make_world(engine)
    answers = send(engine, [frame("SIA-DCS", "Nri1/BA003", panel="FFFF01")])
    assert acked(answers[0])
    [row] = events(engine)
    assert row["panel_account"] == "FFFF01" and row["site_id"] is None and row["flagged"]
    assert open_incidents(engine, world.site_id) == []
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(t.incidents)).scalar() == 0


# (c) supervision


def test_heartbeats_and_tests_update_supervision_and_write_no_events(engine: Engine) -> None:
    make_world(engine)
    make_world(engine, panel="5A0F32", number="K2")
    heartbeats = [
        frame("NULL"),
        frame("SIA-DCS", "Nri0/RP0000"),
        frame("ADM-CID", "1602 00 000"),
        frame("NULL", panel="5A0F32"),
    ]
    assert all(acked(a) for a in send(engine, heartbeats))
    assert events(engine) == []
    first = supervision_rows(engine)
    assert set(first) == {PANEL, "5A0F32"}
    assert all(datetime.now(UTC) - seen < timedelta(seconds=30) for seen in first.values())

    assert all(acked(a) for a in send(engine, [frame("NULL"), frame("SIA-DCS", "Nri0/RP0000")]))
    second = supervision_rows(engine)
    assert set(second) == {PANEL, "5A0F32"}, "one row per panel, never one per heartbeat"
    assert second[PANEL] > first[PANEL]
    assert second["5A0F32"] == first["5A0F32"]
    assert events(engine) == []
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(t.incidents)).scalar() == 0


def test_business_events_also_count_as_signs_of_life(engine: Engine) -> None:
    make_world(engine)
    send(engine, [frame("SIA-DCS", f"Nri1/CL{USER_NO:03d}")])
    assert set(supervision_rows(engine)) == {PANEL}


# (d) resends


def test_a_resent_frame_is_acked_again_and_stored_once(engine: Engine) -> None:
    world = make_world(engine)
    at = datetime.now(UTC).replace(microsecond=0)
    alarm = frame("SIA-DCS", "Nri1/BA003", sequence=42, at=at)
    arming = frame("ADM-CID", f"3401 01 {USER_NO:03d}", sequence=43, at=at)
    answers = send(engine, [alarm, arming, alarm, arming])
    assert len(answers) == 4 and all(acked(a) for a in answers), answers
    assert [a[5:9] for a in answers] == [b"0042", b"0043", b"0042", b"0043"]
    assert all(acked(a) for a in send(engine, [alarm]))  # again, on a new connection
    rows = events(engine)
    assert [(r["sequence"], r["code"]) for r in rows] == [("0042", "BA"), ("0043", "401")]
    assert len(open_incidents(engine, world.site_id)) == 1


def test_a_resend_in_the_same_read_is_stored_once(engine: Engine) -> None:
    make_world(engine)
    alarm = frame("SIA-DCS", "Nri1/BA003", sequence=77)

    async def test() -> None:
        async with receiving(engine) as (port, sink):
            reader, writer = await asyncio.open_connection(HOST, port)
            writer.write(alarm + alarm)  # one read, one batch, one transaction
            frames = FrameReader()
            answers = [await _reply(reader, frames), await _reply(reader, frames)]
            writer.close()
            assert all(acked(a.payload) for a in answers)
            assert (sink.totals.events, sink.totals.duplicates) == (1, 1)

    run(test)
    assert len(events(engine)) == 1


def test_the_same_sequence_at_another_time_is_a_new_event(engine: Engine) -> None:
    make_world(engine)
    at = datetime.now(UTC).replace(microsecond=0)
    send(
        engine,
        [
            frame("SIA-DCS", "Nri1/CL007", sequence=5, at=at),
            frame("SIA-DCS", "Nri1/OP007", sequence=5, at=at + timedelta(seconds=2)),
        ],
    )
    assert [r["code"] for r in events(engine)] == ["CL", "OP"]


# (e) unknown codes


def test_an_unknown_code_is_stored_raw_flagged_and_acked(engine: Engine) -> None:
    world = make_world(engine)
    answers = send(
        engine,
        [frame("SIA-DCS", "Nri1/ZQ017"), frame("ADM-CID", "1987 01 017")],
    )
    assert all(acked(a) for a in answers), answers
    assert not any(a.startswith(b'"DUH"') for a in answers)
    rows = events(engine)
    assert [(r["code"], r["qualifier"], r["raw"]) for r in rows] == [
        ("ZQ", None, "Nri1/ZQ017"),
        ("987", "1", "1987 01 017"),
    ]
    assert all(r["flagged"] and r["site_id"] == world.site_id for r in rows)
    assert open_incidents(engine, world.site_id) == []


# Fields longer than their columns


@pytest.mark.parametrize(
    ("account", "data"),
    [
        (PANEL, "Nri1/BA123456789012"),  # a 12-digit zone; the column holds 8
        (PANEL, "Nri1/CL99999999999"),  # a user number past a 32-bit integer
        (None, "#0123456789ABCDEF01|Nri1/BA001"),  # an 18-digit account in the data field
    ],
    ids=["long-zone", "huge-user", "long-account"],
)
def test_an_oversized_field_neither_loses_the_frame_nor_its_batch(
    engine: Engine, account: str | None, data: str
) -> None:
    make_world(engine)
    odd = build_frame(
        "SIA-DCS", "0031", "0", account=account, data=data, timestamp=datetime.now(UTC)
    )
    good = frame("SIA-DCS", "Nri1/BA002", sequence=32)

    async def test() -> list[bytes]:
        async with receiving(engine) as (port, _sink):
            reader, writer = await asyncio.open_connection(HOST, port)
            writer.write(odd + good)  # one read: one batch, one transaction
            frames = FrameReader()
            try:
                return [(await _reply(reader, frames)).payload for _ in range(2)]
            finally:
                writer.close()

    answers = asyncio.run(asyncio.wait_for(test(), 30))
    if account is None:
        # DC-09 accounts are 3-16 hex digits: a longer one is not processed (DUH), and the
        # good frame in the same read is stored and acknowledged all the same.
        assert answers[0].startswith(b'"DUH"') and acked(answers[1]), answers
        assert [r["raw"] for r in events(engine)] == ["Nri1/BA002"]
        return
    assert all(acked(a) for a in answers), answers
    rows = events(engine)
    assert [r["raw"] for r in rows] == [data, "Nri1/BA002"]
    assert rows[0]["flagged"]


# Resends and closed incidents; panel accounts written in lower case


def test_a_resent_alarm_does_not_reopen_its_closed_incident(engine: Engine) -> None:
    world = make_world(engine)
    alarm = frame("SIA-DCS", "Nri1/BA003", sequence=51)
    send(engine, [alarm])
    with engine.begin() as conn:
        conn.execute(
            t.incidents.update()
            .where(t.incidents.c.site_id == world.site_id)
            .values(status="closed", closed_at=datetime.now(UTC), cause="burglar caught")
        )
    assert all(acked(a) for a in send(engine, [alarm]))  # its ACK was lost: sent again
    assert len(events(engine)) == 1
    assert open_incidents(engine, world.site_id) == [], "the same alarm, handled already"


def test_a_site_whose_panel_account_is_written_in_lower_case_is_found(engine: Engine) -> None:
    world = make_world(engine, panel="5a0f3c", supervision_seconds=60)
    answers = send(engine, [frame("SIA-DCS", "Nri1/BA003", panel="5a0f3c"), frame("NULL")])
    assert all(acked(a) for a in answers)
    [row] = events(engine)
    assert row["site_id"] == world.site_id and not row["flagged"]
    assert [i["kind"] for i in open_incidents(engine, world.site_id)] == ["burglary"]


# Simulated panels


def test_simulated_panels_are_all_acked_and_what_they_said_is_stored(engine: Engine) -> None:
    fleet = panel_accounts(6, seed=11)
    worlds = {
        account: make_world(engine, panel=account, number=f"S{n}")
        for n, (account, _key) in enumerate(fleet)
    }

    async def test() -> tuple[int, int]:
        async with receiving(engine) as (port, sink):
            stats = await simulate(
                HOST, port, panels=6, rate=200, duration=1.0, encrypted=False, accounts=fleet
            )
            # A panel waits for each ACK, so a loaded machine sends fewer: the count is not the
            # point, that every one sent is ACKed and stored is.
            assert stats.sent >= 12
            assert stats.acked == stats.sent
            assert stats.naks == stats.duhs == stats.timeouts == stats.failed == 0
            return sink.totals.messages, sink.totals.events

    messages, stored = asyncio.run(asyncio.wait_for(test(), 30))
    rows = events(engine)
    assert len(rows) == stored > 0
    assert messages > stored, "heartbeats and tests write no events"
    assert all(r["site_id"] == worlds[r["panel_account"]].site_id for r in rows)
    assert len({r["frame_key"] for r in rows}) == len(rows)
    assert set(supervision_rows(engine)) == set(worlds)


# (f) encrypted panels through the receiver service


def _system(engine: Engine, tmp_path: Path) -> System:
    settings = Settings(data_dir=tmp_path, database_url=engine.url.render_as_string(False))
    vault = Vault(MasterKey.generate(), FolderBlobStore(tmp_path / "blobs"))
    return System(settings, engine, load("default"), vault)


def test_encrypted_panels_with_registered_keys(engine: Engine, tmp_path: Path) -> None:
    world = make_world(engine)
    make_world(engine, panel="5A0F32", number="K2")
    hex_key = "00112233445566778899AABBCCDDEEFF00112233445566778899AABBCCDDEEFF"
    text_key = "Sixteen byte key"
    system = _system(engine, tmp_path)
    with engine.begin() as conn:
        panel_keys.set_key(conn, system.vault, PANEL.lower(), hex_key, "hex")
        panel_keys.set_key(conn, system.vault, "5A0F32", text_key, "text")
    key_a, key_b = parse_key(hex_key, "hex"), parse_key(text_key, "text")
    wrong = parse_key("F" * 32, "hex")

    async def test() -> list[bytes]:
        intake = await receiver.start(system, HOST, 0)
        try:
            return await exchange(
                intake.receiver.tcp_port,
                [
                    frame("SIA-DCS", f"Nri1/CL{USER_NO:03d}", key=key_a),
                    frame("ADM-CID", "1130 01 004", key=key_a),
                    frame("NULL", key=key_a),
                    frame("SIA-DCS", "Nri1/OP001", panel="5A0F32", key=key_b),
                    frame("SIA-DCS", "Nri1/OP001", panel="5A0F32", key=wrong),
                    frame("SIA-DCS", "Nri1/BA001", panel="5A0F33", key=key_a),  # no key known
                ],
            )
        finally:
            await intake.close()

    answers = asyncio.run(asyncio.wait_for(test(), 30))
    for answer, key in zip(answers[:4], [key_a, key_a, key_a, key_b], strict=True):
        assert answer.startswith(b'"*ACK"'), answer
        body = answer.split(b"[", 1)[1].decode("latin-1")
        assert decrypt_body(body, key) is not None, "the ACK is encrypted under the panel's key"
    assert answers[4].startswith(b'"DUH"') and answers[5].startswith(b'"DUH"')
    rows = events(engine)
    assert [(r["panel_account"], r["code"]) for r in rows] == [
        (PANEL, "CL"),
        (PANEL, "130"),
        ("5A0F32", "OP"),
    ]
    assert rows[0]["actor_person_id"] == world.user_person_id
    assert [i["kind"] for i in open_incidents(engine, world.site_id)] == ["burglary"]
    assert set(supervision_rows(engine)) == {PANEL, "5A0F32"}


# (g) silent panels


def test_a_silent_panel_raises_one_technical_incident(engine: Engine) -> None:
    quiet = make_world(engine, supervision_seconds=60)
    daily = make_world(engine, panel="5A0F32", number="K2")  # default interval: a day
    # Never heard from at all: counted from when its site was registered (just now).
    never = make_world(engine, panel="5A0F33", number="K3", supervision_seconds=60)
    send(engine, [frame("NULL"), frame("NULL", panel="5A0F32")])
    heard = supervision_rows(engine)[PANEL]
    with engine.begin() as conn:
        assert supervision.raise_incidents(conn, heard + timedelta(seconds=30)) == 0
    with engine.begin() as conn:
        assert supervision.raise_incidents(conn, heard + timedelta(seconds=61)) == 2
    with engine.begin() as conn:
        assert supervision.raise_incidents(conn, heard + timedelta(seconds=600)) == 0
    [incident] = open_incidents(engine, quiet.site_id)
    assert incident["kind"] == "technical:supervision"
    assert incident["account_id"] == quiet.account_id
    assert open_incidents(engine, daily.site_id) == []
    assert [i["kind"] for i in open_incidents(engine, never.site_id)] == ["technical:supervision"]
    with engine.connect() as conn:
        audited = conn.execute(
            select(func.count())
            .select_from(t.audit_log)
            .where(t.audit_log.c.action == "supervision.silent")
        ).scalar()
    assert audited == 2


def test_a_panel_silent_again_after_its_incident_closed_raises_a_new_one(
    engine: Engine,
) -> None:
    quiet = make_world(engine, supervision_seconds=60)
    send(engine, [frame("NULL")])
    heard = supervision_rows(engine)[PANEL]
    with engine.begin() as conn:
        assert supervision.raise_incidents(conn, heard + timedelta(seconds=61)) == 1
        conn.execute(
            t.incidents.update()
            .where(t.incidents.c.site_id == quiet.site_id)
            .values(status="closed", closed_at=datetime.now(UTC), cause="line fixed")
        )
    send(engine, [frame("NULL")])
    heard_again = supervision_rows(engine)[PANEL]
    assert heard_again > heard
    with engine.begin() as conn:
        assert supervision.raise_incidents(conn, heard_again + timedelta(seconds=30)) == 0
        assert supervision.raise_incidents(conn, heard_again + timedelta(seconds=61)) == 1
    assert len(open_incidents(engine, quiet.site_id)) == 1


def test_a_frame_with_no_readable_event_is_stored_raw_not_dropped(engine: Engine) -> None:
    make_world(engine)
    answers = send(engine, [frame("SIA-DCS", "")])  # no event block at all
    assert all(acked(a) for a in answers), answers
    [row] = events(engine)
    assert row["code"] == "?" and row["raw"] == "" and row["flagged"]
