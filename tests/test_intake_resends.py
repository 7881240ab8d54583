"""What a panel gets back, and what is stored, when frames look alike (issue 11, items 1-3) and
when an account's own rules apply (issue 11 item 8; security review H1, M2, M6): through the
real receiver (``receiver.start``) on both databases."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, text

from alarmvern.intake import admission as gate
from alarmvern.intake import keys as panel_keys
from alarmvern.intake import panel_rules, receiver
from alarmvern.sia.protocol import FrameReader, build_frame, parse_key
from alarmvern.system import System
from tests.test_intake_sink import (
    PANEL,
    _system,
    acked,
    events,
    exchange,
    frame,
    make_world,
    supervision_rows,
)
from tests.web_support import web  # noqa: F401

HEX_KEY = "00112233445566778899AABBCCDDEEFF"


def bare(token: str, data: str, sequence: int, panel: str = PANEL) -> bytes:
    """A clear frame without a timestamp, as many Contact ID panels send."""
    return build_frame(token, f"{sequence:04d}", "0", account=panel, data=data)


def through(system: System, *conversations: Sequence[bytes]) -> list[list[bytes]]:
    """Start the receiver, hold each conversation on its own connection, one after another."""

    async def test() -> list[list[bytes]]:
        intake = await receiver.start(system, "127.0.0.1", 0)
        try:
            return [await exchange(intake.receiver.tcp_port, c) for c in conversations]
        finally:
            await intake.close()

    return asyncio.run(asyncio.wait_for(test(), 60))


def concurrently(system: System, conversations: Sequence[Sequence[bytes]]) -> list[list[bytes]]:
    async def test() -> list[list[bytes]]:
        intake = await receiver.start(system, "127.0.0.1", 0)
        try:
            port = intake.receiver.tcp_port
            return list(await asyncio.gather(*(exchange(port, c) for c in conversations)))
        finally:
            await intake.close()

    return asyncio.run(asyncio.wait_for(test(), 60))


def answer_of(reply: bytes) -> str:
    return reply.split(b'"')[1].decode()


# Item 1: the frame key covers the content


def test_a_new_event_with_the_same_sequence_and_second_is_stored(
    engine: Engine, tmp_path: Path
) -> None:
    make_world(engine)
    at = datetime.now(UTC).replace(microsecond=0)
    burglary = frame("SIA-DCS", "Nri1/BA001", sequence=0, at=at)
    fire = frame("SIA-DCS", "Nri1/FA002", sequence=0, at=at)
    (answers,) = through(_system(engine, tmp_path), [burglary, fire, burglary])
    assert all(acked(a) for a in answers), answers
    assert [(r["code"], r["zone"]) for r in events(engine)] == [("BA", "001"), ("FA", "002")]


# Item 2: a resend without a timestamp, within the window


def test_a_resend_without_a_timestamp_is_stored_once(engine: Engine, tmp_path: Path) -> None:
    make_world(engine)
    alarm = bare("ADM-CID", "1130 01 004", 12)
    system = _system(engine, tmp_path)
    first, again = through(system, [alarm], [alarm])  # the ACK was lost: a new connection
    assert acked(first[0]) and acked(again[0])
    other = bare("ADM-CID", "1130 01 005", 12)  # same sequence, another zone: a new event
    (third,) = through(system, [other])
    assert acked(third[0])
    assert [r["zone"] for r in events(engine)] == ["004", "005"]


def test_the_same_bare_frame_after_the_window_is_a_new_event(
    engine: Engine, tmp_path: Path
) -> None:
    make_world(engine)
    alarm = bare("ADM-CID", "1130 01 004", 12)
    system = _system(engine, tmp_path)
    through(system, [alarm])
    with engine.begin() as conn:  # the first came in longer ago than the window
        conn.execute(
            text("UPDATE alarm_events SET received_at = :at"),
            {"at": datetime.now(UTC) - timedelta(minutes=6)},
        )
    (again,) = through(system, [alarm])
    assert acked(again[0])
    assert len(events(engine)) == 2


# Item 3: a frame the database cannot hold costs nobody else an ACK


def test_a_nul_in_the_text_is_stored_escaped_and_flagged_and_acked(
    engine: Engine, tmp_path: Path
) -> None:
    make_world(engine)
    make_world(engine, panel="5A0F32", number="K2")
    poison = frame("SIA-DCS", "Nri1/BA001^Stue\x00^")
    others = [[frame("SIA-DCS", f"Nri1/BA00{n}", panel="5A0F32")] for n in range(1, 6)]
    answers = concurrently(_system(engine, tmp_path), [[poison], *others])
    assert all(acked(a[0]) for a in answers), answers
    rows = events(engine, panel_account=PANEL)
    assert len(rows) == 1 and rows[0]["flagged"]
    assert "\x00" not in rows[0]["raw"] and "\\x00" in rows[0]["raw"]
    assert len(events(engine, panel_account="5A0F32")) == 5


def _refuse_rows_of(engine: Engine, account: str) -> None:
    """The database itself refuses this account's rows (a stand-in for any row it cannot hold)."""
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(
                text(
                    "ALTER TABLE alarm_events ADD CONSTRAINT ck_test_poison "
                    f"CHECK (panel_account <> '{account}')"
                )
            )
        else:
            conn.execute(
                text(
                    "CREATE TRIGGER test_poison BEFORE INSERT ON alarm_events "
                    f"WHEN NEW.panel_account = '{account}' "
                    "BEGIN SELECT RAISE(ABORT, 'poison'); END"
                )
            )


def test_a_batch_with_a_row_the_store_refuses_stores_and_acks_the_rest(
    engine: Engine, tmp_path: Path
) -> None:
    make_world(engine)
    make_world(engine, panel="5A0F32", number="K2")
    _refuse_rows_of(engine, "5A0F32")
    system = _system(engine, tmp_path)

    async def test() -> tuple[list[Any], list[bool]]:
        intake = await receiver.start(system, "127.0.0.1", 0)
        try:
            good = [_message(frame("SIA-DCS", f"Nri1/BA{n:03d}")) for n in range(1, 9)]
            bad = _message(frame("SIA-DCS", "Nri1/BA001", panel="5A0F32"))
            # Handed over together, so that they share one group-commit batch.
            calls = [intake.sink([m]) for m in [*good[:4], bad, *good[4:]]]
            results = await asyncio.gather(*calls, return_exceptions=True)
            return results, [r is None for r in results]
        finally:
            await intake.close()

    results, stored = asyncio.run(asyncio.wait_for(test(), 60))
    assert stored == [True] * 4 + [False] + [True] * 4, results
    assert len(events(engine, panel_account=PANEL)) == 8


def test_a_frame_that_never_stores_is_answered_duh_not_retried_for_ever(
    engine: Engine, tmp_path: Path
) -> None:
    make_world(engine, panel="5A0F32", number="K2")
    _refuse_rows_of(engine, "5A0F32")
    bad = frame("SIA-DCS", "Nri1/BA001", panel="5A0F32")
    system = _system(engine, tmp_path)

    async def test() -> list[str]:
        intake = await receiver.start(system, "127.0.0.1", 0)
        seen = []
        try:
            for _ in range(gate.POISON_AFTER + 1):
                try:
                    seen.append(answer_of((await exchange(intake.receiver.tcp_port, [bad]))[0]))
                except AssertionError:  # closed without an answer: not stored, not ACKed
                    seen.append("closed")
        finally:
            await intake.close()
        return seen

    seen = asyncio.run(asyncio.wait_for(test(), 60))
    assert seen == ["closed"] * gate.POISON_AFTER + ["DUH"]
    assert events(engine) == []


def _message(data: bytes) -> Any:
    from alarmvern.sia.protocol import Connection

    connection = Connection()
    connection.receive_data(data)
    (message,) = connection.next_events(datetime.now(UTC))
    return message


# Item 8 and H1: encryption required, clear timestamps checked


def _keyed(engine: Engine, tmp_path: Path) -> tuple[System, bytes]:
    make_world(engine)
    system = _system(engine, tmp_path)
    with engine.begin() as conn:
        panel_keys.set_key(conn, system.vault, PANEL, HEX_KEY, "hex")
    return system, parse_key(HEX_KEY, "hex")


def test_a_clear_frame_from_a_keyed_account_is_refused_as_a_downgrade(
    engine: Engine, tmp_path: Path
) -> None:
    system, key = _keyed(engine, tmp_path)
    old = datetime(2026, 1, 1, tzinfo=UTC)
    with engine.begin() as conn:
        conn.execute(
            text("INSERT INTO account_supervision (panel_account, last_seen_at) VALUES (:a, :t)"),
            {"a": PANEL, "t": old},
        )
    (answers,) = through(
        system,
        [
            frame("SIA-DCS", "Nri1/OP001"),
            frame("NULL"),
            frame("SIA-DCS", "Nri1/OP001", key=key),
        ],
    )
    assert [answer_of(a) for a in answers] == ["DUH", "DUH", "*ACK"]
    assert [r["code"] for r in events(engine)] == ["OP"]  # only the encrypted one
    assert supervision_rows(engine)[PANEL] > old  # by the encrypted frame, checked below


def test_a_clear_heartbeat_of_a_keyed_account_never_counts_even_where_allowed(
    engine: Engine, tmp_path: Path
) -> None:
    system, _key = _keyed(engine, tmp_path)
    with engine.begin() as conn:
        panel_rules.set_rules(conn, PANEL, encryption_required=False, actor="test")
    (answers,) = through(system, [frame("NULL"), frame("SIA-DCS", "Nri1/OP001")])
    assert all(acked(a) for a in answers)
    assert PANEL not in supervision_rows(engine)
    (row,) = events(engine)
    assert row["flagged"]  # stored, but marked as not to be trusted


def test_stale_clear_frames_are_nakked_where_the_account_is_checked(
    engine: Engine, tmp_path: Path
) -> None:
    make_world(engine)
    with engine.begin() as conn:
        panel_rules.set_rules(conn, PANEL, clear_timestamps_checked=True, actor="test")
    stale = datetime.now(UTC) - timedelta(minutes=5)
    (answers,) = through(
        _system(engine, tmp_path),
        [
            frame("SIA-DCS", "Nri1/BA001", at=stale),
            bare("SIA-DCS", "Nri1/BA001", 3),
            frame("SIA-DCS", "Nri1/BA002"),
        ],
    )
    assert [answer_of(a) for a in answers] == ["NAK", "DUH", "ACK"]
    assert [r["zone"] for r in events(engine)] == ["002"]


# M2: rate limit, unknown accounts, last-seen only for known panels


def test_an_account_over_its_rate_is_nakked_and_flagged(engine: Engine, tmp_path: Path) -> None:
    make_world(engine)
    burst = int(gate.BURST)
    flood = b"".join(frame("NULL") for _ in range(burst + 100))  # in one write, as a flood
    system = _system(engine, tmp_path)

    async def test() -> list[str]:
        intake = await receiver.start(system, "127.0.0.1", 0)
        try:
            reader, writer = await asyncio.open_connection("127.0.0.1", intake.receiver.tcp_port)
            writer.write(flood)
            await writer.drain()
            frames, kinds = FrameReader(), []
            while len(kinds) < burst + 100:
                frames.feed(await asyncio.wait_for(reader.read(65536), 10))
                kinds += [answer_of(f.payload) for f in frames.frames()]  # type: ignore[union-attr]
            writer.close()
            await asyncio.sleep(1.5)  # the flag is written with the next batch or on its own
            return kinds
        finally:
            await intake.close()

    kinds = asyncio.run(asyncio.wait_for(test(), 60))
    assert kinds[: burst - 10] == ["ACK"] * (burst - 10)
    assert "NAK" in kinds[burst:]
    with engine.connect() as conn:
        flag = conn.execute(
            text("SELECT rate_limited_at FROM panel_settings WHERE panel_account = :a"),
            {"a": PANEL},
        ).scalar()
    assert flag is not None


def test_an_unknown_account_beyond_its_quota_is_refused_and_never_seen(
    engine: Engine, tmp_path: Path
) -> None:
    quota = gate.UNKNOWN_PER_ACCOUNT
    made_up = [frame("SIA-DCS", f"Nri1/BA{n:03d}", panel="ABC123") for n in range(quota + 2)]
    (answers,) = through(_system(engine, tmp_path), made_up)
    assert [answer_of(a) for a in answers] == ["ACK"] * quota + ["DUH", "DUH"]
    assert len(events(engine)) == quota
    assert all(r["flagged"] for r in events(engine))
    assert "ABC123" not in supervision_rows(engine)


# M6: a clear frame's claimed time is not truth that lasts for ever


def test_a_clear_frame_from_the_future_is_stored_at_its_received_time_and_flagged(
    engine: Engine, tmp_path: Path
) -> None:
    make_world(engine)
    future = datetime(2099, 1, 1, tzinfo=UTC)
    (answers,) = through(_system(engine, tmp_path), [frame("SIA-DCS", "Nri1/BA001", at=future)])
    assert acked(answers[0])
    (row,) = events(engine)
    assert row["flagged"]
    occurred = row["occurred_at"].replace(tzinfo=UTC)
    assert abs(occurred - datetime.now(UTC)) < timedelta(minutes=1)


# Item 7: the area/partition in its own column, in the alarm log and the operator's view


def test_the_area_is_stored_and_shown_in_the_alarm_log(web: Any) -> None:  # noqa: F811
    from fastapi.testclient import TestClient

    from alarmvern.store import tables as t
    from alarmvern.web.app import create_app
    from tests.web_support import login

    engine, account = web.system.engine, web.world.account
    with engine.begin() as conn:
        conn.execute(
            t.sites.update().where(t.sites.c.id == web.world.site).values(panel_account="A1B2C3")
        )
    (answers,) = through(
        web.system,
        [
            frame("SIA-DCS", "Nri3/CL001", panel="A1B2C3"),
            frame("ADM-CID", "1401 02 001", panel="A1B2C3"),
        ],
    )
    assert all(acked(a) for a in answers), answers
    assert [r["area"] for r in events(engine, panel_account="A1B2C3")] == ["3", "02"]
    client = TestClient(create_app(web.system))
    login(client, "customer")
    items = client.get(f"/api/v1/accounts/{account}/events").json()["items"]
    assert {"3", "02"} <= {item["area"] for item in items}
    page = client.get("/mine-sider/alarmlogg").text
    assert "område 3" in page and "område 02" in page
